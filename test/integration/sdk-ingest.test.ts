import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listSleepSessions, listWorkouts } from '#shared/data/events.js';
import { createUser } from '#shared/identity/users.js';
import { ingestSdkPush } from '#shared/ingest/sdk-ingest.js';
import { finaliseStaleSleep } from '#shared/ingest/sleep-sessions.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { listUserSeries } from '#shared/store/series-registry.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/sdk/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
const ios = () => fixture('ios-example');
const ALL_TIME = { startMs: 0, endMs: Date.UTC(2100, 0), limit: 100 };

async function sleepOf(userId: string) {
  return (await listSleepSessions(userId, { ...ALL_TIME, filterByPriority: false })).data;
}

/** A night of the iOS example split into `parts` pushes (each with only its sleep segments). */
function sleepBatches(order: number[][]) {
  const segments = (ios().data as { sleep: unknown[] }).sleep;
  return order.map((indexes) => ({
    ...ios(),
    data: { records: [], workouts: [], sleep: indexes.map((i) => segments[i]) },
  }));
}

describe('SDK push persistence', () => {
  it('stores the contract 6.5 example with its stated effect', async () => {
    const user = await createUser({});
    const counts = await ingestSdkPush(user.id, 'apple', ios());
    expect(counts).toEqual({ records_saved: 4, workouts_saved: 1, sleep_saved: 5, dropped_count: 0 });

    const series = (await listUserSeries(user.id)).map((s) => s.series).sort();
    expect(series).toEqual(['heart_rate', 'running_stride_length', 'steps', 'weight']);
    const hr = await readSeriesSamples(user.id, 'heart_rate', 0, Date.UTC(2100, 0));
    expect(hr.sources.flatMap((s) => s.samples)).toEqual([
      { timestamp: Date.parse('2026-03-02T06:58:10Z'), value: 58, zoneOffset: null, isDailyTotal: null },
    ]);

    const [workout] = (await listWorkouts(user.id, ALL_TIME)).data;
    expect(workout).toMatchObject({
      type: 'running',
      duration_seconds: 2849,
      calories_kcal: 574.1,
      distance_meters: 8123.4,
      avg_heart_rate_bpm: 152,
      max_heart_rate_bpm: 178,
      elevation_gain_meters: 48,
      source: { provider: 'apple', device: 'Watch7,1', device_type: 'watch' },
    });

    const [night] = await sleepOf(user.id);
    expect(night).toMatchObject({
      start_time: '2026-03-01T22:55:00Z',
      end_time: '2026-03-02T01:16:00Z',
      zone_offset: '+01:00',
      stages: { light_minutes: 45, deep_minutes: 55, rem_minutes: 35, awake_minutes: 6 },
      is_nap: false,
    });
    expect(night?.efficiency_percent).toBeCloseTo(30.4, 1);
  });

  it('is idempotent: the same payload again changes nothing', async () => {
    const user = await createUser({});
    await ingestSdkPush(user.id, 'apple', ios());
    const before = { sleep: await sleepOf(user.id), workouts: (await listWorkouts(user.id, ALL_TIME)).data };
    const again = await ingestSdkPush(user.id, 'apple', ios());
    expect(again.workouts_saved).toBe(0);
    expect(await sleepOf(user.id)).toEqual(before.sleep);
    expect((await listWorkouts(user.id, ALL_TIME)).data).toEqual(before.workouts);
    expect((await listUserSeries(user.id)).map((s) => s.count)).toEqual([1, 1, 1, 1]);
  });

  it('assembles one night across pushes, in any order, with re-deliveries', async () => {
    const single = await createUser({});
    await ingestSdkPush(single.id, 'apple', sleepBatches([[0, 1, 2, 3, 4]])[0]!);
    const expected = await sleepOf(single.id);

    for (const order of [
      [
        [0, 1],
        [2, 3, 4],
      ],
      [[3, 4], [0], [1, 2]],
      [[4], [2, 3], [0, 1], [2, 3]],
    ]) {
      const user = await createUser({});
      for (const batch of sleepBatches(order)) await ingestSdkPush(user.id, 'apple', batch);
      const nights = await sleepOf(user.id);
      expect(nights).toHaveLength(1);
      expect({ ...nights[0], id: undefined }).toEqual({ ...expected[0], id: undefined });
    }
  });

  it('keeps a night open while it may continue, and the scheduled finaliser closes it later', async () => {
    const user = await createUser({});
    const now = Date.now();
    const recent = (minutesAgoStart: number, minutesAgoEnd: number, stage: string) => ({
      stage,
      startDate: new Date(now - minutesAgoStart * 60_000).toISOString(),
      endDate: new Date(now - minutesAgoEnd * 60_000).toISOString(),
      source: { appId: 'com.apple.health', deviceModel: 'Watch7,1' },
    });
    const payload = { ...ios(), data: { sleep: [recent(300, 200, 'light'), recent(200, 30, 'deep')] } };
    await ingestSdkPush(user.id, 'apple', payload);
    expect(await sleepOf(user.id)).toEqual([]);
    // The finaliser's time budget (it stops early past it): generous, yet below this test's timeout.
    await finaliseStaleSleep(now + 3 * 3_600_000, Date.now() + 20_000);
    const nights = await sleepOf(user.id);
    expect(nights).toHaveLength(1);
    expect(nights[0]?.stages).toMatchObject({ light_minutes: 100, deep_minutes: 170 });
  });

  it('loses nothing and duplicates nothing under 10 concurrent pushes to the same hour', async () => {
    const user = await createUser({});
    const base = Date.parse('2026-03-02T06:00:00Z');
    const record = (i: number) => ({
      type: 'HKQuantityTypeIdentifierHeartRate',
      startDate: new Date(base + i * 5000).toISOString(),
      endDate: new Date(base + i * 5000).toISOString(),
      value: 60 + (i % 40),
      unit: 'bpm',
      source: { appId: 'com.apple.health', deviceModel: 'Watch7,1' },
    });
    const pushes = Array.from({ length: 10 }, (_, p) => ({
      ...ios(),
      data: { records: Array.from({ length: 100 }, (_, i) => record(p * 50 + i)) },
    }));
    await Promise.all(pushes.map((payload) => ingestSdkPush(user.id, 'apple', payload)));
    const { sources } = await readSeriesSamples(user.id, 'heart_rate', base, base + 3_600_000);
    const timestamps = sources.flatMap((s) => s.samples.map((x) => x.timestamp));
    expect(new Set(timestamps).size).toBe(550);
    expect(timestamps).toHaveLength(550);
    expect((await listUserSeries(user.id))[0]?.count).toBe(550);
  });

  it('drops bad records, counts them, and keeps the good ones', async () => {
    const user = await createUser({});
    const counts = await ingestSdkPush(user.id, 'apple', fixture('bad-records'));
    expect(counts.dropped_count).toBeGreaterThan(0);
    expect(counts.records_saved).toBeGreaterThan(0);
  });
});

describe('SDK provider connection', () => {
  it('a push creates an active, tokenless connection for the SDK provider and stamps last_synced_at', async () => {
    const { getConnection } = await import('#shared/store/connections.js');
    const user = await createUser({});
    await ingestSdkPush(user.id, 'apple', ios());
    const connection = await getConnection(user.id, 'apple');
    expect(connection).toMatchObject({ provider: 'apple', status: 'active', tokens: null });
    expect(connection?.last_synced_at).not.toBeNull();
  });
});
