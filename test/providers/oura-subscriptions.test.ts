import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appRequest } from '#shared/providers/app-client.js';
import { ProviderRequestError } from '#shared/providers/http.js';
import { ouraSubscriptions, SUBSCRIBED } from '#shared/providers/oura/subscriptions.js';
import { ouraChallenge, ouraVerify } from '#shared/providers/oura/webhook.js';
import { type SubscriptionContext, WebhookRejected } from '#shared/providers/webhook-types.js';
import { type RunningHttpServer, readBody, sendJson, startHttpServer } from '#test/fakes/oauth-fake.js';
import { DEFAULT_OURA_USER, type FakeOura, ouraWorkout, startFakeOura } from '#test/fakes/oura.js';

/**
 * The Oura subscription API against the fake, with a callback server answering the challenge and checking the
 * signatures of the notifications with the module's own challenge and verifier.
 */

const TOKEN = 'subscription-test-token';
let fake: FakeOura;
let callback: RunningHttpServer;
let settings: Record<string, string>;
const received: Array<{ accepted: boolean; body: string }> = [];

const context = (): SubscriptionContext => ({
  request: appRequest(fake.apiBaseUrl),
  settings: (name) => settings[name],
  storeSecret: async () => {},
});

beforeAll(async () => {
  fake = await startFakeOura();
  callback = await startHttpServer(async (req, res, url) => {
    const lookup = (name: string) => settings[name];
    const common = {
      headers: req.headers as Record<string, string>,
      query: Object.fromEntries(url.searchParams),
    };
    try {
      if (req.method === 'GET') {
        const answer = ouraChallenge(
          { ...common, method: 'GET', body: Buffer.alloc(0), now: Date.now() },
          lookup,
        );
        return sendJson(res, answer.status, answer.body);
      }
      const body = Buffer.from(await readBody(req));
      try {
        ouraVerify({ ...common, method: 'POST', body, now: Date.now() }, lookup);
        received.push({ accepted: true, body: body.toString() });
        sendJson(res, 200, { status: 'accepted' });
      } catch (error) {
        received.push({ accepted: false, body: body.toString() });
        throw error;
      }
    } catch (error) {
      if (!(error instanceof WebhookRejected)) throw error;
      sendJson(res, error.status, { detail: error.detail });
    }
  });
});
afterAll(async () => {
  await Promise.all([fake?.stop(), callback?.stop()]);
});
beforeEach(() => {
  settings = {
    OURA_CLIENT_ID: fake.clientId,
    OURA_CLIENT_SECRET: fake.clientSecret,
    OURA_WEBHOOK_VERIFICATION_TOKEN: TOKEN,
  };
  fake.webhooks.subscriptions.clear();
  fake.webhooks.challenges.length = 0;
  received.length = 0;
});

const url = (path = '/oura') => `${callback.url}${path}`;

