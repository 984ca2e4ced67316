import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerGet } from '#shared/providers/http.js';
import type { ConnectionContext, PullResult } from '#shared/providers/types.js';
import {
  type NotificationContext,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/webhook-types.js';
import { withingsModule } from '#shared/providers/withings/index.js';
import { SUBSCRIBED_APPLIS } from '#shared/providers/withings/notify.js';
import {
  decodeForm,
  handleWithings,
  parseWithings,
  verifyWithings,
} from '#shared/providers/withings/webhook.js';
import { type RunningHttpServer, readBody, startHttpServer } from '#test/fakes/oauth-fake.js';
import {
  DAY_MS,
  DEFAULT_WITHINGS_USER,
  type FakeWithings,
  measure,
  measureGroup,
  startFakeWithings,
} from '#test/fakes/withings.js';

/**
 * Withings notifications: the callback token checked in constant time (any other token refused), the form body
 * parsed into one notification per user, the notified window fetched and saved, the subscriptions made at connect
 * (after Withings' HEAD probe) and removed at disconnect, and an unlink acted on only once Withings refuses the token.
 */
const TOKEN = 'withings-callback-secret';
const settings = (name: string) => (name === 'WITHINGS_WEBHOOK_TOKEN' ? TOKEN : undefined);
const NOW = Date.parse('2024-07-20T12:00:00Z');

const request = (token: string | undefined, body = 'userid=1&appli=1'): WebhookRequest => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  query: token === undefined ? {} : { token },
  body: Buffer.from(body),
  now: NOW,
});

describe('verify: the token of the callback URL', () => {
  it('accepts the configured token only', () => {
    expect(() => verifyWithings(request(TOKEN), settings)).not.toThrow();
    for (const token of [undefined, '', `${TOKEN}x`, TOKEN.slice(1), TOKEN.toUpperCase()]) {
      expect(() => verifyWithings(request(token), settings)).toThrow(WebhookRejected);
    }
    expect(() => verifyWithings(request(TOKEN), () => undefined)).toThrow(WebhookRejected);
  });

  it('refuses any other token, whatever the body (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string(), (token, secret, body) => {
        fc.pre(token !== secret);
        const check = () =>
          verifyWithings(request(token, body), (n) => (n === 'WITHINGS_WEBHOOK_TOKEN' ? secret : undefined));
        expect(check).toThrow(WebhookRejected);
        expect(() => verifyWithings(request(secret, body), () => secret)).not.toThrow();
      }),
    );
  });

  it('a flipped character of the token fails (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.nat(), (secret, at) => {
        const i = at % secret.length;
        const flipped =
          secret.slice(0, i) + String.fromCharCode(secret.charCodeAt(i) ^ 1) + secret.slice(i + 1);
        expect(() => verifyWithings(request(flipped), () => secret)).toThrow(WebhookRejected);
      }),
    );
  });
});

describe('decode and parse', () => {
  it('one notification per user with the category and window', () => {
    const body = decodeForm(
      Buffer.from('userid=123&appli=1&startdate=1530576000&enddate=1530698753&foo=bar'),
    );
    expect(parseWithings(body)).toEqual([
      {
        providerUserId: '123',
        kind: 'weight',
        payload: { appli: 1, startdate: 1530576000, enddate: 1530698753 },
      },
    ]);
    expect(parseWithings(decodeForm(Buffer.from('userid=9&appli=46&action=unlink')))).toEqual([
      { providerUserId: '9', kind: 'user', payload: { appli: 46, action: 'unlink' } },
    ]);
  });

  it('acknowledges categories we do not read without queuing anything', () => {
    expect(parseWithings(decodeForm(Buffer.from('userid=9&appli=50&startdate=1')))).toEqual([]);
  });

  it('refuses a body of the wrong shape with 400', () => {
    for (const body of [
      '',
      'appli=1',
      'userid=abc&appli=1',
      'userid=1&appli=x',
      'userid=1&appli=1&startdate=-5',
      '{"userid":1}',
    ]) {
      expect(() => parseWithings(decodeForm(Buffer.from(body)))).toThrow(
        expect.objectContaining({ status: 400 }),
      );
    }
  });

  it('any byte string decodes to a form, and parse either yields notifications or refuses with 400 (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const form = decodeForm(Buffer.from(bytes));
        try {
          const notifications = parseWithings(form);
          for (const n of notifications) expect(n.providerUserId).toMatch(/^\d+$/);
        } catch (error) {
          expect(error).toBeInstanceOf(WebhookRejected);
          expect((error as WebhookRejected).status).toBe(400);
        }
      }),
    );
  });
});

