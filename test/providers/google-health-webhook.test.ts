import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { savePullResult } from '#shared/ingest/persist.js';
import { UNKNOWN_SOURCE } from '#shared/model/sources.js';
import { mapExercise } from '#shared/providers/google-health/exercise.js';
import { UNIT_DAYS } from '#shared/providers/google-health/pull.js';
import {
  googleHealthWebhook,
  handleGoogleHealth,
  MAX_WINDOW_DAYS,
  parseGoogleHealth,
  verifyGoogleHealth,
} from '#shared/providers/google-health/webhook.js';
import type { ProviderCallOptions, PullResult, WebhookSettings } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';
import {
  type NotificationContext,
  type WebhookNotification,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/webhook-types.js';
import { deleteEvent, externalEventId, queryEvents } from '#shared/store/events.js';
import { exercisePoint } from '#test/fakes/google-health-data.js';
import { notificationItem } from '#test/fakes/google-health-webhooks.js';
import { newUserId } from '#test/helpers/users.js';

/**
 * Google Health notifications (providers.md 4.9): the endpoint answers Google's verification handshake as Google
 * requires (201 with the right bearer, 401 without), accepts notifications only with `Bearer <secret>`, turns the
 * JSON array into one notification per user, type and operation, and handles them by fetching the named window:
 * an upsert saves it, a deleted session disappears from our store, a deleted metric is reported as not applied.
 */
const SECRET = 'gh-webhook-secret-0123456789';
const settings: WebhookSettings = (name) => (name === 'GOOGLE_HEALTH_WEBHOOK_SECRET' ? SECRET : undefined);
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T = Date.UTC(2026, 0, 15, 8);

const request = (body: unknown, authorization?: string): WebhookRequest => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization },
  query: {},
  body: Buffer.from(JSON.stringify(body)),
  now: T,
});

const status = (work: () => unknown): number | null => {
  try {
    work();
    return null;
  } catch (error) {
    if (!(error instanceof WebhookRejected)) throw error;
    return error.status;
  }
};

/** What the ingress does with a POST: verify, then parse the JSON body. */
const ingress = (req: WebhookRequest, configured: WebhookSettings = settings) => {
  googleHealthWebhook.verify(req, configured);
  return googleHealthWebhook.parse(JSON.parse(req.body.toString('utf8')));
};

describe('google_health verification handshake and authentication', () => {
  it('verification: 201 {"status":"verified"} with the right bearer, 401 without it', () => {
    const body = { type: 'verification' };
    expect(ingress(request(body, `Bearer ${SECRET}`))).toEqual({ status: 201, body: { status: 'verified' } });
    expect(status(() => ingress(request(body)))).toBe(401);
  });

  it('refuses a wrong bearer, another scheme, the bare secret, and everything when no secret is configured', () => {
    const body = [
      notificationItem({
        healthUserId: 'u',
        dataType: 'steps',
        operation: 'UPSERT',
        intervals: [[T, T + HOUR]],
      }),
    ];
    expect(status(() => ingress(request(body, `Bearer ${SECRET}x`)))).toBe(401);
    expect(status(() => ingress(request(body, `Basic ${SECRET}`)))).toBe(401);
    expect(status(() => ingress(request(body, SECRET)))).toBe(401);
    expect(status(() => ingress(request(body, 'Bearer ')))).toBe(401);
    for (const unset of [() => undefined, () => ''] as WebhookSettings[]) {
      expect(status(() => ingress(request(body, 'Bearer '), unset))).toBe(401);
      expect(status(() => ingress(request(body, 'Bearer undefined'), unset))).toBe(401);
    }
    expect(ingress(request(body, `Bearer ${SECRET}`))).toHaveLength(1);
  });

  it('any secret: its bearer passes, the same with one character changed fails (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.nat(),
        fc.integer({ min: 1, max: 0xffff }),
        (secret, at, delta) => {
          const configured: WebhookSettings = () => secret;
          const header = `Bearer ${secret}`;
          expect(status(() => verifyGoogleHealth(request([], header), configured))).toBeNull();
          const i = at % header.length;
          const flipped =
            header.slice(0, i) +
            String.fromCharCode((header.charCodeAt(i) + delta) % 0x10000) +
            header.slice(i + 1);
          fc.pre(flipped !== header);
          expect(status(() => verifyGoogleHealth(request([], flipped), configured))).toBe(401);
        },
      ),
    );
  });
});

