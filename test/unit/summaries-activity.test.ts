import { describe, expect, it } from 'vitest';
import {
  activeMinutesFromSteps,
  activityDays,
  dailyAmount,
  intensityMinutes,
  maxHeartRateFor,
  sedentaryMinutesFromSteps,
  summariseDay,
} from '#shared/data/summaries/activity.js';
import { bestSource, dayRange } from '#shared/data/summaries/common.js';
import type { Sample } from '#shared/model/health-data.js';
import { toDataSource } from '#shared/store/data-sources.js';
import { sourceRef } from '#test/helpers/health-data.js';

const USER = '00000000-0000-4000-8000-000000000001';
const watch = toDataSource(USER, sourceRef('apple', 'Watch7,1', 'Apple Watch'));
const phone = toDataSource(USER, sourceRef('apple', 'iPhone15,2', 'iPhone'));
const garmin = toDataSource(USER, sourceRef('garmin', 'Forerunner 255', null));
const sources = new Map([watch, phone, garmin].map((s) => [s.key, s]));

const t = (iso: string) => Date.parse(iso);
const sample = (
  iso: string,
  value: number,
  zoneOffset: string | null = null,
  isDailyTotal: boolean | null = false,
): Sample => ({
  timestamp: t(iso),
  value,
  zoneOffset,
  isDailyTotal,
});
/** One sample per minute from `iso`, with the given values. */
const minutes = (iso: string, values: number[], zoneOffset: string | null = null) =>
  values.map((value, i) => ({ timestamp: t(iso) + i * 60_000, value, zoneOffset, isDailyTotal: false }));

const everyDay = () => true;

describe('activity summary: days', () => {
  it('groups samples by their local date, each by its own zone offset', () => {
    const rows = activityDays({
      samples: {
        steps: new Map([
          [
            watch.key,
            [
              sample('2025-03-01T23:30:00Z', 100, '+02:00'), // 01:30 on the 2nd
              sample('2025-03-02T03:00:00Z', 200, '-05:00'), // 22:00 on the 1st
              sample('2025-03-02T12:00:00Z', 400, null), // UTC: the 2nd
            ],
          ],
        ]),
      },
      workouts: [],
      sources,
      includes: everyDay,
      maxHeartRate: 190,
    });
    expect(rows.map((r) => [r.date, r.steps])).toEqual([
      ['2025-03-01', 200],
      ['2025-03-02', 500],
    ]);
  });

  it('includes start_date.date <= day < end_date.date, in UTC dates', () => {
    const range = dayRange(t('2025-03-01T15:00:00Z'), t('2025-03-03T00:00:00Z'));
    expect([
      range.includes('2025-02-28'),
      range.includes('2025-03-01'),
      range.includes('2025-03-02'),
    ]).toEqual([false, true, true]);
    expect(range.includes('2025-03-03')).toBe(false);
    expect(range.fromMs).toBe(t('2025-02-28T10:00:00Z'));
    expect(range.toMs).toBe(t('2025-03-03T14:00:00Z'));
  });

  it('days outside the range are dropped even when the margin read them', () => {
    const rows = activityDays({
      samples: {
        steps: new Map([
          [watch.key, [sample('2025-02-28T20:00:00Z', 10), sample('2025-03-01T08:00:00Z', 20)]],
        ]),
      },
      workouts: [],
      sources,
      includes: (day) => day >= '2025-03-01',
      maxHeartRate: 190,
    });
    expect(rows.map((r) => r.date)).toEqual(['2025-03-01']);
  });

  it('takes one best source per day: the watch over the phone, Apple over Garmin', () => {
    expect(bestSource([phone.key, watch.key], sources)).toBe(watch.key);
    expect(bestSource([garmin.key, phone.key], sources)).toBe(phone.key);
    expect(bestSource(['no-such-source', garmin.key], sources)).toBe(garmin.key);
    const rows = activityDays({
      samples: {
        steps: new Map([
          [phone.key, [sample('2025-03-01T10:00:00Z', 5000), sample('2025-03-02T10:00:00Z', 7000)]],
          [watch.key, [sample('2025-03-01T10:00:00Z', 4000)]],
        ]),
      },
      workouts: [],
      sources,
      includes: everyDay,
      maxHeartRate: 190,
    });
    expect(rows.map((r) => [r.date, r.sourceKey, r.steps])).toEqual([
      ['2025-03-01', watch.key, 4000],
      ['2025-03-02', phone.key, 7000],
    ]);
  });

  it('ranks by the priorities loaded with the sources, when an operator changed them', () => {
    const garminFirst = Object.assign(new Map(sources), {
      priorities: { provider: { garmin: 1, apple: 2 }, deviceType: {} },
    });
    expect(bestSource([phone.key, watch.key, garmin.key], garminFirst)).toBe(garmin.key);
    const phoneFirst = Object.assign(new Map(sources), {
      priorities: { provider: {}, deviceType: { phone: 1, watch: 4 } },
    });
    expect(bestSource([watch.key, phone.key, garmin.key], phoneFirst)).toBe(phone.key);
  });

  it('each field comes from the best source that has it: steps from the phone, elevation from the Watch', () => {
    const rows = activityDays({
      samples: { steps: new Map([[phone.key, [sample('2025-03-01T10:00:00Z', 5000)]]]) },
      workouts: [{ sourceKey: watch.key, start: t('2025-03-01T07:00:00Z'), zoneOffset: null, elevation: 31 }],
      sources,
      includes: everyDay,
      maxHeartRate: 190,
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      sourceKey: phone.key,
      steps: 5000,
      elevation_meters: 31,
      floors_climbed: 10,
    });
  });
});

