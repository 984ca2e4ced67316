import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SERIES_TYPES } from '#shared/model/series.js';
import { METRIC_TYPES, metricType } from '#shared/providers/google-health/data-types.js';
import { mapExercise } from '#shared/providers/google-health/exercise.js';
import { googleWorkoutType } from '#shared/providers/google-health/exercise-types.js';
import { pullMetric } from '#shared/providers/google-health/metrics.js';
import { mapSleep } from '#shared/providers/google-health/sleep.js';
import type { ProviderGet } from '#shared/providers/types.js';

/**
 * Google Health API records -> the unified model (providers.md 4.9): every metric type's value in its canonical
 * unit at the right time and zone, sleep sessions with their stages, exercise sessions with their metrics, and
 * malformed records skipped and counted instead of failing the page. The shapes are the dossier's examples.
 */
const START = Date.UTC(2026, 0, 15);
const END = Date.UTC(2026, 0, 16);

/** A provider answering every call with `body`, recording the calls. */
function answering(body: unknown) {
  const calls: Array<{ path: string; query: Record<string, string | number> | undefined; options: unknown }> =
    [];
  const get: ProviderGet = async (path, query, options) => {
    calls.push({ path, query, options });
    return body;
  };
  return { get, calls };
}

const interval = (startTime: string, endTime: string, startUtcOffset = '3600s') => ({
  startTime,
  endTime,
  startUtcOffset,
});
const sampleTime = (physicalTime: string, utcOffset = '3600s') => ({ physicalTime, utcOffset });

async function samplesOf(dataType: string, points: unknown[]) {
  const { get } = answering({ dataPoints: points, nextPageToken: null });
  const { series, skipped } = await pullMetric(get, metricType(dataType)!, START, END);
  return { series, skipped, only: series[0]?.samples ?? [] };
}