describe('oura subscriptions', () => {
  it('create: one subscription per data type and event type, each verified by the challenge; idempotent', async () => {
    const listed = await ouraSubscriptions.create(context(), url());
    expect(listed).toHaveLength(18);
    expect(SUBSCRIBED).toHaveLength(18);
    expect(fake.webhooks.challenges.every((c) => c.ok && c.status === 200)).toBe(true);
    expect(fake.webhooks.challenges).toHaveLength(18);
    const pairs = (listed as Array<Record<string, string>>)
      .map((s) => `${s.data_type}.${s.event_type}`)
      .sort();
    expect(pairs).toContain('vo2_max.update');
    expect(pairs).toContain('sleep.delete');
    expect(pairs).not.toContain('daily_sleep.delete');
    expect(listed[0]).toMatchObject({ callback_url: url(), expiration_time: expect.any(String) });
    expect(listed[0]).not.toHaveProperty('verification_token');

    expect(await ouraSubscriptions.create(context(), url())).toHaveLength(18);
    expect(fake.webhooks.challenges).toHaveLength(18);
  });

  it('a callback that refuses the challenge fails the create; so do missing settings', async () => {
    const challenged = ouraSubscriptions.create(
      {
        ...context(),
        settings: (name) => (name === 'OURA_WEBHOOK_VERIFICATION_TOKEN' ? 'other' : settings[name]),
      },
      url(),
    );
    await expect(challenged).rejects.toMatchObject({ status: 400 });
    expect(fake.webhooks.challenges[0]).toMatchObject({ status: 401, ok: false });
    await expect(
      ouraSubscriptions.create({ ...context(), settings: () => undefined }, url()),
    ).rejects.toThrow(/must be set/);
  });

  it('wrong app credentials are refused by Oura', async () => {
    settings.OURA_CLIENT_SECRET = 'wrong';
    await expect(ouraSubscriptions.list(context())).rejects.toThrow();
  });

  it('get, update (challenged again at the new URL) and delete by id', async () => {
    const [first] = (await ouraSubscriptions.create(context(), url())) as Array<{ id: string }>;
    expect(await ouraSubscriptions.get(context(), first!.id)).toMatchObject({ id: first!.id });
    expect(await ouraSubscriptions.get(context(), 'missing')).toBeNull();
    expect(await ouraSubscriptions.get(context(), '../subscription')).toBeNull();

    const updated = await ouraSubscriptions.update!(context(), first!.id, url('/moved'));
    expect(updated).toMatchObject({ id: first!.id, callback_url: url('/moved') });
    expect(fake.webhooks.challenges.at(-1)).toMatchObject({ callbackUrl: url('/moved'), ok: true });

    expect(await ouraSubscriptions.delete(context(), first!.id)).toEqual({
      subscription_id: first!.id,
      status: 'deleted',
    });
    expect(await ouraSubscriptions.delete(context(), first!.id)).toEqual({
      subscription_id: first!.id,
      status: 'not_found',
    });
    expect(await ouraSubscriptions.list(context())).toHaveLength(17);
  });

  it('renew extends only the subscriptions expiring within 30 days', async () => {
    await ouraSubscriptions.create(context(), url());
    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const [a, b] = [...fake.webhooks.subscriptions.values()];
    a!.expiration_time = soon;
    b!.expiration_time = new Date(Date.now() - 86_400_000).toISOString();
    const renewed = (await ouraSubscriptions.renew!(context())) as Array<{
      id: string;
      expiration_time: string;
    }>;
    expect(renewed.map((s) => s.id).sort()).toEqual([a!.id, b!.id].sort());
    for (const s of renewed)
      expect(Date.parse(s.expiration_time)).toBeGreaterThan(Date.now() + 80 * 86_400_000);
    expect(await ouraSubscriptions.renew!(context())).toEqual([]);
  });

  it('a renewal Oura refuses is reported after the others were renewed', async () => {
    await ouraSubscriptions.create(context(), url());
    const all = [...fake.webhooks.subscriptions.values()];
    for (const s of all) s.expiration_time = new Date(Date.now() + 86_400_000).toISOString();
    const request = appRequest(fake.apiBaseUrl);
    const failing: SubscriptionContext = {
      ...context(),
      request: async (method, path, options) => {
        if (path.endsWith(`/renew/${all[0]!.id}`)) throw new ProviderRequestError(500, 'boom');
        return request(method, path, options);
      },
    };
    await expect(ouraSubscriptions.renew!(failing)).rejects.toThrow(ProviderRequestError);
    const later = all.slice(1).map((s) => Date.parse(fake.webhooks.subscriptions.get(s.id)!.expiration_time));
    for (const expiry of later) expect(expiry).toBeGreaterThan(Date.now() + 80 * 86_400_000);
  });

  it('notifications are signed so that our verifier accepts them; expired subscriptions get none', async () => {
    await ouraSubscriptions.create(context(), url());
    const workout = ouraWorkout({
      day: '2024-01-15',
      start: Date.UTC(2024, 0, 15, 7),
      minutes: 30,
      offset: '+00:00',
    });
    const deliveries = await fake.putDocument(DEFAULT_OURA_USER, 'workout', workout);
    expect(deliveries.map((d) => d.status)).toEqual([200]);
    expect(received).toHaveLength(1);
    expect(received[0]!.accepted).toBe(true);
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      event_type: 'create',
      data_type: 'workout',
      object_id: workout.id,
      user_id: DEFAULT_OURA_USER,
    });
    const wrong = await fake.sendWebhook(url(), JSON.parse(received[0]!.body), { signing: 'wrong' });
    expect(wrong.status).toBe(401);

    fake.expireSubscriptions();
    expect(await fake.putDocument(DEFAULT_OURA_USER, 'workout', { ...workout, calories: 1 })).toEqual([]);
  });
});
