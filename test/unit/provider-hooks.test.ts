import { describe, expect, it } from 'vitest';
import { providerCores, syncModules } from '#shared/providers/cores.js';
import { providerHooks } from '#shared/providers/hooks.js';
import { providerModules } from '#shared/providers/index.js';
import { webhookModules } from '#shared/providers/webhook-modules.js';

describe('the light provider registry (hooks.ts) and the full one (index.ts)', () => {
  it('list the same providers', () => {
    expect(Object.keys(providerHooks).sort()).toEqual(Object.keys(providerModules).sort());
  });

  it.each(
    Object.keys(providerModules),
  )('%s: the module is its hooks plus units, pull and a handler', (name) => {
    const module = providerModules[name as keyof typeof providerModules]!;
    const { webhook, ...hooks } = providerHooks[name as keyof typeof providerHooks]!;
    for (const [key, value] of Object.entries(hooks)) {
      expect(module[key as keyof typeof module], key).toBe(value);
    }
    expect(typeof module.units).toBe('function');
    expect(typeof module.pull).toBe('function');
    if (!webhook) return expect(module.webhook).toBeUndefined();
    for (const [key, value] of Object.entries(webhook)) {
      expect(module.webhook?.[key as keyof typeof webhook], `webhook.${key}`).toBe(value);
    }
    expect(typeof module.webhook?.handle).toBe('function');
  });
});

describe('the registries without the push half (cores.ts) and the webhook worker’s (webhook-modules.ts)', () => {
  const names = Object.keys(providerModules) as (keyof typeof providerModules)[];

  it('list the providers of index.ts; webhook-modules.ts those with a webhook', () => {
    expect(Object.keys(providerCores).sort()).toEqual([...names].sort());
    expect(Object.keys(syncModules).sort()).toEqual([...names].sort());
    const push = names.filter((name) => providerModules[name]?.webhook);
    expect(Object.keys(webhookModules).sort()).toEqual(push.sort());
  });

  it.each(names)('%s: the core and the sync module are the module without its push half', (name) => {
    const { webhook, connected, disconnecting, units, pull, ...core } = providerModules[name]!;
    expect(providerCores[name]).toEqual(core);
    expect(syncModules[name]).toEqual({ ...core, units, pull });
    if (!webhook) return expect(webhookModules[name]).toBeUndefined();
    const { handle, ...ingress } = webhook;
    const pushed = webhookModules[name]!;
    expect(pushed.name).toBe(name);
    expect(pushed.eventIdentity).toBe(core.eventIdentity);
    for (const [key, value] of Object.entries(ingress)) {
      expect(pushed.webhook?.[key as keyof typeof ingress], `webhook.${key}`).toBe(value);
    }
    expect(typeof pushed.webhook?.handle).toBe('function');
  });
});
