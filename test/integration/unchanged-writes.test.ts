import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listWorkouts } from '#shared/data/events.js';
import { savePullResult } from '#shared/ingest/persist.js';
import { ingestSdkPush } from '#shared/ingest/sdk-ingest.js';
import type { PullResult } from '#shared/providers/types.js';
import {
  getConnection,
  SDK_STAMP_PRECISION_MS,
  stampSynced,
  upsertConnection,
} from '#shared/store/connections.js';
import { listDataSources, saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { queryScores } from '#shared/store/health-scores.js';
import { UserGone } from '#shared/store/user-guard.js';
import { tombstoneUser } from '#shared/store/users.js';
import { sleepDetails, sourceRef } from '#test/helpers/health-data.js';
import { newUserId } from '#test/helpers/users.js';
import { kindsOf, unitsOf, useWriteMeter } from '#test/helpers/write-meter.js';

/**
 * Writes that would change nothing are not made (issue 12, cost): the sources every push names again, the
 * events and scores every live sync re-reads, and an SDK connection's stamp more often than its precision.
 */
const meter = useWriteMeter();
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const ALL = { startMs: 0, endMs: Date.UTC(2100, 0), limit: 100 };
const RECORDS = ['EVENT', 'EVENTID', 'SCORE', 'SOURCE'];
const recordKinds = (kinds: string[]) => kinds.filter((k) => RECORDS.includes(k));

const oura = sourceRef('oura', 'Oura Ring 4');
const night = Date.UTC(2026, 10, 1, 22, 0);

/** One day of a provider: a sleep and a workout (with provider ids), a readiness score, a few samples. */
const pull = (revision = 0): PullResult => ({
  series: [
    {
      source: oura,
      series: 'heart_rate',
      samples: [60, 58].map((value, i) => ({
        timestamp: night + i * 5 * MIN,
        value,
        zoneOffset: '+01:00',
        isDailyTotal: null,
      })),
    },
  ],
  events: [
    {
      category: 'sleep',
      type: 'sleep_session',
      source: oura,
      start: night,
      end: night + 7 * 60 * MIN,
      zoneOffset: '+01:00',
      durationSeconds: 7 * 3600,
      externalId: 'night-1',
      details: sleepDetails({ sleep_deep_minutes: 80 + revision, sleep_efficiency_score: 90 }),
    },
    {
      category: 'workout',
      type: 'cycling',
      source: oura,
      start: night - 60 * MIN,
      end: night - 30 * MIN,
      zoneOffset: '+01:00',
      durationSeconds: 1800,
      externalId: 'w-1',
      details: { distance: 12_000, average_speed: 6.5 },
    },
  ],
  scores: [
    {
      source: oura,
      category: 'readiness',
      value: 81 + revision,
      qualifier: null,
      recordedAt: night + 8 * 60 * MIN,
      zoneOffset: '+01:00',
      components: { hrv_balance: { value: 77, qualifier: 'good' } },
    },
  ],
});

describe('data sources', () => {
  it('a source stored as it is is not written again; a changed one is, keeping its created_at', async () => {
    const userId = await newUserId();
    const watch = sourceRef('apple', 'Watch7,1', 'Apple Watch');
    await saveDataSources(userId, [toDataSource(userId, watch)]);
    const [stored] = await listDataSources(userId);
    meter.take();

    await saveDataSources(userId, [toDataSource(userId, watch), toDataSource(userId, watch)]);
    expect(meter.take()).toEqual([]);

    const phone = sourceRef('apple', 'iPhone16,1', 'iPhone');
    await saveDataSources(userId, [
      toDataSource(userId, { ...watch, softwareVersion: '11.2' }),
      toDataSource(userId, phone),
    ]);
    expect(kindsOf(meter.take())).toEqual(['PROFILE', 'SOURCE']);
    const after = new Map((await listDataSources(userId)).map((s) => [s.key, s]));
    expect(after.get(stored!.key)).toEqual({ ...stored, software_version: '11.2' });
    expect(after.size).toBe(2);
  });

  it('for a deleted user a new source is refused (UserGone), a known one writes nothing', async () => {
    const userId = await newUserId();
    const watch = toDataSource(userId, sourceRef('apple', 'Watch7,1', 'Apple Watch'));
    await saveDataSources(userId, [watch]);
    await tombstoneUser(userId);
    meter.take();
    await expect(
      saveDataSources(userId, [toDataSource(userId, sourceRef('apple', 'iPhone16,1', 'iPhone'))]),
    ).rejects.toBeInstanceOf(UserGone);
    await saveDataSources(userId, [watch]);
    expect(meter.take()).toEqual([]);
  });
});

describe('events and scores of a repeated pull', () => {
  for (const identity of ['external', 'span'] as const) {
    it(`a pull unit repeated unchanged writes no event, score or source (${identity} identity)`, async () => {
      const userId = await newUserId();
      await savePullResult(userId, pull(), { identity });
      const first = meter.take();
      expect(recordKinds(kindsOf(first))).toEqual(RECORDS);
      const workouts = (await listWorkouts(userId, ALL)).data;

      await savePullResult(userId, pull(), { identity });
      const again = meter.take();
      // Nothing at all: no record, no chunk, and no mark on the series registry (series-journal.ts).
      expect(kindsOf(again)).toEqual([]);
      expect(unitsOf(again)).toBe(0);
      expect(recordKinds(kindsOf(first))).toEqual(RECORDS);
      expect((await listWorkouts(userId, ALL)).data).toEqual(workouts);
    });
  }

  it('a revised sleep and score are written over the stored ones; the unchanged workout is not', async () => {
    const userId = await newUserId();
    await savePullResult(userId, pull(), { identity: 'external' });
    meter.take();
    await savePullResult(userId, pull(1), { identity: 'external' });
    const writes = meter.take();
    expect(recordKinds(kindsOf(writes))).toEqual(['EVENT', 'EVENTID', 'SCORE']);
    const eventWrites = writes.filter((w) => w.kinds.includes('EVENT'));
    expect(eventWrites).toHaveLength(1);
    expect((await queryScores(userId)).map((s) => s.value)).toEqual([82]);
  });
});

describe('connection stamps', () => {
  const none = {
    provider_user_id: null,
    provider_username: null,
    scope: null,
    tokens: null,
    token_expires_at: null,
  };

  it(`an SDK connection is stamped at most every ${SDK_STAMP_PRECISION_MS / MIN} minutes`, async () => {
    const userId = await newUserId();
    await upsertConnection(userId, 'apple', none);
    const t0 = Date.UTC(2026, 11, 1, 6, 0);
    await stampSynced(userId, 'apple', iso(t0));
    meter.take();
    await stampSynced(userId, 'apple', iso(t0 + SDK_STAMP_PRECISION_MS - 1));
    expect(meter.take()).toEqual([]);
    expect((await getConnection(userId, 'apple'))?.last_synced_at).toBe(iso(t0));
    await stampSynced(userId, 'apple', iso(t0 + SDK_STAMP_PRECISION_MS));
    expect(kindsOf(meter.take())).toEqual(['CONN']);
    expect((await getConnection(userId, 'apple'))?.last_synced_at).toBe(iso(t0 + SDK_STAMP_PRECISION_MS));
  });

  it("a provider connection's stamp (the sync cursor) is written every time, to the minute", async () => {
    const userId = await newUserId();
    await upsertConnection(userId, 'oura', none);
    const t0 = Date.UTC(2026, 11, 1, 6, 0);
    await stampSynced(userId, 'oura', iso(t0));
    await stampSynced(userId, 'oura', iso(t0 + MIN));
    expect((await getConnection(userId, 'oura'))?.last_synced_at).toBe(iso(t0 + MIN));
  });

  it('a second SDK push of the same data writes neither its sources nor the connection', async () => {
    const userId = await newUserId();
    const body = JSON.parse(
      readFileSync(new URL('../fixtures/sdk/ios-example.json', import.meta.url), 'utf8'),
    ) as unknown;
    await ingestSdkPush(userId, 'apple', body);
    const first = meter.take();
    expect(kindsOf(first)).toEqual(expect.arrayContaining(['CONN', 'SOURCE']));
    await ingestSdkPush(userId, 'apple', body);
    const again = meter.take();
    expect(kindsOf(again)).not.toContain('SOURCE');
    expect(kindsOf(again)).not.toContain('CONN');
    expect(unitsOf(again)).toBeLessThan(unitsOf(first));
  });
});
