import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { listSleepSessions, listWorkouts } from '#shared/data/events.js';
import type { DomainEvent } from '#shared/delivery/types.js';
import { createUser } from '#shared/identity/users.js';
import { savePullResult } from '#shared/ingest/persist.js';
import { ingestSdkPush } from '#shared/ingest/sdk-ingest.js';
import type { SeriesType } from '#shared/model/series.js';
import { disconnect } from '#shared/oauth/connections.js';
import type { PullResult } from '#shared/providers/types.js';
import { getConnection } from '#shared/store/connections.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { recordSyncEvent } from '#shared/sync/status.js';
import { userSyncRuns } from '#shared/sync/status-read.js';
import { sleepDetails, sourceRef } from '#test/helpers/health-data.js';
import { queueDown, useEventsQueue } from './events-queue.js';

/**
 * Every write path emits its events onto the (real, local) events queue only once its data is readable: each
 * message is checked at the moment it is sent, against the store.
 */
const { emitted } = useEventsQueue(async (events) => {
  for (const event of events) sent.push({ event, readable: await readable(event) });
});
/** Each event as sent, with whether its data was readable at that moment. */
let sent: Array<{ event: DomainEvent; readable: boolean }> = [];
beforeEach(() => {
  sent = [];
});

const ALL = { startMs: 0, endMs: Date.UTC(2100, 0), limit: 100 };
const ios = () =>
  JSON.parse(readFileSync(new URL('../fixtures/sdk/ios-example.json', import.meta.url), 'utf8')) as unknown;

/** Whether the fact an event announces can be read back from the store right now. */
async function readable(event: DomainEvent): Promise<boolean> {
  const userId = event.userId!;
  const data = event.data as Record<string, unknown>;
  if (event.type === 'workout.created') {
    return (await listWorkouts(userId, ALL)).data.some((w) => w.id === data.id);
  }
  if (event.type === 'sleep.created') {
    return (await listSleepSessions(userId, { ...ALL, filterByPriority: false })).data.some(
      (s) => s.id === data.id,
    );
  }
  if (event.type === 'activity.created') {
    const day = Date.parse(`${data.date as string}T00:00:00Z`);
    const reads = await Promise.all(
      (data.series_types as SeriesType[]).map((s) => readSeriesSamples(userId, s, day, day + 86_400_000)),
    );
    return reads.every((r) => r.sources.some((s) => s.samples.length > 0));
  }
  if (event.type.startsWith('connection.')) {
    const connection = await getConnection(userId, data.provider as string);
    return connection?.status === (event.type === 'connection.created' ? 'active' : 'revoked');
  }
  if (event.type.startsWith('sync.')) {
    const stage = event.type.slice('sync.'.length);
    return (await userSyncRuns(userId, 200)).some((run) => run.run_id === data.run_id && run.stage === stage);
  }
  const samples = data.samples as Array<{ timestamp: string }>;
  const stored = await readSeriesSamples(userId, data.series_type as SeriesType, 0, Date.UTC(2100, 0));
  const times = new Set(stored.sources.flatMap((s) => s.samples.map((x) => x.timestamp)));
  return samples.every((s) => times.has(Date.parse(s.timestamp)));
}

const typesOf = (events: DomainEvent[]) => [...new Set(events.map((e) => e.type))].sort();

const pull = (): PullResult => {
  const oura = sourceRef('oura', 'Oura Ring 4');
  const start = Date.UTC(2026, 2, 1, 22, 0);
  return {
    series: [
      {
        source: oura,
        series: 'heart_rate',
        samples: [60, 58, 55].map((value, i) => ({
          timestamp: start + i * 300_000,
          value,
          zoneOffset: '+01:00',
          isDailyTotal: null,
        })),
      },
      {
        source: oura,
        series: 'steps',
        samples: [{ timestamp: start, value: 9000, zoneOffset: '+01:00', isDailyTotal: true }],
      },
    ],
    events: [
      {
        category: 'sleep',
        type: 'sleep_session',
        source: oura,
        start,
        end: start + 7 * 3_600_000,
        zoneOffset: '+01:00',
        durationSeconds: 7 * 3600,
        externalId: 'night-1',
        details: sleepDetails({ sleep_deep_minutes: 80, sleep_efficiency_score: 90 }),
      },
      {
        category: 'workout',
        type: 'cycling',
        source: oura,
        start: start - 3_600_000,
        end: start - 1_800_000,
        zoneOffset: '+01:00',
        durationSeconds: 1800,
        externalId: 'w-1',
        details: { distance: 12_000, average_speed: 6.5 },
      },
    ],
    scores: [],
  };
};