describe('google_health metric mapping', () => {
  it('steps and distance: interval totals (count, mm -> m), intraday, at the interval start with its zone', async () => {
    const steps = await samplesOf('steps', [
      { steps: { interval: interval('2026-01-15T08:00:00Z', '2026-01-15T08:01:00Z'), count: '112' } },
    ]);
    expect(steps.series[0]).toMatchObject({ series: 'steps', source: { provider: 'google_health' } });
    expect(steps.only).toEqual([
      {
        timestamp: Date.parse('2026-01-15T08:00:00Z'),
        value: 112,
        zoneOffset: '+01:00',
        isDailyTotal: false,
      },
    ]);
    const distance = await samplesOf('distance', [
      {
        distance: {
          interval: interval('2026-01-15T08:00:00Z', '2026-01-15T08:15:00Z'),
          millimeters: 7_204_000,
        },
      },
    ]);
    expect(distance.series[0]!.series).toBe('distance_walking_running');
    expect(distance.only[0]).toMatchObject({ value: 7204, isDailyTotal: false });
  });

  it('samples: heart rate bpm, HRV RMSSD and SDNN ms, SpO2 %, weight g -> kg, body fat %, core temperature °C, glucose mg/dL, VO2max', async () => {
    const at = '2026-01-15T03:00:00Z';
    const cases: Array<[string, Record<string, unknown>, Record<string, number>]> = [
      ['heart-rate', { heartRate: { sampleTime: sampleTime(at), beatsPerMinute: '61' } }, { heart_rate: 61 }],
      [
        'heart-rate-variability',
        {
          heartRateVariability: {
            sampleTime: sampleTime(at),
            rootMeanSquareOfSuccessiveDifferencesMilliseconds: 42.5,
            standardDeviationMilliseconds: 55.1,
          },
        },
        { heart_rate_variability_rmssd: 42.5, heart_rate_variability_sdnn: 55.1 },
      ],
      [
        'oxygen-saturation',
        { oxygenSaturation: { sampleTime: sampleTime(at), percentage: 97.5 } },
        { oxygen_saturation: 97.5 },
      ],
      ['weight', { weight: { sampleTime: sampleTime(at), weightGrams: 72_500 } }, { weight: 72.5 }],
      [
        'body-fat',
        { bodyFat: { sampleTime: sampleTime(at), percentage: 19.4 } },
        { body_fat_percentage: 19.4 },
      ],
      [
        'core-body-temperature',
        { coreBodyTemperature: { sampleTime: sampleTime(at), celsius: 36.8 } },
        { body_temperature: 36.8 },
      ],
      [
        'blood-glucose',
        { bloodGlucose: { sampleTime: sampleTime(at), bloodGlucoseMilligramsPerDeciliter: 95 } },
        { blood_glucose: 95 },
      ],
      ['run-vo2-max', { runVo2Max: { sampleTime: sampleTime(at), runVo2Max: 48.2 } }, { vo2_max: 48.2 }],
    ];
    for (const [dataType, body, expected] of cases) {
      const { series } = await samplesOf(dataType, [body]);
      const values = Object.fromEntries(series.map((s) => [s.series, s.samples[0]!.value]));
      expect(values, dataType).toEqual(expected);
      for (const s of series)
        expect(s.samples[0]).toMatchObject({
          timestamp: Date.parse(at),
          zoneOffset: '+01:00',
          isDailyTotal: null,
        });
    }
  });

  it('daily types at 00:00 UTC of their date, no zone', async () => {
    const rhr = await samplesOf('daily-resting-heart-rate', [
      { dailyRestingHeartRate: { date: { year: 2026, month: 1, day: 15 }, beatsPerMinute: 54 } },
    ]);
    expect(rhr.series[0]!.series).toBe('resting_heart_rate');
    expect(rhr.only).toEqual([{ timestamp: START, value: 54, zoneOffset: null, isDailyTotal: null }]);
    const rr = await samplesOf('daily-respiratory-rate', [
      { dailyRespiratoryRate: { date: { year: 2026, month: 1, day: 15 }, breathsPerMinute: 14.5 } },
      { dailyRespiratoryRate: { date: { year: 2026, month: 2, day: 30 }, breathsPerMinute: 14 } },
    ]);
    expect(rr.only.map((s) => s.value)).toEqual([14.5]);
    expect(rr.skipped).toBe(1);
  });

  it('hydration logs: mL, filtered in local time at the API and to the exact window here', async () => {
    const { get, calls } = answering({
      dataPoints: [
        {
          hydrationLog: {
            interval: interval('2026-01-15T09:00:00Z', '2026-01-15T09:01:00Z'),
            amountConsumed: { milliliters: 330 },
          },
        },
        {
          hydrationLog: {
            interval: interval('2026-01-14T23:00:00Z', '2026-01-14T23:01:00Z'),
            amountConsumed: { milliliters: 500 },
          },
        },
      ],
    });
    const { series } = await pullMetric(get, metricType('hydration-log')!, START, END);
    expect(series[0]).toMatchObject({ series: 'hydration', samples: [{ value: 330 }] });
    expect(calls[0]!.path).toBe('/v4/users/me/dataTypes/hydration-log/dataPoints:reconcile');
    expect(calls[0]!.query!.filter).toBe(
      'hydration_log.interval.civil_start_time >= "2026-01-14T12:00:00" AND hydration_log.interval.civil_start_time < "2026-01-16T14:00:00"',
    );
  });

  it('total calories: hourly rollUp windows (POST, JSON body), kcal at each window start', async () => {
    const { get, calls } = answering({
      rollupDataPoints: [
        {
          startTime: '2026-01-15T00:00:00Z',
          endTime: '2026-01-15T01:00:00Z',
          totalCalories: { kcalSum: 71.25 },
        },
        {
          startTime: '2026-01-15T01:00:00Z',
          endTime: '2026-01-15T02:00:00Z',
          totalCalories: { kcalSum: 'NaN' },
        },
      ],
    });
    const { series, skipped } = await pullMetric(get, metricType('total-calories')!, START, END);
    expect(series[0]).toMatchObject({
      series: 'energy',
      samples: [{ timestamp: START, value: 71.25, isDailyTotal: false }],
    });
    expect(skipped).toBe(1);
    expect(calls[0]).toMatchObject({
      path: '/v4/users/me/dataTypes/total-calories/dataPoints:rollUp',
      options: {
        method: 'POST',
        json: {
          range: { startTime: '2026-01-15T00:00:00.000Z', endTime: '2026-01-16T00:00:00.000Z' },
          windowSize: '3600s',
          pageSize: 24,
        },
      },
    });
  });

  it('malformed points are skipped and counted; the rest of the page is kept', async () => {
    const { only, skipped } = await samplesOf('heart-rate', [
      { heartRate: { sampleTime: sampleTime('2026-01-15T03:00:00Z'), beatsPerMinute: 60 } },
      { heartRate: { sampleTime: sampleTime('yesterday'), beatsPerMinute: 60 } },
      { heartRate: { sampleTime: sampleTime('2026-01-15T03:01:00Z'), beatsPerMinute: -4 } },
      { heartRate: { sampleTime: sampleTime('2026-01-15T03:02:00Z'), beatsPerMinute: 'fast' } },
      { somethingElse: {} },
      'garbage',
      null,
    ]);
    expect(only).toHaveLength(1);
    expect(skipped).toBe(6);
  });

  it('every registry series is stored in its canonical unit', () => {
    const units = Object.fromEntries(
      METRIC_TYPES.flatMap((t) => t.fields.map((f) => [f.series, SERIES_TYPES[f.series].unit])),
    );
    expect(units).toEqual({
      steps: 'count',
      distance_walking_running: 'meters',
      energy: 'kcal',
      hydration: 'mL',
      heart_rate: 'bpm',
      vo2_max: 'ml_kg_min',
      resting_heart_rate: 'bpm',
      heart_rate_variability_rmssd: 'ms',
      heart_rate_variability_sdnn: 'ms',
      weight: 'kg',
      body_fat_percentage: 'percent',
      body_temperature: 'celsius',
      blood_glucose: 'mg_dl',
      respiratory_rate: 'brpm',
      oxygen_saturation: 'percent',
    });
  });

  it('whatever a page holds, samples are finite and valid and the call never throws (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METRIC_TYPES.filter((t) => t.shape !== 'rollup')),
        fc.array(fc.jsonValue(), { maxLength: 8 }),
        async (type, points) => {
          const { get } = answering({ dataPoints: points });
          const { series, skipped } = await pullMetric(get, type, START, END);
          const count = series.reduce((sum, s) => sum + s.samples.length, 0);
          expect(count + skipped).toBeGreaterThanOrEqual(0);
          for (const s of series)
            for (const sample of s.samples) {
              expect(Number.isFinite(sample.value) && Number.isFinite(sample.timestamp)).toBe(true);
              expect(type.fields.find((f) => f.series === s.series)!.valid(sample.value)).toBe(true);
            }
        },
      ),
      { numRuns: 200 },
    );
  });
});

