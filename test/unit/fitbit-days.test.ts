import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayUnits, mapDay, pullDay } from '#shared/providers/fitbit/days.js';
import { fitbit } from '#shared/providers/fitbit/index.js';
import { UNKNOWN_ZONE, userZone } from '#shared/providers/fitbit/zone.js';
import { ProviderGoneError, ProviderRequestError } from '#shared/providers/http.js';
import { KOLKATA_PROFILE as PROFILE, scriptedFitbit as scripted } from '#test/fakes/fitbit-scripted.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const kolkata = userZone('Asia/Kolkata', 19_800_000);

/** Fitbit's answers for 2024-03-10 (the shapes of the Web API reference). */
const HEART = {
  'activities-heart': [
    {
      dateTime: '2024-03-10',
      value: { customHeartRateZones: [], heartRateZones: [], restingHeartRate: 58 },
    },
  ],
  'activities-heart-intraday': {
    dataset: [
      { time: '00:00:00', value: 55 },
      { time: '07:31:00', value: 72 },
      { time: '25:00:00', value: 80 },
      { time: '08:00:00', value: 0 },
      { time: '09:00:00', value: 'n/a' },
    ],
    datasetInterval: 1,
    datasetType: 'minute',
  },
};
const SUMMARY = {
  activities: [],
  summary: {
    steps: 8414,
    distances: [
      { activity: 'total', distance: 6.36 },
      { activity: 'tracker', distance: 6.36 },
      { activity: 'veryActive', distance: 2.1 },
    ],
    activityCalories: 1241,
    caloriesBMR: 1750,
    caloriesOut: 2991,
    fairlyActiveMinutes: 21,
    veryActiveMinutes: 12,
    lightlyActiveMinutes: 215,
    sedentaryMinutes: 1023,
    floors: 5,
    restingHeartRate: 60,
  },
};

const valuesOf = (series: ReturnType<typeof mapDay>) =>
  Object.fromEntries(
    series.map((s) => [s.series, s.samples.map((x) => [x.timestamp, x.value, x.isDailyTotal])]),
  );

describe('fitbit day mapping', () => {
  it('maps intraday and resting heart rate and the summary totals, in canonical units at the local midnight', () => {
    const midnight = Date.UTC(2024, 2, 9, 18, 30);
    const series = mapDay('2024-03-10', HEART, SUMMARY, kolkata);
    expect(series.every((s) => s.source.provider === 'fitbit' && s.source.sourceName === 'Fitbit')).toBe(
      true,
    );
    expect(series.flatMap((s) => s.samples.map((x) => x.zoneOffset))).toEqual(
      expect.arrayContaining(['+05:30']),
    );
    expect(valuesOf(series)).toEqual({
      heart_rate: [
        [midnight, 55, null],
        [midnight + (7 * 60 + 31) * 60_000, 72, null],
      ],
      resting_heart_rate: [[midnight, 58, null]],
      steps: [[midnight, 8414, true]],
      distance_walking_running: [[midnight, 6360, true]],
      energy: [[midnight, 1241, true]],
      basal_energy: [[midnight, 1750, true]],
      active_time: [[midnight, 33, true]],
      flights_climbed: [[midnight, 5, true]],
    });
  });

  it('takes the summary’s resting heart rate without a heart answer, and drops a day the device did not record', () => {
    const withoutHeart = valuesOf(mapDay('2024-03-10', null, SUMMARY, UNKNOWN_ZONE));
    expect(withoutHeart.resting_heart_rate).toEqual([[Date.UTC(2024, 2, 10), 60, null]]);
    expect(withoutHeart.heart_rate).toBeUndefined();
    const basalOnly = {
      summary: {
        steps: 0,
        activityCalories: 0,
        caloriesBMR: 1650,
        distances: [{ activity: 'total', distance: 0 }],
      },
    };
    expect(mapDay('2024-03-10', { 'activities-heart': [{ value: {} }] }, basalOnly, kolkata)).toEqual([]);
    expect(mapDay('2024-02-30', HEART, SUMMARY, kolkata)).toEqual([]);
  });

  it('never throws on arbitrary answers, and stores only finite non-negative values (property)', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (heart, summary) => {
        for (const s of mapDay('2024-03-10', heart, summary, kolkata))
          for (const sample of s.samples)
            expect(Number.isFinite(sample.value) && sample.value >= 0).toBe(true);
      }),
    );
  });
});