describe('google_health notification parsing', () => {
  it('one notification per user, type and operation over the union of their intervals', () => {
    const items = [
      notificationItem({
        healthUserId: 'u1',
        dataType: 'steps',
        operation: 'UPSERT',
        intervals: [[T, T + HOUR]],
      }),
      notificationItem({
        healthUserId: 'u1',
        dataType: 'steps',
        operation: 'UPSERT',
        intervals: [[T - 5 * HOUR, T - 4 * HOUR]],
      }),
      notificationItem({
        healthUserId: 'u2',
        dataType: 'steps',
        operation: 'UPSERT',
        intervals: [[T, T + HOUR]],
      }),
      notificationItem({
        healthUserId: 'u1',
        dataType: 'exercise',
        operation: 'DELETE',
        intervals: [
          [T, T + HOUR],
          [T + 2 * HOUR, T + 3 * HOUR],
        ],
      }),
    ];
    expect(parseGoogleHealth(items)).toEqual([
      {
        providerUserId: 'u1',
        kind: 'steps.upsert',
        payload: { dataType: 'steps', operation: 'UPSERT', start: T - 5 * HOUR, end: T + HOUR },
      },
      {
        providerUserId: 'u2',
        kind: 'steps.upsert',
        payload: { dataType: 'steps', operation: 'UPSERT', start: T, end: T + HOUR },
      },
      {
        providerUserId: 'u1',
        kind: 'exercise.delete',
        payload: { dataType: 'exercise', operation: 'DELETE', start: T, end: T + 3 * HOUR },
      },
    ]);
  });

  it('drops items of types we do not read and malformed items; refuses a body that is not an array', () => {
    const good = notificationItem({
      healthUserId: 'u',
      dataType: 'weight',
      operation: 'UPSERT',
      intervals: [[T, T]],
    });
    const floors = notificationItem({
      healthUserId: 'u',
      dataType: 'floors',
      operation: 'UPSERT',
      intervals: [[T, T]],
    });
    const backwards = notificationItem({
      healthUserId: 'u',
      dataType: 'steps',
      operation: 'UPSERT',
      intervals: [[T, T - 1]],
    });
    const noUser = { data: { ...good.data, healthUserId: '' } };
    const badOperation = { data: { ...good.data, operation: 'PATCH' } };
    const badTime = {
      data: { ...good.data, intervals: [{ physicalTimeInterval: { startTime: 'now', endTime: 'later' } }] },
    };
    expect(
      parseGoogleHealth([good, floors, backwards, noUser, badOperation, badTime, 'x', null]),
    ).toHaveLength(1);
    expect(parseGoogleHealth([])).toEqual([]);
    for (const body of [{}, { data: good.data }, 'text', 42, null, Array(1001).fill(good)])
      expect(status(() => parseGoogleHealth(body))).toBe(400);
  });

  it('any JSON is notifications or a 400, never an exception of another kind (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        const code = status(() => parseGoogleHealth(body));
        expect(code === null || code === 400).toBe(true);
      }),
    );
  });
});

/** A context whose provider answers from `answer(path, query)`, recording saves and removals. */
function fakeContext(
  answer: (path: string, query: Record<string, string | number>) => unknown,
  userId = 'user-1',
) {
  const calls: Array<{
    path: string;
    query: Record<string, string | number>;
    options?: ProviderCallOptions;
  }> = [];
  const saved: PullResult[] = [];
  const removed: string[] = [];
  const context: NotificationContext = {
    userId,
    scope: null,
    async get(path, query = {}, options = undefined) {
      calls.push({ path, query, ...(options ? { options } : {}) });
      return answer(path, query);
    },
    async save(result) {
      saved.push(result);
    },
    async removeEvent(category, externalId) {
      removed.push(externalId);
      return deleteEvent(userId, category, externalEventId(userId, 'google_health', category, externalId));
    },
    async revoke() {},
    async setScope() {},
    async arrived() {},
  };
  return { context, calls, saved, removed };
}

const notification = (
  dataType: string,
  operation: 'UPSERT' | 'DELETE',
  start: number,
  end: number,
): WebhookNotification =>
  (
    parseGoogleHealth([
      notificationItem({ healthUserId: 'u', dataType, operation, intervals: [[start, end]] }),
    ]) as WebhookNotification[]
  )[0]!;

