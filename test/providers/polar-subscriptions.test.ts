import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appRequest } from '#shared/providers/app-client.js';
import { ProviderRequestError } from '#shared/providers/http.js';
import { polarSubscriptions } from '#shared/providers/polar/subscriptions.js';
import { parsePolar, polarVerify } from '#shared/providers/polar/webhook.js';
import type { SubscriptionContext } from '#shared/providers/webhook-types.js';
import { type RunningHttpServer, readBody, sendJson, startHttpServer } from '#test/fakes/oauth-fake.js';
import { type FakePolar, startFakePolar } from '#test/fakes/polar.js';

/**
 * The webhook subscription API against the fake Polar, with a small receiver standing in for our ingress (the same
 * verify and parse): Polar's PING must be answered before the create returns the one-time key.
 */
let polar: FakePolar;
let receiver: RunningHttpServer;
let stored: Map<string, string>;
const received: Array<{ status: number; body: string }> = [];
let refusePings = false;

beforeAll(async () => {
  polar = await startFakePolar();
  receiver = await startHttpServer(async (req, res) => {
    const body = await readBody(req);
    const settings = (name: string) => stored.get(name);
    try {
      if (refusePings) throw new Error('down');
      polarVerify(
        {
          method: 'POST',
          headers: req.headers as Record<string, string>,
          query: {},
          body: Buffer.from(body),
          now: Date.now(),
        },
        settings,
      );
      const parsed = parsePolar(JSON.parse(body));
      received.push({ status: 200, body });
      sendJson(res, 200, Array.isArray(parsed) ? { status: 'accepted' } : parsed.body);
    } catch {
      received.push({ status: 401, body });
      sendJson(res, 401, { detail: 'refused' });
    }
  });
});
afterAll(() => Promise.all([polar.stop(), receiver.stop()]));

beforeEach(() => {
  stored = new Map();
  received.length = 0;
  refusePings = false;
  polar.webhooks.webhook = null;
});

function context(settings: Record<string, string> = {}): SubscriptionContext {
  const all = { POLAR_CLIENT_ID: polar.clientId, POLAR_CLIENT_SECRET: polar.clientSecret, ...settings };
  return {
    request: appRequest(polar.apiBaseUrl),
    settings: (name) => all[name as keyof typeof all] ?? stored.get(name),
    storeSecret: async (name, value) => void stored.set(name, value),
  };
}

const callback = () => `${receiver.url}/api/v1/providers/polar/webhooks`;

describe('polar webhook subscription', () => {
  it('create: Polar PINGs the callback unsigned, then the one-time key is stored and never listed', async () => {
    const list = await polarSubscriptions.create(context(), callback());
    expect(received[0]).toMatchObject({ status: 200 });
    expect(JSON.parse(received[0]!.body)).toMatchObject({ event: 'PING' });
    expect(stored.get('POLAR_WEBHOOK_SECRET')).toBe(polar.webhooks.webhook?.secret);
    expect(list).toEqual([
      {
        id: polar.webhooks.webhook!.id,
        events: ['EXERCISE', 'SLEEP', 'CONTINUOUS_HEART_RATE', 'ACTIVITY_SUMMARY', 'PHYSICAL_INFORMATION'],
        url: callback(),
        active: true,
      },
    ]);
    expect(JSON.stringify(list)).not.toContain(stored.get('POLAR_WEBHOOK_SECRET'));
    // Events signed with that key now pass our verification; another key does not.
    expect((await polar.notify({ event: 'EXERCISE', user_id: 12345, entity_id: 'aQlC83' })).status).toBe(200);
    expect(
      (await polar.notify({ event: 'EXERCISE', user_id: 12345, entity_id: 'aQlC83' }, 'wrong')).status,
    ).toBe(401);
    expect(
      (await polar.notify({ event: 'EXERCISE', user_id: 12345, entity_id: 'aQlC83' }, 'none')).status,
    ).toBe(401);
  });

  it('the app credentials go as a Basic header; wrong ones are refused', async () => {
    const bad = {
      ...context(),
      settings: (n: string) => (n === 'POLAR_CLIENT_SECRET' ? 'nope' : context().settings(n)),
    };
    await expect(polarSubscriptions.list(bad)).rejects.toThrow();
    expect(await polarSubscriptions.list(context())).toEqual([]);
    const missing = { ...context(), settings: () => undefined };
    await expect(polarSubscriptions.list(missing)).rejects.toThrow('POLAR_CLIENT_ID');
  });

  it('a create that meets the webhook on the same URL with a known key keeps it (no new key)', async () => {
    await polarSubscriptions.create(context(), callback());
    const key = stored.get('POLAR_WEBHOOK_SECRET');
    const id = polar.webhooks.webhook!.id;
    received.length = 0;
    await polarSubscriptions.create(context(), callback());
    expect(polar.webhooks.webhook!.id).toBe(id);
    expect(stored.get('POLAR_WEBHOOK_SECRET')).toBe(key);
    expect(received).toEqual([]);
  });

  it('a create that meets a webhook whose key is unknown, or on another URL, replaces it to get a key', async () => {
    await polar.createWebhook(`${receiver.url}/elsewhere`);
    const old = polar.webhooks.webhook!.id;
    await polarSubscriptions.create(context(), callback());
    expect(polar.webhooks.webhook).toMatchObject({ url: callback() });
    expect(polar.webhooks.webhook!.id).not.toBe(old);
    expect(stored.get('POLAR_WEBHOOK_SECRET')).toBe(polar.webhooks.webhook!.secret);
  });

  it('fails when the callback does not answer the PING', async () => {
    refusePings = true;
    const error = await polarSubscriptions.create(context(), callback()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect((error as ProviderRequestError).status).toBe(400);
    expect(stored.size).toBe(0);
  });

  it('get and delete by id', async () => {
    await polarSubscriptions.create(context(), callback());
    const id = polar.webhooks.webhook!.id;
    expect(await polarSubscriptions.get(context(), id)).toMatchObject({ id, url: callback() });
    expect(await polarSubscriptions.get(context(), 'other')).toBeNull();
    expect(await polarSubscriptions.delete(context(), id)).toEqual({
      subscription_id: id,
      status: 'deleted',
    });
    expect(polar.webhooks.webhook).toBeNull();
    expect(await polarSubscriptions.delete(context(), id)).toEqual({
      subscription_id: id,
      status: 'not_found',
    });
    expect(await polarSubscriptions.delete(context(), '../users')).toEqual({
      subscription_id: '../users',
      status: 'not_found',
    });
  });
});
