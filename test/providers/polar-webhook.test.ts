import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProviderRequestError } from '#shared/providers/http.js';
import { polarModule } from '#shared/providers/polar/index.js';
import { handlePolar, parsePolar, polarVerify } from '#shared/providers/polar/webhook.js';
import type { ProviderGet, PullResult } from '#shared/providers/types.js';
import {
  type NotificationContext,
  type WebhookNotification,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/webhook-types.js';
import { polarExercise, polarNight, polarRecharge } from '#test/fakes/polar-data.js';
import { flipByte, signedBodyCase } from '#test/helpers/tampering.js';

const SECRET = 'abe1f3ae-fd33-11e8-8eb2-f2801f1b9fd1';
const sign = (body: string | Buffer, secret = SECRET) =>
  createHmac('sha256', secret).update(body).digest('hex');

function request(body: string | Buffer, signature?: string): WebhookRequest {
  return {
    method: 'POST',
    headers: signature === undefined ? {} : { 'polar-webhook-signature': signature },
    query: {},
    body: Buffer.from(body),
    now: Date.now(),
  };
}

const settings =
  (secret: string | undefined = SECRET) =>
  (name: string) =>
    name === 'POLAR_WEBHOOK_SECRET' ? secret : undefined;

const EXERCISE_EVENT = JSON.stringify({
  event: 'EXERCISE',
  user_id: 475,
  entity_id: 'aQlC83',
  timestamp: '2018-05-15T14:22:24Z',
  url: 'https://www.polaraccesslink.com/v3/exercises/aQlC83',
});

const rejectedWith = (status: number, run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookRejected);
    expect((error as WebhookRejected).status).toBe(status);
    return;
  }
  throw new Error('not rejected');
};

describe('verify', () => {
  it('accepts the hex HMAC-SHA256 of the raw body under POLAR_WEBHOOK_SECRET (either case)', () => {
    expect(() => polarVerify(request(EXERCISE_EVENT, sign(EXERCISE_EVENT)), settings())).not.toThrow();
    expect(() =>
      polarVerify(request(EXERCISE_EVENT, sign(EXERCISE_EVENT).toUpperCase()), settings()),
    ).not.toThrow();
  });

  it('refuses 401 without a signature, with another key, or when no key is known', () => {
    rejectedWith(401, () => polarVerify(request(EXERCISE_EVENT), settings()));
    rejectedWith(401, () => polarVerify(request(EXERCISE_EVENT, sign(EXERCISE_EVENT, 'other')), settings()));
    rejectedWith(401, () =>
      polarVerify(request(EXERCISE_EVENT, sign(EXERCISE_EVENT, '')), settings(undefined)),
    );
    rejectedWith(401, () => polarVerify(request(EXERCISE_EVENT, 'not-hex'), settings()));
  });

  it('property: a signed body passes; any flipped byte, or another key, fails', () => {
    fc.assert(
      fc.property(signedBodyCase, ({ body, secret, position, mask }) => {
        const signature = sign(body, secret);
        polarVerify(request(body, signature), settings(secret));
        const tampered = flipByte(body, position, mask);
        expect(() => polarVerify(request(tampered, signature), settings(secret))).toThrow(WebhookRejected);
        expect(() => polarVerify(request(body, signature), settings(`${secret}x`))).toThrow(WebhookRejected);
      }),
    );
  });

  it('lets exactly a PING through unsigned (Polar sends it before we know the key), answered 200 and not queued', () => {
    const ping = JSON.stringify({ timestamp: '2018-05-15T14:22:24Z', event: 'PING' });
    expect(() => polarVerify(request(ping), settings(undefined))).not.toThrow();
    expect(parsePolar(JSON.parse(ping))).toEqual({ status: 200, body: { status: 'ok' } });
    // Anything more than a PING needs the signature.
    const padded = JSON.stringify({ event: 'PING', user_id: 475, entity_id: 'x' });
    rejectedWith(401, () => polarVerify(request(padded), settings()));
    rejectedWith(401, () => polarVerify(request('{"event":"PING"'), settings()));
  });
});

