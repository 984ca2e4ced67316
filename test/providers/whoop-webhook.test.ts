import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TransientProviderError } from '#shared/providers/http.js';
import type { WebhookRequest } from '#shared/providers/webhook-types.js';
import { WebhookRejected } from '#shared/providers/webhook-types.js';
import { whoopModule } from '#shared/providers/whoop/index.js';
import { handleWhoopEvent, parseWhoopEvent, whoopVerify } from '#shared/providers/whoop/webhook.js';
import { signWhoopWebhook, whoopRecovery, whoopSleep, whoopWorkout } from '#test/fakes/whoop.js';
import { recordingContext } from '#test/helpers/notification-context.js';

const SECRET = 'whoop-client-secret';
const NOW = Date.UTC(2024, 0, 15, 12);
const settings = (name: string) => (name === 'WHOOP_CLIENT_SECRET' ? SECRET : undefined);

function signed(
  body: string | Buffer,
  options: { secret?: string; timestamp?: number } = {},
): WebhookRequest {
  const timestamp = String(options.timestamp ?? NOW);
  return {
    method: 'POST',
    headers: {
      'x-whoop-signature': signWhoopWebhook(options.secret ?? SECRET, timestamp, body),
      'x-whoop-signature-timestamp': timestamp,
    },
    query: {},
    body: Buffer.from(body),
    now: NOW,
  };
}

const status = (work: () => unknown): number | null => {
  try {
    work();
    return null;
  } catch (error) {
    if (!(error instanceof WebhookRejected)) throw error;
    return error.status;
  }
};

const SLEEP_ID = 'ecfc6a15-4661-442f-a9a4-f160dd7afae8';
const EVENT = { user_id: 10129, id: SLEEP_ID, type: 'sleep.updated', trace_id: 'd3c0ffee-1234' };

describe('whoop webhook verification', () => {
  it('accepts WHOOP’s signature over timestamp + raw body, within 300 s either way', () => {
    const body = JSON.stringify(EVENT);
    expect(status(() => whoopVerify(signed(body), settings))).toBeNull();
    expect(status(() => whoopVerify(signed(body, { timestamp: NOW - 300_000 }), settings))).toBeNull();
    expect(status(() => whoopVerify(signed(body, { timestamp: NOW + 300_000 }), settings))).toBeNull();
  });

  it('refuses with 401: stale or future timestamps, another key, missing headers, no secret configured', () => {
    const body = JSON.stringify(EVENT);
    expect(status(() => whoopVerify(signed(body, { timestamp: NOW - 300_001 }), settings))).toBe(401);
    expect(status(() => whoopVerify(signed(body, { timestamp: NOW + 300_001 }), settings))).toBe(401);
    expect(status(() => whoopVerify(signed(body, { secret: 'other' }), settings))).toBe(401);
    const request = signed(body);
    expect(status(() => whoopVerify({ ...request, headers: {} }, settings))).toBe(401);
    expect(
      status(() =>
        whoopVerify(
          { ...request, headers: { ...request.headers, 'x-whoop-signature-timestamp': `${NOW}.0` } },
          settings,
        ),
      ),
    ).toBe(401);
    expect(status(() => whoopVerify(request, () => undefined))).toBe(401);
    expect(status(() => whoopVerify(request, () => ''))).toBe(401);
    // The timestamp is part of what is signed: a fresh timestamp on an old signature fails.
    const replay = signed(body, { timestamp: NOW - 1000 });
    expect(
      status(() =>
        whoopVerify(
          { ...replay, headers: { ...replay.headers, 'x-whoop-signature-timestamp': String(NOW) } },
          settings,
        ),
      ),
    ).toBe(401);
  });

  it('any body and secret: the right signature passes, one flipped byte of the body fails (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        (bytes, secret, position) => {
          const body = Buffer.from(bytes);
          const keyed = (name: string) => (name === 'WHOOP_CLIENT_SECRET' ? secret : undefined);
          expect(status(() => whoopVerify(signed(body, { secret }), keyed))).toBeNull();
          const tampered = Buffer.from(body);
          const at = position % tampered.length;
          tampered[at] = tampered[at]! ^ 0xff;
          const request = signed(body, { secret });
          expect(status(() => whoopVerify({ ...request, body: tampered }, keyed))).toBe(401);
        },
      ),
    );
  });
});

describe('whoop webhook parsing', () => {
  it('one notification for the member, kind = event type, ids normalised', () => {
    expect(parseWhoopEvent({ ...EVENT, id: SLEEP_ID.toUpperCase() })).toEqual([
      {
        providerUserId: '10129',
        kind: 'sleep.updated',
        payload: { user_id: '10129', id: SLEEP_ID, type: 'sleep.updated', trace_id: 'd3c0ffee-1234' },
      },
    ]);
  });

  it('unknown event types are acknowledged without work; wrong shapes are 400', () => {
    expect(parseWhoopEvent({ ...EVENT, type: 'cycle.updated' })).toEqual([]);
    for (const body of [
      null,
      [],
      'x',
      { ...EVENT, user_id: undefined },
      { ...EVENT, user_id: -1 },
      { ...EVENT, id: 10235 },
      { ...EVENT, id: '../../v2/user/access' },
      { ...EVENT, type: undefined },
    ])
      expect(status(() => parseWhoopEvent(body))).toBe(400);
  });

  it('the module declares its webhook setting and no subscription API', () => {
    expect(whoopModule.webhook?.settings).toEqual(['WHOOP_CLIENT_SECRET']);
    expect(whoopModule.webhook?.subscriptions).toBeUndefined();
    expect(whoopModule.webhook?.challenge).toBeUndefined();
  });
});