describe('google_health notification handling', () => {
  it('UPSERT of a metric: the notified window is read from reconcile and saved', async () => {
    const fake = fakeContext(() => ({
      dataPoints: [
        {
          steps: {
            interval: { startTime: new Date(T).toISOString(), endTime: new Date(T + 60_000).toISOString() },
            count: '80',
          },
        },
      ],
    }));
    expect(await handleGoogleHealth(fake.context, notification('steps', 'UPSERT', T, T + HOUR))).toEqual({
      samples: 1,
      events: 0,
      scores: 0,
      skipped: 0,
    });
    expect(fake.calls).toEqual([
      {
        path: '/v4/users/me/dataTypes/steps/dataPoints:reconcile',
        query: {
          pageSize: 10_000,
          filter: `steps.interval.start_time >= "${new Date(T).toISOString()}" AND steps.interval.start_time < "${new Date(T + HOUR).toISOString()}"`,
        },
      },
    ]);
    expect(fake.saved[0]!.series[0]).toMatchObject({ series: 'steps', samples: [{ value: 80 }] });
  });

  it('UPSERT of a session reaches a day back (a night changed at its end started the evening before)', async () => {
    const point = exercisePoint({ start: T - 20 * HOUR, minutes: 60, offsetSeconds: 3600 });
    const fake = fakeContext(() => ({ dataPoints: [point] }));
    const handled = await handleGoogleHealth(
      fake.context,
      notification('exercise', 'UPSERT', T - 19 * HOUR, T),
    );
    expect(handled.events).toBe(1);
    expect(fake.calls[0]!.path).toBe('/v4/users/me/dataTypes/exercise/dataPoints');
    expect(fake.saved[0]!.events[0]).toMatchObject({ externalId: point.name, type: 'running' });
  });

  it('UPSERT of total calories is rolled up by the hour with a POST (the context must pass the call options on)', async () => {
    const fake = fakeContext(() => ({
      rollupDataPoints: [
        {
          startTime: new Date(T).toISOString(),
          endTime: new Date(T + HOUR).toISOString(),
          totalCalories: { kcalSum: 88 },
        },
      ],
    }));
    const handled = await handleGoogleHealth(
      fake.context,
      notification('total-calories', 'UPSERT', T + 600_000, T + HOUR),
    );
    expect(handled.samples).toBe(1);
    expect(fake.calls[0]).toMatchObject({
      path: '/v4/users/me/dataTypes/total-calories/dataPoints:rollUp',
      options: {
        method: 'POST',
        json: { range: { startTime: new Date(T).toISOString(), endTime: new Date(T + HOUR).toISOString() } },
      },
    });
  });

  it('a window longer than the limit is cut to its latest days; each piece stays within the unit size', async () => {
    const fake = fakeContext(() => ({ dataPoints: [] }));
    await handleGoogleHealth(fake.context, notification('weight', 'UPSERT', T - 400 * DAY, T));
    expect(fake.calls).toHaveLength(dayChunks(T - MAX_WINDOW_DAYS * DAY, T, UNIT_DAYS, 'weight').length);
    expect(fake.calls[0]!.query.filter).toContain(new Date(T - MAX_WINDOW_DAYS * DAY).toISOString());
  });

  it('DELETE of a metric cannot remove samples: the window is read again and the deletion counted as skipped', async () => {
    const fake = fakeContext(() => ({ dataPoints: [] }));
    expect(await handleGoogleHealth(fake.context, notification('weight', 'DELETE', T, T))).toMatchObject({
      skipped: 1,
    });
    expect(fake.calls).toHaveLength(1);
  });

  it('an unusable queued payload is skipped, not an error', async () => {
    const fake = fakeContext(() => ({}));
    const bad = {
      providerUserId: 'u',
      kind: 'x',
      payload: { dataType: 'steps', operation: 'UPSERT', start: 'a' },
    };
    expect(await handleGoogleHealth(fake.context, bad)).toEqual({
      samples: 0,
      events: 0,
      scores: 0,
      skipped: 1,
    });
    expect(fake.calls).toHaveLength(0);
  });

  it('DELETE of exercise: the stored workouts Google no longer lists in the window are removed, the others kept', async () => {
    const userId = await newUserId();
    const kept = exercisePoint({ start: T, minutes: 40 });
    const deleted = exercisePoint({ start: T + 2 * HOUR, minutes: 30 });
    const outside = exercisePoint({ start: T - 3 * DAY, minutes: 30 });
    const events = [kept, deleted, outside].map((p) => mapExercise(p)!);
    await savePullResult(userId, { series: [], events, scores: [] }, { identity: 'external' });
    const fake = fakeContext(() => ({ dataPoints: [kept] }), userId);
    const handled = await handleGoogleHealth(
      fake.context,
      notification('exercise', 'DELETE', T + 2 * HOUR, T + 150 * 60_000),
    );
    expect(fake.removed).toEqual([deleted.name]);
    expect(handled.events).toBe(2);
    const stored = await queryEvents(userId, 'workout', T - 5 * DAY, T + DAY, () => UNKNOWN_SOURCE);
    expect(stored.map((e) => e.externalId).sort()).toEqual([kept.name, outside.name].sort());
  });
});