describe('activity summary: amounts', () => {
  it('prefers a daily total row over summing intraday samples', () => {
    const intraday = [sample('2025-03-01T09:00:00Z', 300), sample('2025-03-01T10:00:00Z', 200)];
    expect(dailyAmount(intraday)).toBe(500);
    expect(dailyAmount([...intraday, sample('2025-03-01T00:00:00Z', 8000, null, true)])).toBe(8000);
    // several totals for one day: the latest wins (a revision), they are not added up
    expect(
      dailyAmount([
        sample('2025-03-01T00:00:00Z', 8000, null, true),
        sample('2025-03-01T20:00:00Z', 9100, null, true),
      ]),
    ).toBe(9100);
    expect(dailyAmount([])).toBeNull();
    expect(dailyAmount(undefined)).toBeNull();
  });

  it('floors from flights climbed, else elevation / 3 m; calories active and total', () => {
    const base = { series: {}, elevations: [] as number[] };
    expect(summariseDay({ ...base, elevations: [10, 5.5] }, 190)).toMatchObject({
      floors_climbed: 5,
      elevation_meters: 15.5,
    });
    expect(
      summariseDay(
        {
          series: { flights_climbed: [sample('2025-03-01T09:00:00Z', 3), sample('2025-03-01T10:00:00Z', 4)] },
          elevations: [30],
        },
        190,
      ),
    ).toMatchObject({ floors_climbed: 7, elevation_meters: 30 });
    expect(summariseDay(base, 190)).toMatchObject({
      floors_climbed: null,
      elevation_meters: null,
      active_calories_kcal: null,
      total_calories_kcal: null,
      heart_rate: null,
      intensity_minutes: null,
      active_minutes: null,
      sedentary_minutes: null,
    });
    expect(
      summariseDay(
        { series: { basal_energy: [sample('2025-03-01T00:00:00Z', 1650.5, null, true)] }, elevations: [] },
        190,
      ),
    ).toMatchObject({ active_calories_kcal: null, total_calories_kcal: 1650.5 });
    expect(
      summariseDay(
        {
          series: {
            energy: [sample('2025-03-01T09:00:00Z', 0.1), sample('2025-03-01T09:01:00Z', 0.2)],
            basal_energy: [sample('2025-03-01T09:00:00Z', 1)],
          },
          elevations: [],
        },
        190,
      ),
    ).toMatchObject({ active_calories_kcal: 0.3, total_calories_kcal: 1.3 });
  });

  it('heart rate avg/max/min are rounded down', () => {
    const hr = [
      sample('2025-03-01T09:00:00Z', 60.9),
      sample('2025-03-01T09:01:00Z', 71.5),
      sample('2025-03-01T09:02:00Z', 80.99),
    ];
    expect(summariseDay({ series: { heart_rate: hr }, elevations: [] }, 190).heart_rate).toEqual({
      avg_bpm: 71,
      max_bpm: 80,
      min_bpm: 60,
    });
  });
});