describe('handle and subscriptions against the fake', () => {
  let fake: FakeWithings;
  let callback: RunningHttpServer;
  let get: ConnectionContext['get'];
  const received: string[] = [];

  beforeAll(async () => {
    fake = await startFakeWithings({ requestsPerMinute: null });
    fake.seed(DEFAULT_WITHINGS_USER, { days: 10, end: NOW, seed: 'hook', timezone: 'Europe/Paris' });
    get = bearerGet(fake.apiBaseUrl, fake.issueTokens(DEFAULT_WITHINGS_USER).access_token as string);
    callback = await startHttpServer(async (req, res) => {
      if (req.method === 'POST') received.push(await readBody(req));
      res.writeHead(200).end();
    });
  });
  afterAll(async () => {
    await fake?.stop();
    await callback?.stop();
  });

  function context(saved: PullResult[], revoked: string[] = []): NotificationContext {
    return {
      userId: 'u1',
      scope: null,
      get,
      save: async (result) => {
        saved.push(result);
      },
      removeEvent: async () => false,
      revoke: async (reason) => {
        revoked.push(reason);
      },
      setScope: async () => {},
      arrived: async () => {},
    };
  }

  const connection = (webhookUrl: string): ConnectionContext => ({
    userId: 'u1',
    providerUserId: String(DEFAULT_WITHINGS_USER),
    get,
    tokens: { accessToken: 'x', refreshToken: null, expiresAt: 0, scope: null, extras: {} },
    settings,
    webhookUrl,
  });

  it('connect subscribes every category with the token in the callback URL, after the HEAD probe', async () => {
    await withingsModule.connected!(connection(`${callback.url}/api/v1/providers/withings/webhooks`));
    const mine = fake.notify.subscriptions.filter((s) => s.userid === DEFAULT_WITHINGS_USER);
    expect(mine.map((s) => s.appli).sort((a, b) => a - b)).toEqual(
      [...SUBSCRIBED_APPLIS].sort((a, b) => a - b),
    );
    expect(new Set(mine.map((s) => s.callbackurl))).toEqual(
      new Set([`${callback.url}/api/v1/providers/withings/webhooks?token=${TOKEN}`]),
    );
    expect(fake.notify.probes.every((p) => p.status === 200)).toBe(true);
  });

  it('an unreachable callback fails the subscription (so the connect)', async () => {
    await expect(withingsModule.connected!(connection('http://127.0.0.1:9/hooks'))).rejects.toThrow(
      /status 293/,
    );
  });

  it('a new weigh-in is notified (form POST, token in the URL) and the handler saves that window', async () => {
    const at = Math.floor(NOW / 1000) - 600;
    const group = measureGroup(at, [measure(1, 81.25, -3), measure(6, 19.5, -3)]);
    const [delivery] = await fake.add(DEFAULT_WITHINGS_USER, 'measureGroups', group, {
      appli: 1,
      startdate: at,
      enddate: at,
    });
    expect(delivery!.url).toContain(`token=${TOKEN}`);
    expect(received.at(-1)).toBe(`userid=${DEFAULT_WITHINGS_USER}&appli=1&startdate=${at}&enddate=${at}`);
    const [notification] = parseWithings(decodeForm(Buffer.from(received.at(-1)!)));
    const saved: PullResult[] = [];
    const handled = await handleWithings(context(saved), notification!, NOW);
    const weights = saved.flatMap((r) => r.series).filter((s) => s.series === 'weight');
    expect(weights.flatMap((s) => s.samples)).toEqual([
      { timestamp: at * 1000, value: 81.25, zoneOffset: '+02:00', isDailyTotal: null },
    ]);
    expect(handled).toEqual({ samples: 2, events: 0, scores: 0, skipped: 0 });
  });

  it('sleep and activity notifications fetch their kinds for the notified days', async () => {
    const night = fake.user(DEFAULT_WITHINGS_USER).sleeps.at(-1)!;
    const saved: PullResult[] = [];
    const sleep = parseWithings({
      userid: String(DEFAULT_WITHINGS_USER),
      appli: '44',
      startdate: String(night.startdate),
      enddate: String(night.enddate),
    });
    const handled = await handleWithings(context(saved), sleep[0]!, NOW);
    expect(saved.flatMap((r) => r.events).map((e) => e.externalId)).toContain(String(night.id));
    expect(handled.scores).toBeGreaterThan(0);

    const before = fake.requests.length;
    const day = Math.floor((NOW - DAY_MS) / 1000);
    const activity = parseWithings({
      userid: String(DEFAULT_WITHINGS_USER),
      appli: '16',
      startdate: String(day),
      enddate: String(day + 3600),
    });
    await handleWithings(context([]), activity[0]!, NOW);
    const actions = fake.requests.slice(before).map((r) => r.action);
    expect(new Set(actions)).toEqual(new Set(['getactivity', 'getworkouts', 'getintradayactivity']));
  });

  it('a notified window is bounded to its latest 7 days', async () => {
    const before = fake.requests.length;
    const end = Math.floor(NOW / 1000);
    const wide = parseWithings({ userid: '1', appli: '16', startdate: '0', enddate: String(end) });
    await handleWithings(context([]), wide[0]!, NOW);
    const intraday = fake.requests.slice(before).filter((r) => r.action === 'getintradayactivity');
    expect(intraday.length).toBeLessThanOrEqual(8);
  });

  it('an unlink revokes only once Withings refuses the token', async () => {
    const revoked: string[] = [];
    const [unlink] = parseWithings({ userid: String(DEFAULT_WITHINGS_USER), appli: '46', action: 'unlink' });
    expect(await handleWithings(context([], revoked), unlink!, NOW)).toMatchObject({ skipped: 1 });
    expect(revoked).toEqual([]);
    await fake.unlink(DEFAULT_WITHINGS_USER);
    await handleWithings(context([], revoked), unlink!, NOW);
    expect(revoked).toEqual(['deauthorized']);
  });

  it('disconnect unsubscribes every category; nothing subscribed is no failure', async () => {
    const other = 87_654_321;
    const token = fake.issueTokens(other).access_token as string;
    const url = `${callback.url}/api/v1/providers/withings/webhooks`;
    const ctx = { ...connection(url), get: bearerGet(fake.apiBaseUrl, token) };
    await withingsModule.connected!(ctx);
    expect(fake.notify.subscriptions.filter((s) => s.userid === other)).toHaveLength(
      SUBSCRIBED_APPLIS.length,
    );
    await withingsModule.disconnecting!(ctx);
    expect(fake.notify.subscriptions.filter((s) => s.userid === other)).toEqual([]);
    await expect(withingsModule.disconnecting!(ctx)).resolves.toBeUndefined();
  });
});