describe('fitbit units', () => {
  it('a 90-day backfill: 3 activity chunks, 3 sleep chunks, one unit per local date in reach', () => {
    const start = Date.UTC(2024, 0, 1);
    const end = start + 90 * DAY_MS;
    const units = fitbit.units(start, end);
    const kinds = (prefix: string) => units.filter((u) => u.key.startsWith(prefix)).map((u) => u.key);
    expect(kinds('activities:')).toEqual([
      'activities:2024-01-01',
      'activities:2024-01-31',
      'activities:2024-03-01',
    ]);
    expect(kinds('sleep:')).toEqual(['sleep:2024-01-01', 'sleep:2024-01-31', 'sleep:2024-03-01']);
    const days = kinds('day:');
    // 2023-12-31 (UTC-12 still there at the window start) to 2024-03-31 (UTC+14 already there at its end).
    expect(days).toHaveLength(92);
    expect(days[0]).toBe('day:2023-12-31');
    expect(days.at(-1)).toBe('day:2024-03-31');
    expect(new Set(units.map((u) => u.key)).size).toBe(units.length);
  });

  it('day units stay inside the window and within their date’s widest span (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2010, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.integer({ min: 1, max: 40 * DAY_MS }),
        (start, length) => {
          const units = dayUnits(start, start + length);
          expect(units.length).toBeGreaterThan(0);
          for (const unit of units) {
            const midnight = Date.parse(`${unit.key.slice(4)}T00:00:00Z`);
            expect(unit.start).toBeGreaterThanOrEqual(Math.max(start, midnight - 14 * HOUR_MS));
            expect(unit.end).toBeLessThanOrEqual(Math.min(start + length, midnight + DAY_MS + 12 * HOUR_MS));
            expect(unit.end).toBeGreaterThan(unit.start);
          }
        },
      ),
    );
    expect(dayUnits(5, 5)).toEqual([]);
  });
});

describe('fitbit day pull', () => {
  const unitFor = (date: string, end = Date.parse(`${date}T23:00:00Z`)) => ({
    key: `day:${date}`,
    start: Date.parse(`${date}T00:00:00Z`) - 14 * HOUR_MS,
    end,
  });

  it('reads the profile zone once per client, then the heart rate and the summary of the date', async () => {
    const calls: string[] = [];
    const get = scripted(
      {
        '/1/user/-/profile': PROFILE,
        '/1/user/-/activities/heart': HEART,
        '/1/user/-/activities/date': SUMMARY,
      },
      calls,
    );
    const first = await pullDay(get, unitFor('2024-03-10'));
    await pullDay(get, unitFor('2024-03-11'));
    expect(calls).toEqual([
      '/1/user/-/profile.json',
      '/1/user/-/activities/heart/date/2024-03-10/1d/1min.json',
      '/1/user/-/activities/date/2024-03-10.json',
      '/1/user/-/activities/heart/date/2024-03-11/1d/1min.json',
      '/1/user/-/activities/date/2024-03-11.json',
    ]);
    expect(first.series.find((s) => s.series === 'steps')!.samples[0]!.timestamp).toBe(
      Date.UTC(2024, 2, 9, 18, 30),
    );
  });

  it('asks nothing for a date that has not begun where the user is by the window’s end', async () => {
    const calls: string[] = [];
    const get = scripted({ '/1/user/-/profile': PROFILE }, calls);
    // 2024-03-10 begins at 2024-03-09T18:30Z in Kolkata.
    const result = await pullDay(get, unitFor('2024-03-10', Date.UTC(2024, 2, 9, 18, 30)));
    expect(result).toEqual({ series: [], events: [], scores: [] });
    expect(calls).toEqual(['/1/user/-/profile.json']);
  });

  it('a scope the user kept (403) is no data, a refused profile means UTC, a gone API propagates', async () => {
    const refused = new ProviderRequestError(403, '{"errors":[{"errorType":"insufficient_scope"}]}');
    const get = scripted({
      '/1/user/-/profile': refused,
      '/1/user/-/activities/heart': refused,
      '/1/user/-/activities/date': SUMMARY,
    });
    const result = await pullDay(get, unitFor('2024-03-10'));
    // No profile: local times read as UTC, without an offset.
    expect(result.series.find((s) => s.series === 'steps')!.samples).toEqual([
      { timestamp: Date.UTC(2024, 2, 10), value: 8414, zoneOffset: null, isDailyTotal: true },
    ]);
    expect(result.series.some((s) => s.series === 'heart_rate')).toBe(false);
    const gone = scripted({ '/1/user/-/profile': new ProviderGoneError(410, 'gone') });
    await expect(pullDay(gone, unitFor('2024-03-10'))).rejects.toBeInstanceOf(ProviderGoneError);
  });
});