const fakeContext = (answers: Record<string, () => unknown>) =>
  recordingContext(answers, { scope: 'offline read:workout', notFoundBody: '{"message":"Not Found"}' });

const notification = (event: object) => parseWhoopEvent(event)[0]!;
const sleep = whoopSleep({ cycleId: 93845, start: Date.UTC(2024, 0, 15, 4), durationMs: 8 * 3_600_000 });
const workout = whoopWorkout({
  start: Date.UTC(2024, 0, 15, 15),
  durationMs: 3_600_000,
  sportName: 'cycling',
});

describe('whoop webhook handling', () => {
  it('workout.updated: fetches the workout by id and saves it with its strain', async () => {
    const fake = fakeContext({ [`/v2/activity/workout/${workout.id}`]: () => workout });
    const result = await handleWhoopEvent(
      fake.context,
      notification({ user_id: 10129, id: workout.id, type: 'workout.updated' }),
    );
    expect(result).toEqual({ samples: 0, events: 1, scores: 1, skipped: 0 });
    expect(fake.saved[0]!.events[0]).toMatchObject({ externalId: workout.id, type: 'cycling' });
  });

  it('workout.updated of an unscored, vanished or other member’s workout saves nothing and counts it', async () => {
    const path = `/v2/activity/workout/${workout.id}`;
    for (const answers of [
      { [path]: () => ({ ...workout, score_state: 'PENDING_SCORE', score: undefined }) },
      { [path]: () => ({ ...workout, user_id: 999 }) },
      {},
    ]) {
      const fake = fakeContext(answers);
      const result = await handleWhoopEvent(
        fake.context,
        notification({ user_id: 10129, id: workout.id, type: 'workout.updated' }),
      );
      expect(result.skipped).toBe(1);
      expect(fake.saved).toEqual([]);
    }
  });

  it('sleep.updated: the session, its score and respiratory rate', async () => {
    const fake = fakeContext({ [`/v2/activity/sleep/${sleep.id}`]: () => sleep });
    const result = await handleWhoopEvent(fake.context, notification({ ...EVENT, id: sleep.id }));
    expect(result).toEqual({ samples: 1, events: 1, scores: 1, skipped: 0 });
    expect(fake.saved[0]!.events[0]).toMatchObject({ category: 'sleep', externalId: sleep.id });
  });

  it('recovery.updated carries the sleep id: sleep -> cycle_id -> GET /v2/cycle/{id}/recovery', async () => {
    const recovery = whoopRecovery(sleep);
    const fake = fakeContext({
      [`/v2/activity/sleep/${sleep.id}`]: () => sleep,
      '/v2/cycle/93845/recovery': () => recovery,
    });
    const result = await handleWhoopEvent(
      fake.context,
      notification({ user_id: 10129, id: sleep.id, type: 'recovery.updated' }),
    );
    expect(fake.calls).toEqual([`/v2/activity/sleep/${sleep.id}`, '/v2/cycle/93845/recovery']);
    expect(result).toEqual({ samples: 4, events: 0, scores: 1, skipped: 0 });
    expect(fake.saved[0]!.scores[0]).toMatchObject({
      category: 'recovery',
      value: recovery.score!.recovery_score,
      recordedAt: Date.parse(recovery.created_at),
      // The sleep's offset: a recovery has none of its own.
      zoneOffset: '-05:00',
    });
  });

  it('recovery.updated for a sleep without a recovery (404) is counted skipped', async () => {
    const fake = fakeContext({ [`/v2/activity/sleep/${sleep.id}`]: () => sleep });
    const result = await handleWhoopEvent(
      fake.context,
      notification({ user_id: 10129, id: sleep.id, type: 'recovery.updated' }),
    );
    expect(result.skipped).toBe(1);
    expect(fake.saved).toEqual([]);
  });

  it('deletes remove the event by WHOOP id; recovery.deleted changes nothing', async () => {
    const fake = fakeContext({});
    expect(
      await handleWhoopEvent(
        fake.context,
        notification({ user_id: 10129, id: workout.id, type: 'workout.deleted' }),
      ),
    ).toMatchObject({ events: 1 });
    expect(
      await handleWhoopEvent(
        fake.context,
        notification({ user_id: 10129, id: sleep.id, type: 'sleep.deleted' }),
      ),
    ).toMatchObject({ events: 1 });
    expect(
      await handleWhoopEvent(
        fake.context,
        notification({ user_id: 10129, id: sleep.id, type: 'recovery.deleted' }),
      ),
    ).toEqual({ samples: 0, events: 0, scores: 0, skipped: 1 });
    expect(fake.removed).toEqual([`workout:${workout.id}`, `sleep:${sleep.id}`]);
    expect(fake.calls).toEqual([]);
  });

  it('passes other provider errors on (the worker retries them)', async () => {
    const fake = fakeContext({
      [`/v2/activity/sleep/${sleep.id}`]: () => {
        throw new TransientProviderError('whoop answered 503');
      },
    });
    await expect(handleWhoopEvent(fake.context, notification({ ...EVENT, id: sleep.id }))).rejects.toThrow(
      TransientProviderError,
    );
  });
});
