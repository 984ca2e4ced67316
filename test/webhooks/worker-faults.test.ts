import { describe, expect, it } from 'vitest';
import { env } from '#shared/config/env.js';
import { ProviderGoneError, RateLimitedError, TransientProviderError } from '#shared/providers/http.js';
import { getConnection } from '#shared/store/connections.js';
import { externalEventId, newStoredEvent, queryEvents, upsertExternalEvent } from '#shared/store/events.js';
import { objectStore } from '#shared/store/objects.js';
import { loadWebhook, newTraceId, storeWebhook, webhookBodiesEnv } from '#shared/webhooks/message.js';
import {
  DEADLINE_MARGIN_MS,
  handleWebhookMessage,
  MAX_ATTEMPTS,
  MAX_DEFERRAL_MS,
} from '#shared/webhooks/worker.js';
import { newUserId } from '#test/helpers/users.js';
import { useWebhookWorker } from '#test/helpers/webhook-worker.js';

/**
 * The worker's limits, each forced: the invocation's deadline, the retry and deferral bounds, a body kept in the
 * bucket, and two revisions of one event written at the same time.
 */
const { drain, strava, activity, deps, connect, stravaEvent, workouts } = useWebhookWorker();

let athlete = 700_000;
const nextAthlete = () => ++athlete;

describe('the invocation deadline', () => {
  it('hands the users it has no time for to a new message, without counting an attempt', async () => {
    const owner = nextAthlete();
    const [first, second] = [await connect('strava', String(owner)), await connect('strava', String(owner))];
    strava.activities.set('8001', activity(8001, owner, '2026-11-20T07:00:00Z'));
    let calls = 0;
    // Time for one (notification, user), then the margin is reached.
    const remainingMs = () => (calls++ === 0 ? 10 * DEADLINE_MARGIN_MS : DEADLINE_MARGIN_MS - 1);
    await handleWebhookMessage(stravaEvent(8001, owner, 'create'), deps, remainingMs);
    const handled = [(await workouts(first)).length, (await workouts(second)).length];
    expect(handled.sort()).toEqual([0, 1]);

    const [rest, ...none] = await drain('webhookStrava');
    expect(none).toEqual([]);
    expect(rest).toMatchObject({ form: 'pending', attempt: 0 });
    await handleWebhookMessage(rest!, deps);
    expect((await workouts(first)).length + (await workouts(second)).length).toBe(2);
  });
});

describe('bounds', () => {
  it(`after ${MAX_ATTEMPTS} re-queues the message itself fails (SQS retries, then dead-letters it)`, async () => {
    const owner = nextAthlete();
    const [, second] = [await connect('strava', String(owner)), await connect('strava', String(owner))];
    strava.activities.set('8002', activity(8002, owner, '2026-11-21T07:00:00Z'));
    strava.fail.set(second, new TransientProviderError('Strava answered 503'));
    const tired = { ...stravaEvent(8002, owner, 'create'), attempt: MAX_ATTEMPTS };
    await expect(handleWebhookMessage(tired, deps)).rejects.toThrow('503');
    expect(await drain('webhookStrava')).toEqual([]);
    strava.fail.delete(second);
  });

  it('a notification rate limited for longer than the deferral bound fails instead of waiting again', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.fail.set(userId, new RateLimitedError(Date.now() + 60_000));
    const old = { ...stravaEvent(8003, owner, 'create'), received_at: Date.now() - MAX_DEFERRAL_MS - 1 };
    await expect(handleWebhookMessage(old, deps)).rejects.toThrow(/rate limited/);
    expect(await drain('webhookStrava')).toEqual([]);
    strava.fail.delete(userId);
  });
});

describe('a provider API that is gone', () => {
  it('a 410 while handling revokes the connection with the reason, as the sync worker does', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.fail.set(userId, new ProviderGoneError(410, '{"message":"Gone"}'));
    await handleWebhookMessage(stravaEvent(8004, owner, 'create'), deps);
    const connection = await getConnection(userId, 'strava');
    expect(connection).toMatchObject({
      status: 'revoked',
      tokens: null,
      status_reason: 'strava answered 410 Gone: its API is no longer available',
    });
    expect(await drain('webhookStrava')).toEqual([]);
    strava.fail.delete(userId);
  });
});

describe('a body kept in the bucket', () => {
  it('is loaded for the worker and removed once handled', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.activities.set('8004', activity(8004, owner, '2026-11-22T07:00:00Z'));
    const event = JSON.parse(stravaEvent(8004, owner, 'create').content!);
    // Valid JSON padded past the inline limit (whitespace is insignificant).
    const content = JSON.stringify(event).replace('{', `{${' '.repeat(250_000)}`);
    await storeWebhook(
      {
        provider: 'strava',
        trace_id: newTraceId(),
        received_at: Date.now(),
        form: 'raw',
        attempt: 0,
        deferrals: 0,
      },
      content,
    );
    const [message] = await drain('webhookStrava');
    expect(message!.object_key).toBeDefined();
    expect(await loadWebhook(message!)).toBe(content);
    await handleWebhookMessage(message!, deps);
    expect(await workouts(userId)).toHaveLength(1);
    const bucket = env(webhookBodiesEnv).WEBHOOK_BODIES_BUCKET;
    expect(await objectStore().get(bucket, message!.object_key!)).toBeUndefined();
    // Redelivered after it was handled: the body is gone, nothing happens, nothing fails.
    await handleWebhookMessage(message!, deps);
    expect(await workouts(userId)).toHaveLength(1);
  });
});

describe('two revisions of one event at once', () => {
  it('leave exactly one event, whichever wins (no orphan under the loser’s start)', async () => {
    const userId = await newUserId();
    const source = {
      provider: 'strava' as const,
      deviceModel: null,
      sourceName: 'Strava',
      softwareVersion: null,
      originalSourceName: null,
    };
    const revision = (start: number) => {
      const stored = newStoredEvent(userId, 'strava-source', {
        category: 'workout',
        type: 'running',
        source,
        start,
        end: start + 3_600_000,
        zoneOffset: null,
        durationSeconds: 3600,
        externalId: '424242',
        details: {},
      });
      return { ...stored, id: externalEventId(userId, 'strava', 'workout', '424242') };
    };
    const base = Date.parse('2026-11-23T07:00:00Z');
    for (let round = 0; round < 10; round++) {
      await Promise.all([
        upsertExternalEvent(revision(base + round * 60_000)),
        upsertExternalEvent(revision(base + round * 60_000 + 30_000)),
      ]);
      const stored = await queryEvents(userId, 'workout', 0, Date.parse('2100-01-01'), () => source);
      expect(stored, `round ${round}`).toHaveLength(1);
    }
  });
});