const SLEEP = {
  name: 'users/me/dataTypes/sleep/dataPoints/9f8e7d',
  dataSource: { platform: 'FITBIT', device: { displayName: 'Pixel Watch 3' } },
  sleep: {
    interval: { startTime: '2026-01-14T22:40:00Z', endTime: '2026-01-15T06:20:00Z', startUtcOffset: '3600s' },
    metadata: { nap: false },
    summary: {
      minutesInSleepPeriod: 460,
      minutesAsleep: 421,
      minutesAwake: 39,
      stagesSummary: [
        { type: 'AWAKE', minutes: 39 },
        { type: 'LIGHT', minutes: 230 },
        { type: 'DEEP', minutes: 88 },
        { type: 'REM', minutes: 103 },
      ],
    },
    stages: [
      { type: 'DEEP', startTime: '2026-01-14T23:10:00Z', endTime: '2026-01-15T00:05:00Z' },
      { type: 'LIGHT', startTime: '2026-01-14T22:40:00Z', endTime: '2026-01-14T23:10:00Z' },
      { type: 'RESTLESS', startTime: '2026-01-15T00:05:00Z', endTime: '2026-01-15T00:10:00Z' },
      { type: 'ASLEEP', startTime: '2026-01-15T00:10:00Z', endTime: '2026-01-15T00:10:00Z' },
    ],
  },
};

describe('google_health sleep mapping', () => {
  it('a night: times, zone, durations in minutes, efficiency, stage timeline, Google id and device', () => {
    expect(mapSleep(SLEEP)).toEqual({
      category: 'sleep',
      type: 'sleep_session',
      source: {
        provider: 'google_health',
        deviceModel: 'Pixel Watch 3',
        sourceName: 'FITBIT',
        softwareVersion: null,
        originalSourceName: 'FITBIT',
      },
      start: Date.parse('2026-01-14T22:40:00Z'),
      end: Date.parse('2026-01-15T06:20:00Z'),
      zoneOffset: '+01:00',
      durationSeconds: 460 * 60,
      externalId: 'users/me/dataTypes/sleep/dataPoints/9f8e7d',
      details: {
        sleep_total_duration_minutes: 421,
        sleep_time_in_bed_minutes: 460,
        sleep_efficiency_score: 91.5,
        sleep_deep_minutes: 88,
        sleep_rem_minutes: 103,
        sleep_light_minutes: 230,
        sleep_awake_minutes: 39,
        is_nap: false,
        sleep_stages: [
          {
            stage: 'light',
            start: Date.parse('2026-01-14T22:40:00Z'),
            end: Date.parse('2026-01-14T23:10:00Z'),
          },
          {
            stage: 'deep',
            start: Date.parse('2026-01-14T23:10:00Z'),
            end: Date.parse('2026-01-15T00:05:00Z'),
          },
          {
            stage: 'unknown',
            start: Date.parse('2026-01-15T00:05:00Z'),
            end: Date.parse('2026-01-15T00:10:00Z'),
          },
        ],
      },
    });
  });

  it('a nap, awake minutes from the summary when no stage lists them, no stages at all', () => {
    const { stages: _stages, ...night } = SLEEP.sleep;
    const nap = {
      ...SLEEP,
      sleep: {
        ...night,
        metadata: { nap: true },
        summary: { minutesInSleepPeriod: 30, minutesAsleep: 28, minutesAwake: 2, stagesSummary: [] },
      },
    };
    expect(mapSleep(nap)!.details).toMatchObject({
      is_nap: true,
      sleep_awake_minutes: 2,
      sleep_deep_minutes: null,
      sleep_efficiency_score: 93.3,
      sleep_stages: null,
    });
  });

  it('without a name, a start or an end there is no event', () => {
    expect(mapSleep({ ...SLEEP, name: undefined })).toBeNull();
    expect(
      mapSleep({ ...SLEEP, sleep: { ...SLEEP.sleep, interval: { startTime: 'x', endTime: 'y' } } }),
    ).toBeNull();
  });
});

