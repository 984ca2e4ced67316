import { describe, expect, it } from 'vitest';
import { providerHooks } from '#shared/providers/hooks.js';
import { providerModules } from '#shared/providers/index.js';

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