describe('parse', () => {
  it('an exercise event is one notification for the Polar user, naming the exercise', () => {
    expect(parsePolar(JSON.parse(EXERCISE_EVENT))).toEqual([
      {
        providerUserId: '475',
        kind: 'exercise',
        payload: { event: 'EXERCISE', user_id: '475', entity_id: 'aQlC83' },
      },
    ]);
  });

  it('date events take `date`, or `entity_id` as in older payloads', () => {
    const sleep = {
      event: 'SLEEP',
      user_id: 475,
      date: '2019-12-31',
      url: 'https://x/v3/users/sleep/2019-12-31',
    };
    expect(parsePolar(sleep)).toMatchObject([{ payload: { event: 'SLEEP', date: '2019-12-31' } }]);
    expect(
      parsePolar({ event: 'CONTINUOUS_HEART_RATE', user_id: '475', entity_id: '2022-09-30' }),
    ).toMatchObject([{ kind: 'continuous_heart_rate', payload: { date: '2022-09-30' } }]);
    expect(parsePolar({ event: 'PHYSICAL_INFORMATION', user_id: 475 })).toMatchObject([
      { payload: { event: 'PHYSICAL_INFORMATION' } },
    ]);
  });

  it('acknowledges events it does not handle without queuing them', () => {
    expect(
      parsePolar({ event: 'SLEEP_WISE_ALERTNESS', user_id: 475, from: '2022-09-30', to: '2022-10-02' }),
    ).toEqual([]);
    expect(parsePolar({ event: 'SOMETHING_NEW', user_id: 475 })).toEqual([]);
  });

  it.each([
    ['not an object', [1, 2]],
    ['no user', { event: 'EXERCISE', entity_id: 'aQlC83' }],
    ['a user that is not an id', { event: 'EXERCISE', user_id: 'me', entity_id: 'aQlC83' }],
    ['an exercise id that would change the path', { event: 'EXERCISE', user_id: 475, entity_id: '../users' }],
    ['no date', { event: 'SLEEP', user_id: 475 }],
    ['an impossible date', { event: 'ACTIVITY_SUMMARY', user_id: 475, date: '2024-02-30' }],
  ])('refuses 400: %s', (_, body) => {
    rejectedWith(400, () => parsePolar(body));
  });
});

/** A notification context over a map of paths; absent paths answer 404. */
function context(bodies: Record<string, unknown>) {
  const saved: PullResult[] = [];
  const calls: string[] = [];
  const get: ProviderGet = async (path) => {
    calls.push(path);
    if (!(path in bodies)) throw new ProviderRequestError(404, '{"message":"Not found"}');
    return bodies[path];
  };
  const ctx = { userId: 'u1', scope: null, get, save: async (r: PullResult) => void saved.push(r) };
  return { ctx: ctx as unknown as NotificationContext, saved, calls };
}

const notification = (payload: Record<string, unknown>): WebhookNotification => ({
  providerUserId: '12345',
  kind: String(payload.event).toLowerCase(),
  payload: { user_id: '12345', ...payload },
});

describe('handle', () => {
  it('an exercise notification fetches that exercise with its samples and saves the workout', async () => {
    const exercise = polarExercise({
      userId: '12345',
      id: 'aQlC83',
      localStart: Date.parse('2024-01-15T08:00:00Z'),
      offsetMinutes: 60,
      durationSeconds: 600,
    });
    const fake = context({ '/v3/exercises/aQlC83': exercise });
    const handled = await handlePolar(fake.ctx, notification({ event: 'EXERCISE', entity_id: 'aQlC83' }));
    expect(handled).toMatchObject({ events: 1, scores: 0, skipped: 0 });
    expect(handled.samples).toBeGreaterThan(100);
    expect(fake.saved[0]!.events[0]).toMatchObject({
      externalId: 'aQlC83',
      start: Date.parse('2024-01-15T07:00:00Z'),
    });
  });

  it('a sleep notification saves the night and the Nightly Recharge of its date', async () => {
    const fake = context({
      '/v3/users/sleep/2024-01-15': polarNight('12345', '2024-01-15', 120),
      '/v3/users/nightly-recharge/2024-01-15': polarRecharge('12345', '2024-01-15'),
    });
    const handled = await handlePolar(fake.ctx, notification({ event: 'SLEEP', date: '2024-01-15' }));
    expect(handled).toMatchObject({ events: 1, scores: 2, skipped: 0 });
    expect(fake.saved[0]!.scores.map((s) => s.category).sort()).toEqual(['recovery', 'sleep']);
  });

  it('counts a notification whose data Polar no longer has (404, 204) as skipped, saving nothing', async () => {
    const fake = context({ '/v3/users/activities/2024-01-15': null });
    expect(await handlePolar(fake.ctx, notification({ event: 'EXERCISE', entity_id: 'gone' }))).toMatchObject(
      {
        skipped: 1,
      },
    );
    expect(
      await handlePolar(fake.ctx, notification({ event: 'ACTIVITY_SUMMARY', date: '2024-01-15' })),
    ).toMatchObject({ skipped: 1 });
    expect(fake.saved).toEqual([]);
  });

  it('never follows anything but the path it builds from the event', async () => {
    const fake = context({});
    await handlePolar(fake.ctx, notification({ event: 'EXERCISE', entity_id: '../../v3/users' }));
    await handlePolar(fake.ctx, notification({ event: 'SLEEP', date: 'x' }));
    expect(fake.calls).toEqual([]);
  });

  it('the module declares the webhook settings and subscriptions', () => {
    expect(polarModule.webhook?.settings).toContain('POLAR_WEBHOOK_SECRET');
    expect(polarModule.webhook?.subscriptions).toBeDefined();
    expect(polarModule.eventIdentity).toBe('external');
  });
});