describe('emission from the write paths', () => {
  it('an SDK push emits series, activity, workout, sleep, connection and sync events once its data is readable', async () => {
    const user = await createUser({});
    await ingestSdkPush(user.id, 'apple', ios());
    const events = await emitted();
    expect(typesOf(events)).toEqual([
      'activity.created',
      'body_composition.created',
      'connection.created',
      'heart_rate.created',
      'series.heart_rate.created',
      'series.running_stride_length.created',
      'series.steps.created',
      'series.weight.created',
      'sleep.created',
      'steps.created',
      'sync.completed',
      'workout.created',
      'workout_metrics.created',
    ]);
    expect(sent.map((s) => s.event.id).sort()).toEqual(events.map((e) => e.id).sort());
    expect(sent.filter((s) => !s.readable).map((s) => s.event.type)).toEqual([]);
    expect(events.every((e) => e.userId === user.id)).toBe(true);
    const [workout] = (await listWorkouts(user.id, ALL)).data;
    expect(events.find((e) => e.type === 'workout.created')!.id).toBe(`workout.created.${workout!.id}`);
  });

  it('the same push again emits the same ids (sinks dedupe them), and no second connection.created', async () => {
    const user = await createUser({});
    await ingestSdkPush(user.id, 'apple', ios());
    const first = (await emitted()).filter(
      (e) => !e.type.startsWith('sync.') && e.type !== 'connection.created',
    );
    await ingestSdkPush(user.id, 'apple', ios());
    const second = await emitted();
    expect(second.filter((e) => e.type === 'connection.created')).toEqual([]);
    expect(second.map((e) => e.id)).toEqual(expect.arrayContaining(first.map((e) => e.id)));
  });

  it('a provider pull unit emits its series, activity, sleep and workout events once readable', async () => {
    const user = await createUser({});
    await savePullResult(user.id, pull(), { identity: 'external' });
    const events = await emitted();
    expect(typesOf(events)).toEqual([
      'activity.created',
      'heart_rate.created',
      'series.heart_rate.created',
      'series.steps.created',
      'sleep.created',
      'steps.created',
      'workout.created',
    ]);
    expect(sent.filter((s) => !s.readable).map((s) => s.event.type)).toEqual([]);
    const steps = events.find((e) => e.type === 'series.steps.created')!;
    expect(steps.data).toMatchObject({
      provider: 'oura',
      sample_count: 1,
      samples: [
        {
          value: 9000,
          unit: 'count',
          is_daily_total: true,
          source: { provider: 'oura', device: 'Oura Ring 4' },
        },
      ],
    });
    expect(events.find((e) => e.type === 'workout.created')!.data).toMatchObject({
      avg_pace_sec_per_km: 154,
    });
  });

  it('a pull unit repeated unchanged (its records not rewritten) emits only ids it emitted before', async () => {
    const user = await createUser({});
    await savePullResult(user.id, pull(), { identity: 'external' });
    const first = new Set((await emitted()).map((e) => e.id));
    await savePullResult(user.id, pull(), { identity: 'external' });
    const again = (await emitted()).map((e) => e.id);
    expect(again.filter((id) => id.startsWith('workout.') || id.startsWith('sleep.')).length).toBe(2);
    expect(again.filter((id) => !first.has(id))).toEqual([]);
  });

  it('a failed write emits nothing', async () => {
    const ghost = '00000000-0000-4000-8000-00000000dead';
    await expect(savePullResult(ghost, pull())).rejects.toThrow();
    await expect(ingestSdkPush(ghost, 'apple', ios())).rejects.toThrow();
    expect(sent).toEqual([]);
    expect(await emitted()).toEqual([]);
  });

  it('a failure to emit fails the write path; its retry emits the same ids', async () => {
    const user = await createUser({});
    await expect(
      queueDown(() => savePullResult(user.id, pull(), { identity: 'external' })),
    ).rejects.toThrow();
    const refused = sent.map((s) => s.event.id);
    expect(refused.length).toBeGreaterThan(0);
    await savePullResult(user.id, pull(), { identity: 'external' });
    expect((await emitted()).map((e) => e.id)).toEqual(refused);
  });

  it('sync status: started, completed and failed stages emit sync.* once recorded, other stages nothing', async () => {
    const user = await createUser({});
    const run = { run_id: 'run-42', user_id: user.id, provider: 'oura', source: 'pull' as const };
    await recordSyncEvent({ ...run, stage: 'queued', status: 'in_progress' });
    const started = await recordSyncEvent({ ...run, stage: 'started', status: 'in_progress' });
    await recordSyncEvent({ ...run, stage: 'fetching', status: 'in_progress' });
    const completed = await recordSyncEvent({
      ...run,
      stage: 'completed',
      status: 'success',
      items_processed: 7,
    });
    const events = await emitted();
    expect(events.map((e) => e.id)).toEqual([
      `sync.started.run-42.${started.event_id}`,
      `sync.completed.run-42.${completed.event_id}`,
    ]);
    expect(events[1]!.data).toMatchObject({ status: 'success', items_processed: 7, source: 'pull' });
    expect(sent.every((s) => s.readable)).toBe(true);
  });

  it('a disconnect emits connection.revoked once; with the queue down it still disconnects and only logs', async () => {
    const user = await createUser({});
    await ingestSdkPush(user.id, 'apple', ios());
    const created = (await emitted()).find((e) => e.type === 'connection.created')!;
    await disconnect(user.id, 'apple', { atProvider: true });
    await disconnect(user.id, 'apple', { atProvider: true });
    const revoked = await emitted();
    expect(revoked).toEqual([
      expect.objectContaining({
        type: 'connection.revoked',
        data: expect.objectContaining({
          reason: 'user_disconnected',
          connection_id: created.data.connection_id,
        }),
      }),
    ]);
    expect(sent.filter((s) => !s.readable)).toEqual([]);

    const other = await createUser({});
    await ingestSdkPush(other.id, 'apple', ios());
    await emitted();
    await expect(queueDown(() => disconnect(other.id, 'apple', { atProvider: true }))).resolves.toMatchObject(
      {
        status: 'revoked',
      },
    );
  });
});
