import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { activitySummaries } from '#shared/data/summaries/activity.js';
import { bodySummary } from '#shared/data/summaries/body.js';
import { dataSummary } from '#shared/data/summaries/data.js';
import { recoverySummaries } from '#shared/data/summaries/recovery.js';
import { sleepSummaries } from '#shared/data/summaries/sleep.js';
import type {
  HealthScore,
  Sample,
  SleepDetails,
  SourceRef,
  StageInterval,
} from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { type DataSourceRecord, saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { insertEvent, newStoredEvent } from '#shared/store/events.js';
import { saveScores, toStoredScore } from '#shared/store/health-scores.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';
import { sleepDetails, sourceRef } from '#test/helpers/health-data.js';
import { statusOf } from '#test/helpers/status.js';
import { newUserId } from '#test/helpers/users.js';

const t = (iso: string) => Date.parse(iso);
const WATCH = sourceRef('apple', 'Watch7,1', 'Apple Watch');
const PHONE = sourceRef('apple', 'iPhone15,2', 'iPhone');
const GARMIN = sourceRef('garmin', 'Forerunner 255', null);
const WHOOP = sourceRef('whoop', 'WHOOP 4.0', null);
const SCALE = sourceRef('apple', 'Body+', 'Health Mate');
const CUFF = sourceRef('apple', null, 'OMRON connect');

const WATCH_META = {
  provider: 'apple',
  source: 'Apple Watch',
  device: 'Watch7,1',
  device_type: 'watch',
  device_name: 'Apple Watch Series 9',
};
const PHONE_META = {
  provider: 'apple',
  source: 'iPhone',
  device: 'iPhone15,2',
  device_type: 'phone',
  device_name: 'iPhone 14 Pro',
};
const GARMIN_META = {
  provider: 'garmin',
  source: null,
  device: 'Forerunner 255',
  device_type: 'watch',
  device_name: 'Forerunner 255',
};
const WHOOP_META = {
  provider: 'whoop',
  source: null,
  device: 'WHOOP 4.0',
  device_type: 'band',
  device_name: 'WHOOP 4.0',
};

/** Registers the sources of a user and returns a writer bound to each. */
async function sourcesOf(userId: string, refs: SourceRef[]) {
  const records = refs.map((r) => toDataSource(userId, r));
  await saveDataSources(userId, records);
  return records;
}

const write = (userId: string, source: DataSourceRecord, series: SeriesType, samples: Sample[]) =>
  writeSeriesSamples(userId, source.key, series, samples);

const at = (
  iso: string,
  value: number,
  zoneOffset: string | null = '+01:00',
  isDailyTotal: boolean | null = false,
) => ({
  timestamp: t(iso),
  value,
  zoneOffset,
  isDailyTotal,
});
const perMinute = (
  iso: string,
  values: number[],
  zoneOffset: string | null = '+01:00',
  flag: boolean | null = false,
) => values.map((value, i) => ({ timestamp: t(iso) + i * 60_000, value, zoneOffset, isDailyTotal: flag }));

async function workout(
  userId: string,
  source: DataSourceRecord,
  refOf: SourceRef,
  type: string,
  start: string,
  end: string,
  elevation: number | null,
) {
  await insertEvent(
    newStoredEvent(userId, source.key, {
      category: 'workout',
      type,
      source: refOf,
      start: t(start),
      end: t(end),
      zoneOffset: '+01:00',
      durationSeconds: (t(end) - t(start)) / 1000,
      externalId: null,
      details: { total_elevation_gain: elevation },
    }),
  );
}

async function sleep(
  userId: string,
  source: DataSourceRecord,
  refOf: SourceRef,
  start: string,
  end: string,
  zoneOffset: string | null,
  details: Partial<SleepDetails>,
) {
  await insertEvent(
    newStoredEvent(userId, source.key, {
      category: 'sleep',
      type: 'sleep_session',
      source: refOf,
      start: t(start),
      end: t(end),
      zoneOffset,
      durationSeconds: (t(end) - t(start)) / 1000,
      externalId: null,
      details: sleepDetails(details),
    }),
  );
}

/**
 * Three local days in +01:00. An Apple Watch and an iPhone both count steps on the 10th and 11th (the watch wins
 * both days), the phone alone on the 12th; the 13th is outside the queried range.
 */
async function seedActivity(userId: string) {
  const [watch, phone] = await sourcesOf(userId, [WATCH, PHONE]);
  // 10th, 08:00-08:09 local
  await write(userId, watch!, 'steps', [
    ...perMinute('2025-03-10T07:00:00Z', [40, 35, 50, 5, 0, 12, 100, 31, 29, 60]),
    // 00:30 on the 11th locally, though the 10th in UTC
    at('2025-03-10T23:30:00Z', 45),
    at('2025-03-11T09:00:00Z', 20),
  ]);
  await write(
    userId,
    watch!,
    'heart_rate',
    perMinute('2025-03-10T07:00:00Z', [100, 130, 160, 90, 85, 96, 150, 140, 123, 110], '+01:00', null),
  );
  await write(userId, watch!, 'energy', [
    at('2025-03-10T07:00:00Z', 12.5),
    at('2025-03-10T07:05:00Z', 20.25),
  ]);
  await write(userId, watch!, 'basal_energy', [
    at('2025-03-09T23:00:00Z', 1600, '+01:00', true),
    at('2025-03-10T07:00:00Z', 50),
  ]);
  await write(userId, watch!, 'distance_walking_running', [
    at('2025-03-09T23:00:00Z', 2500.5, '+01:00', true),
    at('2025-03-10T07:00:00Z', 300),
  ]);
  await write(userId, watch!, 'flights_climbed', [
    at('2025-03-11T10:00:00Z', 3),
    at('2025-03-11T11:00:00Z', 4),
  ]);
  await write(userId, watch!, 'active_time', [at('2025-03-10T23:00:00Z', 55, '+01:00', true)]);
  await workout(userId, watch!, WATCH, 'running', '2025-03-10T16:00:00Z', '2025-03-10T16:45:00Z', 45.5);
  await workout(userId, watch!, WATCH, 'hiking', '2025-03-11T12:00:00Z', '2025-03-11T14:00:00Z', 20);
  await write(userId, phone!, 'steps', [
    at('2025-03-10T07:00:00Z', 500),
    at('2025-03-11T09:00:00Z', 700),
    at('2025-03-12T10:00:00Z', 800),
    at('2025-03-13T10:00:00Z', 900),
  ]);
  return { watch: watch!, phone: phone! };
}

const ACTIVITY_DAYS = [
  {
    date: '2025-03-10',
    source: WATCH_META,
    steps: 362,
    distance_meters: 2500.5,
    floors_climbed: 15,
    elevation_meters: 45.5,
    active_calories_kcal: 32.75,
    total_calories_kcal: 1632.75,
    active_minutes: 6,
    // ten minutes with steps, six of them active
    sedentary_minutes: 4,
    intensity_minutes: { light: 3, moderate: 3, vigorous: 2 },
    heart_rate: { avg_bpm: 118, max_bpm: 160, min_bpm: 85 },
  },
  {
    date: '2025-03-11',
    source: WATCH_META,
    steps: 65,
    distance_meters: null,
    floors_climbed: 7,
    elevation_meters: 20,
    active_calories_kcal: null,
    total_calories_kcal: null,
    active_minutes: 55,
    // two minutes with steps (23:30Z and 09:00Z), one of them active
    sedentary_minutes: 1,
    intensity_minutes: null,
    heart_rate: null,
  },
  {
    date: '2025-03-12',
    source: PHONE_META,
    steps: 800,
    distance_meters: null,
    floors_climbed: null,
    elevation_meters: null,
    active_calories_kcal: null,
    total_calories_kcal: null,
    active_minutes: 1,
    sedentary_minutes: 0,
    intensity_minutes: null,
    heart_rate: null,
  },
];

/** Walks next cursors from the first page; returns every page. */
async function walk<P extends { pagination: { next_cursor: string | null } }>(
  fetch: (cursor: string | undefined) => Promise<P>,
): Promise<P[]> {
  const pages: P[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await fetch(cursor);
    pages.push(page);
    if (!page.pagination.next_cursor) break;
    cursor = page.pagination.next_cursor;
  }
  return pages;
}

describe('activity summaries', () => {
  const range = { startMs: t('2025-03-10T00:00:00Z'), endMs: t('2025-03-13T00:00:00Z') };

  it('one row per local day from the best source, full JSON', async () => {
    const userId = await newUserId();
    await seedActivity(userId);
    expect(await activitySummaries(userId, { ...range, limit: 50, sortOrder: 'asc' })).toEqual({
      data: ACTIVITY_DAYS,
      pagination: { next_cursor: null, previous_cursor: null, has_more: false, total_count: null },
      metadata: {
        resolution: null,
        sample_count: 3,
        start_time: '2025-03-10T00:00:00Z',
        end_time: '2025-03-13T00:00:00Z',
      },
    });
  });

  it('empty: no data, no more', async () => {
    expect(await activitySummaries(randomUUID(), { ...range, limit: 50, sortOrder: 'asc' })).toMatchObject({
      data: [],
      pagination: { next_cursor: null, previous_cursor: null, has_more: false, total_count: null },
      metadata: { sample_count: 0 },
    });
  });

  it('cursor walks return every day exactly once, in either order, and page back', async () => {
    const userId = await newUserId();
    await seedActivity(userId);
    for (const sortOrder of ['asc', 'desc'] as const) {
      const pages = await walk((cursor) =>
        activitySummaries(userId, { ...range, cursor, limit: 1, sortOrder }),
      );
      const dates = pages.flatMap((p) => p.data.map((d) => d.date));
      const expected = ACTIVITY_DAYS.map((d) => d.date);
      expect(dates).toEqual(sortOrder === 'asc' ? expected : expected.reverse());
      expect(pages.map((p) => p.pagination.has_more)).toEqual([true, true, false]);
      expect(pages[0]!.pagination.previous_cursor).toBeNull();
      const back = await activitySummaries(userId, {
        ...range,
        cursor: pages[2]!.pagination.previous_cursor!,
        limit: 2,
        sortOrder,
      });
      expect(back.data.map((d) => d.date)).toEqual(dates.slice(0, 2));
    }
    const two = await walk((cursor) =>
      activitySummaries(userId, { ...range, cursor, limit: 2, sortOrder: 'asc' }),
    );
    expect(two.map((p) => p.data.length)).toEqual([2, 1]);
  });

  it('a malformed cursor is a 400', async () => {
    expect(
      await statusOf(
        activitySummaries(randomUUID(), { ...range, cursor: 'nope', limit: 5, sortOrder: 'asc' }),
      ),
    ).toBe(400);
  });
});

const stage = (s: StageInterval['stage'], start: string, end: string): StageInterval => ({
  stage: s,
  start: t(start),
  end: t(end),
});

/**
 * Night to the 11th: Apple Watch and Garmin both recorded it (Apple wins by provider priority), plus an Apple nap.
 * Night to the 12th: Garmin only. Physiological samples come from both sources.
 */
async function seedNights(userId: string) {
  const [watch, garmin, whoop] = await sourcesOf(userId, [WATCH, GARMIN, WHOOP]);
  await sleep(userId, watch!, WATCH, '2025-03-10T22:30:00Z', '2025-03-11T06:00:00Z', '+01:00', {
    sleep_total_duration_minutes: 420,
    sleep_time_in_bed_minutes: 450,
    sleep_efficiency_score: 92,
    sleep_deep_minutes: 80,
    sleep_light_minutes: 240,
    sleep_rem_minutes: 100,
    sleep_awake_minutes: 30,
    sleep_stages: [
      stage('light', '2025-03-10T22:30:00Z', '2025-03-11T01:00:00Z'),
      stage('awake', '2025-03-11T01:00:00Z', '2025-03-11T01:10:00Z'),
      stage('deep', '2025-03-11T01:10:00Z', '2025-03-11T03:00:00Z'),
      stage('rem', '2025-03-11T03:00:00Z', '2025-03-11T06:00:00Z'),
    ],
  });
  await sleep(userId, watch!, WATCH, '2025-03-11T13:00:00Z', '2025-03-11T13:30:00Z', '+01:00', {
    sleep_total_duration_minutes: 25,
    is_nap: true,
  });
  await sleep(userId, garmin!, GARMIN, '2025-03-10T22:45:00Z', '2025-03-11T06:10:00Z', '+01:00', {
    sleep_total_duration_minutes: 400,
    sleep_efficiency_score: 85,
  });
  await sleep(userId, garmin!, GARMIN, '2025-03-11T23:00:00Z', '2025-03-12T06:00:00Z', null, {
    sleep_total_duration_minutes: 380,
    sleep_efficiency_score: 88,
  });
  await write(userId, garmin!, 'heart_rate', [
    at('2025-03-11T00:00:00Z', 55, null, null),
    at('2025-03-11T02:00:00Z', 52, null, null),
    at('2025-03-11T04:00:00Z', 61, null, null),
    at('2025-03-11T07:00:00Z', 90, null, null), // after the night
    at('2025-03-12T01:00:00Z', 58, null, null),
  ]);
  await write(userId, watch!, 'heart_rate_variability_sdnn', [
    at('2025-03-11T03:00:00Z', 45.25, '+01:00', null),
    at('2025-03-11T05:00:00Z', 50.5, '+01:00', null),
  ]);
  await write(userId, watch!, 'respiratory_rate', [
    at('2025-03-11T02:00:00Z', 14.2, '+01:00', null),
    at('2025-03-11T04:00:00Z', 15, '+01:00', null),
  ]);
  await write(userId, watch!, 'oxygen_saturation', [
    at('2025-03-11T02:00:00Z', 96, '+01:00', null),
    at('2025-03-11T04:00:00Z', 97, '+01:00', null),
  ]);
  return { watch: watch!, garmin: garmin!, whoop: whoop! };
}

const SLEEP_DAYS = [
  {
    date: '2025-03-11',
    source: WATCH_META,
    start_time: '2025-03-10T22:30:00Z',
    end_time: '2025-03-11T06:00:00Z',
    zone_offset: '+01:00',
    duration_minutes: 420,
    total_duration_minutes: 445,
    time_in_bed_minutes: 450,
    efficiency_percent: 92,
    stages: { awake_minutes: 30, light_minutes: 240, deep_minutes: 80, rem_minutes: 100 },
    interruptions_count: 1,
    nap_count: 1,
    nap_duration_minutes: 25,
    sessions: [
      {
        start_time: '2025-03-10T22:30:00Z',
        end_time: '2025-03-11T06:00:00Z',
        zone_offset: '+01:00',
        duration_minutes: 420,
        is_nap: false,
      },
      {
        start_time: '2025-03-11T13:00:00Z',
        end_time: '2025-03-11T13:30:00Z',
        zone_offset: '+01:00',
        duration_minutes: 25,
        is_nap: true,
      },
    ],
    avg_heart_rate_bpm: 56,
    avg_hrv_sdnn_ms: 47.9,
    avg_hrv_rmssd_ms: null,
    avg_respiratory_rate: 14.6,
    avg_spo2_percent: 96.5,
  },
  {
    date: '2025-03-12',
    source: GARMIN_META,
    start_time: '2025-03-11T23:00:00Z',
    end_time: '2025-03-12T06:00:00Z',
    zone_offset: null,
    duration_minutes: 380,
    total_duration_minutes: 380,
    time_in_bed_minutes: 420,
    efficiency_percent: 88,
    stages: null,
    interruptions_count: null,
    nap_count: 0,
    nap_duration_minutes: 0,
    sessions: [
      {
        start_time: '2025-03-11T23:00:00Z',
        end_time: '2025-03-12T06:00:00Z',
        zone_offset: null,
        duration_minutes: 380,
        is_nap: false,
      },
    ],
    avg_heart_rate_bpm: 58,
    avg_hrv_sdnn_ms: null,
    avg_hrv_rmssd_ms: null,
    avg_respiratory_rate: null,
    avg_spo2_percent: null,
  },
];

describe('sleep summaries', () => {
  const range = { startMs: t('2025-03-10T00:00:00Z'), endMs: t('2025-03-13T00:00:00Z') };

  it('per wake-up date, the best source only, full JSON', async () => {
    const userId = await newUserId();
    await seedNights(userId);
    expect(await sleepSummaries(userId, { ...range, limit: 50 })).toEqual({
      data: SLEEP_DAYS,
      pagination: { next_cursor: null, previous_cursor: null, has_more: false, total_count: null },
      metadata: {
        resolution: null,
        sample_count: 2,
        start_time: '2025-03-10T00:00:00Z',
        end_time: '2025-03-13T00:00:00Z',
      },
    });
  });

  it('priority is applied before paging: limit 1 walks each night once with an exact has_more', async () => {
    const userId = await newUserId();
    await seedNights(userId);
    const pages = await walk((cursor) => sleepSummaries(userId, { ...range, cursor, limit: 1 }));
    expect(pages.map((p) => p.data.map((d) => [d.date, d.source.provider]))).toEqual([
      [['2025-03-11', 'apple']],
      [['2025-03-12', 'garmin']],
    ]);
    expect(pages.map((p) => p.pagination.has_more)).toEqual([true, false]);
  });

  it('the end date is exclusive', async () => {
    const userId = await newUserId();
    await seedNights(userId);
    const result = await sleepSummaries(userId, {
      startMs: range.startMs,
      endMs: t('2025-03-12T00:00:00Z'),
      limit: 50,
    });
    expect(result.data.map((d) => d.date)).toEqual(['2025-03-11']);
  });
});

const score = (
  source: SourceRef,
  iso: string,
  value: number | null,
  components: HealthScore['components'],
  zoneOffset: string | null = null,
  category: HealthScore['category'] = 'recovery',
): HealthScore => ({
  source,
  category,
  value,
  qualifier: null,
  recordedAt: t(iso),
  zoneOffset,
  components,
});

describe('recovery summaries', () => {
  const range = { startMs: t('2025-03-10T00:00:00Z'), endMs: t('2025-03-14T00:00:00Z') };

  async function seed() {
    const userId = await newUserId();
    const { whoop } = await seedNights(userId);
    await saveScores(
      userId,
      [
        score(
          WHOOP,
          '2025-03-11T07:00:00Z',
          67.8,
          {
            resting_heart_rate: { value: 52.4 },
            hrv_rmssd_milli: { value: 65.3 },
            spo2_percentage: { value: 96.2 },
          },
          '+01:00',
        ),
        score(WHOOP, '2025-03-12T05:00:00Z', 10, null),
        score(WHOOP, '2025-03-12T07:30:00Z', 81, {
          hrv_sdnn: { value: 61.2 },
          resting_heart_rate: { value: 49 },
        }),
        score(WHOOP, '2025-03-12T08:00:00Z', 14.2, null, null, 'strain'),
        score(WHOOP, '2025-03-13T07:00:00Z', 55.5, null),
        score(WHOOP, '2025-03-14T07:00:00Z', 90, null), // after the range
      ].map((s) => toStoredScore(userId, whoop.key, s)),
    );
    return userId;
  }

  const DAYS = [
    {
      date: '2025-03-11',
      source: WHOOP_META,
      // Whoop recorded no night: the best source's (Apple) main session
      sleep_duration_seconds: 25_200,
      sleep_efficiency_percent: 92,
      resting_heart_rate_bpm: 52,
      // no SDNN component: the day's SDNN samples, never the RMSSD component
      avg_hrv_sdnn_ms: 47.9,
      avg_spo2_percent: 96.2,
      recovery_score: 67,
    },
    {
      date: '2025-03-12',
      source: WHOOP_META,
      sleep_duration_seconds: 22_800,
      sleep_efficiency_percent: 88,
      resting_heart_rate_bpm: 49,
      avg_hrv_sdnn_ms: 61.2,
      avg_spo2_percent: null,
      recovery_score: 81,
    },
    {
      date: '2025-03-13',
      source: WHOOP_META,
      sleep_duration_seconds: null,
      sleep_efficiency_percent: null,
      resting_heart_rate_bpm: null,
      avg_hrv_sdnn_ms: null,
      avg_spo2_percent: null,
      recovery_score: 55,
    },
  ];

  it('scores in range, one per date, ascending, full JSON', async () => {
    const userId = await seed();
    expect(await recoverySummaries(userId, { ...range, limit: 50 })).toEqual({
      data: DAYS,
      pagination: { next_cursor: null, previous_cursor: null, has_more: false, total_count: null },
      metadata: {
        resolution: null,
        sample_count: 3,
        start_time: '2025-03-10T00:00:00Z',
        end_time: '2025-03-14T00:00:00Z',
      },
    });
  });

  it('limit with has_more and next_cursor; the walk returns each date once', async () => {
    const userId = await seed();
    const first = await recoverySummaries(userId, { ...range, limit: 2 });
    expect(first.pagination.has_more).toBe(true);
    expect(first.pagination.next_cursor).toEqual(expect.any(String));
    const pages = await walk((cursor) => recoverySummaries(userId, { ...range, cursor, limit: 1 }));
    expect(pages.flatMap((p) => p.data)).toEqual(DAYS);
  });

  it('empty range', async () => {
    const userId = await seed();
    const result = await recoverySummaries(userId, {
      startMs: t('2025-01-01T00:00:00Z'),
      endMs: t('2025-02-01T00:00:00Z'),
      limit: 50,
    });
    expect(result.data).toEqual([]);
    expect(result.pagination.has_more).toBe(false);
  });
});

describe('body summary', () => {
  const now = t('2025-03-15T12:00:00Z');

  async function seed() {
    const userId = await newUserId();
    const [scale, phone, watch, cuff] = await sourcesOf(userId, [SCALE, PHONE, WATCH, CUFF]);
    await write(userId, scale!, 'weight', [
      at('2025-03-01T07:00:00Z', 80, null, null),
      at('2025-03-14T07:00:00Z', 79.4, null, null),
      at('2025-03-16T07:00:00Z', 99, null, null), // after `now`
    ]);
    await write(userId, phone!, 'height', [at('2024-06-01T10:00:00Z', 180, null, null)]);
    await write(userId, scale!, 'body_fat_percentage', [at('2025-03-14T07:00:05Z', 18.5, null, null)]);
    await write(userId, watch!, 'resting_heart_rate', [
      at('2025-03-07T12:00:00Z', 70, null, null), // before the 7-day period
      at('2025-03-09T12:00:00Z', 55, null, null),
      at('2025-03-12T12:00:00Z', 57, null, null),
      at('2025-03-15T06:00:00Z', 58, null, null),
    ]);
    await write(userId, watch!, 'heart_rate_variability_sdnn', [
      at('2025-03-10T03:00:00Z', 45.25, null, null),
      at('2025-03-14T20:00:00Z', 50.5, null, null),
    ]);
    await write(userId, watch!, 'body_temperature', [
      at('2025-03-15T07:00:00Z', 36.4, null, null),
      at('2025-03-15T09:00:00Z', 36.7, null, null),
    ]);
    await write(userId, watch!, 'skin_temperature', [at('2025-03-15T05:00:00Z', 33.1, null, null)]);
    await write(userId, cuff!, 'blood_pressure_systolic', [
      at('2025-03-15T10:00:00Z', 122, null, null),
      at('2025-03-15T11:00:00Z', 130, null, null),
    ]);
    await write(userId, cuff!, 'blood_pressure_diastolic', [
      at('2025-03-15T10:00:03Z', 79, null, null),
      at('2025-03-15T11:00:09Z', 85, null, null), // 9 s after its systolic: no pair
    ]);
    return userId;
  }

  it('latest, averaged and recent values, full JSON', async () => {
    const userId = await seed();
    expect(await bodySummary(userId, { averagePeriodDays: 7, latestWindowHours: 4, now })).toEqual({
      source: {
        provider: 'apple',
        source: 'Health Mate',
        device: 'Body+',
        device_type: 'scale',
        device_name: 'Body+',
      },
      slow_changing: {
        weight_kg: 79.4,
        height_cm: 180,
        body_fat_percent: 18.5,
        muscle_mass_kg: null,
        bmi: 24.5,
        age: null,
      },
      averaged: {
        period_days: 7,
        resting_heart_rate_bpm: 57,
        avg_hrv_sdnn_ms: 47.9,
        avg_hrv_rmssd_ms: null,
        period_start: '2025-03-08T12:00:00Z',
        period_end: '2025-03-15T12:00:00Z',
      },
      latest: {
        body_temperature_celsius: 36.7,
        body_temperature_measured_at: '2025-03-15T09:00:00Z',
        skin_temperature_celsius: null,
        skin_temperature_measured_at: null,
        blood_pressure: {
          avg_systolic_mmhg: 122,
          avg_diastolic_mmhg: 79,
          max_systolic_mmhg: null,
          max_diastolic_mmhg: null,
          min_systolic_mmhg: null,
          min_diastolic_mmhg: null,
          reading_count: 1,
        },
        blood_pressure_measured_at: '2025-03-15T10:00:00Z',
      },
    });
  });

  it('a 1-day period and a 1-hour window drop older values', async () => {
    const userId = await seed();
    const body = await bodySummary(userId, { averagePeriodDays: 1, latestWindowHours: 1, now });
    expect(body?.averaged).toMatchObject({ resting_heart_rate_bpm: 58, avg_hrv_sdnn_ms: 50.5 });
    expect(body?.latest).toEqual({
      body_temperature_celsius: null,
      body_temperature_measured_at: null,
      skin_temperature_celsius: null,
      skin_temperature_measured_at: null,
      blood_pressure: null,
      blood_pressure_measured_at: null,
    });
    expect(body?.slow_changing.weight_kg).toBe(79.4);
  });

  it('a stored BMI wins over the computed one', async () => {
    const userId = await seed();
    const [scale] = await sourcesOf(userId, [SCALE]);
    await write(userId, scale!, 'body_mass_index', [at('2025-03-13T07:00:00Z', 24.8, null, null)]);
    const body = await bodySummary(userId, { averagePeriodDays: 7, latestWindowHours: 4, now });
    expect(body?.slow_changing.bmi).toBe(24.8);
  });

  it('null when the user has no data', async () => {
    expect(await bodySummary(randomUUID(), { averagePeriodDays: 7, latestWindowHours: 4, now })).toBeNull();
  });
});

describe('data summary', () => {
  async function seed() {
    const userId = await newUserId();
    await seedActivity(userId);
    const { garmin } = await seedNights(userId);
    await insertEvent(
      newStoredEvent(userId, garmin.key, {
        category: 'menstrual_cycle',
        type: null,
        source: GARMIN,
        start: t('2025-03-01T00:00:00Z'),
        end: t('2025-03-05T00:00:00Z'),
        zoneOffset: null,
        durationSeconds: null,
        externalId: null,
        details: { day_in_cycle: 1 },
      }),
    );
    return userId;
  }

  it('all time: counts from the registry, by type and by provider', async () => {
    const userId = await seed();
    expect(await dataSummary(userId, {})).toEqual({
      user_id: userId,
      total_data_points: 46,
      total_workouts: 2,
      total_sleep_events: 4,
      series_type_counts: {
        steps: 16,
        heart_rate: 15,
        basal_energy: 2,
        distance_walking_running: 2,
        energy: 2,
        flights_climbed: 2,
        heart_rate_variability_sdnn: 2,
        oxygen_saturation: 2,
        respiratory_rate: 2,
        active_time: 1,
      },
      workout_type_counts: { hiking: 1, running: 1 },
      by_provider: [
        {
          provider: 'apple',
          data_points: 41,
          series_counts: {
            steps: 16,
            heart_rate: 10,
            basal_energy: 2,
            distance_walking_running: 2,
            energy: 2,
            flights_climbed: 2,
            heart_rate_variability_sdnn: 2,
            oxygen_saturation: 2,
            respiratory_rate: 2,
            active_time: 1,
          },
          workout_count: 2,
          sleep_count: 2,
        },
        {
          provider: 'garmin',
          data_points: 5,
          series_counts: { heart_rate: 5 },
          workout_count: 0,
          sleep_count: 2,
        },
      ],
      has_womens_health_data: true,
    });
  });

  it('with a range: samples by time, events by start', async () => {
    const userId = await seed();
    const body = await dataSummary(userId, {
      startMs: t('2025-03-11T00:00:00Z'),
      endMs: t('2025-03-12T00:00:00Z'),
    });
    expect(body).toEqual({
      user_id: userId,
      total_data_points: 14,
      total_workouts: 1,
      // the nap on the 11th (Apple) and the Garmin night starting at 23:00 on the 11th
      total_sleep_events: 2,
      series_type_counts: {
        heart_rate: 4,
        flights_climbed: 2,
        heart_rate_variability_sdnn: 2,
        oxygen_saturation: 2,
        respiratory_rate: 2,
        steps: 2,
      },
      workout_type_counts: { hiking: 1 },
      by_provider: [
        {
          provider: 'apple',
          data_points: 10,
          series_counts: {
            flights_climbed: 2,
            heart_rate_variability_sdnn: 2,
            oxygen_saturation: 2,
            respiratory_rate: 2,
            steps: 2,
          },
          workout_count: 1,
          sleep_count: 1,
        },
        {
          provider: 'garmin',
          data_points: 4,
          series_counts: { heart_rate: 4 },
          workout_count: 0,
          sleep_count: 1,
        },
      ],
      has_womens_health_data: false,
    });
  });
});