describe('activity summary: minutes', () => {
  it('active minutes: the provider active time when reported, else minutes with >= 30 steps', () => {
    const steps = minutes('2025-03-01T09:00:00Z', [29, 30, 120, 0, 31]);
    expect(activeMinutesFromSteps(steps)).toBe(3);
    // two samples in one minute add up
    expect(
      activeMinutesFromSteps([sample('2025-03-01T09:00:05Z', 20), sample('2025-03-01T09:00:40Z', 15)]),
    ).toBe(1);
    expect(summariseDay({ series: { steps }, elevations: [] }, 190).active_minutes).toBe(3);
    expect(
      summariseDay(
        {
          series: { steps, active_time: [sample('2025-03-01T00:00:00Z', 42.4, null, true)] },
          elevations: [],
        },
        190,
      ).active_minutes,
    ).toBe(42);
    // daily totals alone say nothing about minutes
    expect(activeMinutesFromSteps([sample('2025-03-01T00:00:00Z', 9000, null, true)])).toBeNull();
  });

  it('sedentary minutes: minutes with step data minus active minutes (the reference rule)', () => {
    // 4 minutes with samples, 2 of them with >= 30 steps; the minutes without a sample are neither
    const steps = [
      sample('2025-03-01T09:00:00Z', 50),
      sample('2025-03-01T09:01:00Z', 9),
      sample('2025-03-01T09:05:00Z', 29),
      sample('2025-03-01T09:10:00Z', 80),
    ];
    expect(sedentaryMinutesFromSteps(steps)).toBe(2);
    // two samples an hour apart are two sedentary minutes, not 59
    expect(
      sedentaryMinutesFromSteps([sample('2025-03-01T09:00:00Z', 4), sample('2025-03-01T10:00:00Z', 3)]),
    ).toBe(2);
    expect(sedentaryMinutesFromSteps([])).toBeNull();
  });

  it('intensity minutes by the minute mean heart rate against 220 - age (190 by default)', () => {
    expect(maxHeartRateFor(null)).toBe(190);
    expect(maxHeartRateFor(30)).toBe(190);
    expect(maxHeartRateFor(40)).toBe(180);
    expect(maxHeartRateFor(150)).toBe(100);
    // with max 190: <95 none, 95..121 light (50-63 %), 122..146 moderate (64-76 %), >= 147 vigorous (77 %+)
    const hr = minutes('2025-03-01T09:00:00Z', [94, 95, 121, 122, 146, 147, 177, 185]);
    expect(intensityMinutes(hr, 190)).toEqual({ light: 2, moderate: 2, vigorous: 3 });
    // samples of one minute are averaged first: (90 + 110) / 2 = 100 -> light
    expect(
      intensityMinutes([sample('2025-03-01T09:00:00Z', 90), sample('2025-03-01T09:00:30Z', 110)], 190),
    ).toEqual({
      light: 1,
      moderate: 0,
      vigorous: 0,
    });
    // an older person's lower maximum moves the same minute up a zone
    expect(intensityMinutes([sample('2025-03-01T09:00:00Z', 110)], 150)).toEqual({
      light: 0,
      moderate: 1,
      vigorous: 0,
    });
    expect(intensityMinutes([], 190)).toBeNull();
  });
});