const EXERCISE = {
  name: 'users/me/dataTypes/exercise/dataPoints/ab12',
  dataSource: { platform: 'ANDROID', device: { manufacturer: 'Samsung', formFactor: 'WATCH' } },
  exercise: {
    interval: {
      startTime: '2026-01-15T07:00:00Z',
      endTime: '2026-01-15T07:45:00Z',
      startUtcOffset: '-18000s',
    },
    exerciseType: 'RUNNING',
    activeDuration: '2640s',
    metricsSummary: {
      caloriesKcal: 410.5,
      distanceMillimeters: 7_204_000,
      steps: '6950',
      averageSpeedMillimetersPerSecond: 2728,
      averageHeartRateBeatsPerMinute: 149,
      elevationGainMillimeters: 41_000,
      mobilityMetrics: { avgCadenceStepsPerMinute: 168 },
    },
  },
};

describe('google_health exercise mapping', () => {
  it('a run: metric summary in unified units, active duration as moving time, device from maker and form factor', () => {
    expect(mapExercise(EXERCISE)).toEqual({
      category: 'workout',
      type: 'running',
      source: {
        provider: 'google_health',
        deviceModel: 'Samsung watch',
        sourceName: 'ANDROID',
        softwareVersion: null,
        originalSourceName: 'ANDROID',
      },
      start: Date.parse('2026-01-15T07:00:00Z'),
      end: Date.parse('2026-01-15T07:45:00Z'),
      zoneOffset: '-05:00',
      durationSeconds: 2700,
      externalId: 'users/me/dataTypes/exercise/dataPoints/ab12',
      details: {
        energy_burned: 410.5,
        distance: 7204,
        steps_count: 6950,
        average_speed: 2.73,
        heart_rate_avg: 149,
        total_elevation_gain: 41,
        average_cadence: 168,
        moving_time_seconds: 2640,
      },
    });
  });

  it('exercise types: named ones mapped, case-insensitive, unknown ones other', () => {
    expect(googleWorkoutType('TRAIL_RUN')).toBe('trail_running');
    expect(googleWorkoutType('STATIONARY_BIKE')).toBe('indoor_cycling');
    expect(googleWorkoutType('SPINNING')).toBe('indoor_cycling');
    expect(googleWorkoutType('PADDLEBOARDING')).toBe('stand_up_paddleboarding');
    expect(googleWorkoutType('RUCKING')).toBe('hiking');
    expect(googleWorkoutType('SWIMMING_OPEN_WATER')).toBe('open_water_swimming');
    expect(googleWorkoutType(' running ')).toBe('running');
    expect(googleWorkoutType('BILLIARDS')).toBe('other');
    expect(googleWorkoutType(7)).toBe('other');
  });

  it('a session without metrics has empty details; negative metrics are dropped', () => {
    const bare = {
      ...EXERCISE,
      exercise: { ...EXERCISE.exercise, metricsSummary: { caloriesKcal: -3 }, activeDuration: 'long' },
    };
    expect(mapExercise(bare)!.details).toEqual({});
  });

  it('any JSON maps to null or a consistent event, never throws (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (exercise, sleep) => {
        for (const event of [
          mapExercise({ name: 'n', exercise }),
          mapExercise({ ...EXERCISE, exercise: { ...EXERCISE.exercise, metricsSummary: exercise } }),
          mapSleep({ name: 'n', sleep }),
          mapSleep({ ...SLEEP, sleep: { ...SLEEP.sleep, summary: sleep, stages: sleep } }),
        ]) {
          if (event === null) continue;
          expect(event.end).toBeGreaterThanOrEqual(event.start);
          for (const value of Object.values(event.details))
            if (typeof value === 'number') expect(Number.isFinite(value) && value >= 0).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
