import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HealthEvent } from '#shared/model/health-data.js';
import { PullOutput } from '#shared/providers/output.js';
import { clockAfter, durationSeconds, instantOf } from '#shared/providers/polar/common.js';
import { mapActivityDay, mapContinuousHeartRate, mapPhysicalInfo } from '#shared/providers/polar/daily.js';
import { mapExercise } from '#shared/providers/polar/exercises.js';
import { mapRecharge } from '#shared/providers/polar/recharge.js';
import { mapSleep } from '#shared/providers/polar/sleep.js';
import { polarWorkoutType } from '#shared/providers/polar/sport-types.js';
import type { PullResult } from '#shared/providers/types.js';
import { isoDuration } from '#test/fakes/polar-data.js';

const at = (iso: string) => Date.parse(iso);

function mapped(
  map: (out: PullOutput, item: unknown) => boolean,
  item: unknown,
): PullResult & { ok: boolean } {
  const out = new PullOutput();
  const ok = map(out, item);
  return { ok, ...out.result() };
}

const seriesOf = (result: PullResult, series: string) =>
  result.series.filter((s) => s.series === series).flatMap((s) => s.samples);

/** providers.md 4.2's example exercise, with samples. */
const EXERCISE = {
  id: 'ABC123',
  upload_time: '2024-01-15T09:00:00.000Z',
  polar_user: 'https://www.polaraccesslink.com/v3/users/12345',
  device: 'Polar Vantage V2',
  device_id: '12345678',
  start_time: '2024-01-15T08:00:00',
  start_time_utc_offset: 60,
  duration: 'PT1H0M0S',
  calories: 650,
  distance: 10000,
  heart_rate: { average: 145, maximum: 175 },
  training_load: 150.0,
  sport: 'RUNNING',
  detailed_sport_info: 'RUNNING_ROAD',
  has_route: true,
  heart_rate_zones: [{ index: 1, 'lower-limit': 110, 'upper-limit': 130, 'in-zone': 'PT4S' }],
  samples: [
    { 'recording-rate': 5, 'sample-type': '0', data: '140,null,150,,160' },
    { 'recording-rate': 5, 'sample-type': '1', data: '36,18' },
    { 'recording-rate': 5, 'sample-type': '3', data: '-2.5,10' },
    { 'recording-rate': null, 'sample-type': '11', data: '800,810' },
  ],
};

describe('exercise', () => {
  it('starts at the local time MINUS the offset (UTC), keeps the offset and Polar values in canonical units', () => {
    const result = mapped(mapExercise, EXERCISE);
    expect(result.ok).toBe(true);
    const workout = result.events[0] as Extract<HealthEvent, { category: 'workout' }>;
    expect(workout).toMatchObject({
      category: 'workout',
      type: 'running',
      start: at('2024-01-15T07:00:00Z'),
      end: at('2024-01-15T08:00:00Z'),
      zoneOffset: '+01:00',
      durationSeconds: 3600,
      externalId: 'ABC123',
      source: { provider: 'polar', deviceModel: 'Polar Vantage V2', sourceName: 'Polar Vantage V2' },
    });
    expect(workout.details).toEqual({
      heart_rate_avg: 145,
      heart_rate_max: 175,
      heart_rate_min: 140,
      energy_burned: 650,
      distance: 10000,
      average_speed: 7.5,
      max_speed: 10,
      elev_high: 10,
      elev_low: -2.5,
    });
  });

  it('west of UTC the offset is negative and the UTC start later', () => {
    const result = mapped(mapExercise, { ...EXERCISE, start_time_utc_offset: -300 });
    expect(result.events[0]).toMatchObject({ start: at('2024-01-15T13:00:00Z'), zoneOffset: '-05:00' });
  });

  it('samples are series from the start every recording-rate seconds; offline values and unknown types are left out', () => {
    const result = mapped(mapExercise, EXERCISE);
    const start = at('2024-01-15T07:00:00Z');
    expect(seriesOf(result, 'heart_rate')).toEqual([
      { timestamp: start, value: 140, zoneOffset: '+01:00', isDailyTotal: null },
      { timestamp: start + 10_000, value: 150, zoneOffset: '+01:00', isDailyTotal: null },
      { timestamp: start + 20_000, value: 160, zoneOffset: '+01:00', isDailyTotal: null },
    ]);
    // km/h -> m/s
    expect(seriesOf(result, 'speed').map((s) => s.value)).toEqual([10, 5]);
    expect(seriesOf(result, 'elevation').map((s) => s.value)).toEqual([-2.5, 10]);
    expect(result.series.map((s) => s.series).sort()).toEqual(['elevation', 'heart_rate', 'speed']);
  });

  it.each([
    ['id', { id: undefined }],
    ['id with a slash', { id: 'a/b' }],
    ['start', { start_time: '2024-01-15 08:00' }],
    ['offset', { start_time_utc_offset: 'x' }],
    ['duration', { duration: '1 hour' }],
  ])('is skipped without a usable %s', (_, change) => {
    expect(mapped(mapExercise, { ...EXERCISE, ...change })).toMatchObject({
      ok: false,
      events: [],
      series: [],
    });
  });

  it('never throws and never yields NaN, whatever the body', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), (value, extra) => {
        for (const item of [value, { ...EXERCISE, ...extra }]) {
          const result = mapped(mapExercise, item);
          for (const s of result.series)
            for (const sample of s.samples) expect(Number.isFinite(sample.value)).toBe(true);
          for (const e of result.events) expect(Number.isFinite(e.start) && e.end >= e.start).toBe(true);
        }
      }),
    );
  });
});

describe('workout types', () => {
  it.each([
    ['RUNNING', 'RUNNING_TRAIL', 'trail_running'],
    ['CYCLING', 'CYCLING_INDOOR', 'indoor_cycling'],
    ['OTHER', 'CYCLING_MOUNTAIN_BIKE', 'mountain_biking'],
    ['SWIMMING', 'SWIMMING_OPEN_WATER', 'open_water_swimming'],
    ['OTHER', 'FITNESS_YOGA', 'yoga'],
    ['RUNNING', 'SOMETHING_NEW', 'running'],
    ['OTHER', null, 'generic'],
    ['CURLING', null, 'other'],
    [null, null, 'other'],
  ])('(%s, %s) -> %s', (sport, detailed, type) => {
    expect(polarWorkoutType(sport, detailed)).toBe(type);
  });
});

/** providers.md 4.2's example night. */
const NIGHT = {
  polar_user: 'https://www.polaraccesslink.com/v3/users/12345',
  date: '2024-01-15',
  sleep_start_time: '2024-01-14T23:00:00+02:00',
  sleep_end_time: '2024-01-15T07:00:00+02:00',
  device_id: '1111AAAA',
  continuity: 3.1,
  continuity_class: 3,
  light_sleep: 14400,
  deep_sleep: 5400,
  rem_sleep: 7200,
  total_interruption_duration: 1800,
  long_interruption_duration: 300,
  sleep_score: 82,
  sleep_charge: 4,
  group_duration_score: 4.2,
  group_solidity_score: 3.8,
  hypnogram: { '23:00': 0, '23:30': 2, '00:30': 4, '02:30': 1, '04:00': 2, '05:00': 3 },
  heart_rate_samples: { '23:30': 58, '00:00': 54, '00:30': 52 },
};

describe('sleep', () => {
  it('is a session in UTC with its offset, keyed by date, with minutes per stage and the efficiency', () => {
    const result = mapped(mapSleep, NIGHT);
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({
      category: 'sleep',
      start: at('2024-01-14T21:00:00Z'),
      end: at('2024-01-15T05:00:00Z'),
      zoneOffset: '+02:00',
      durationSeconds: 8 * 3600,
      externalId: '2024-01-15',
      details: {
        sleep_total_duration_minutes: 450,
        sleep_time_in_bed_minutes: 480,
        sleep_efficiency_score: 93.75,
        sleep_light_minutes: 240,
        sleep_deep_minutes: 90,
        sleep_rem_minutes: 120,
        sleep_awake_minutes: 30,
        is_nap: false,
      },
    });
  });

  it('turns the hypnogram into stages across midnight, merging equal neighbours (codes 2 and 3 are light)', () => {
    const [night] = mapped(mapSleep, NIGHT).events as Array<Extract<HealthEvent, { category: 'sleep' }>>;
    expect(night!.details.sleep_stages).toEqual([
      { stage: 'awake', start: at('2024-01-14T21:00:00Z'), end: at('2024-01-14T21:30:00Z') },
      { stage: 'light', start: at('2024-01-14T21:30:00Z'), end: at('2024-01-14T22:30:00Z') },
      { stage: 'deep', start: at('2024-01-14T22:30:00Z'), end: at('2024-01-15T00:30:00Z') },
      { stage: 'rem', start: at('2024-01-15T00:30:00Z'), end: at('2024-01-15T02:00:00Z') },
      { stage: 'light', start: at('2024-01-15T02:00:00Z'), end: at('2024-01-15T05:00:00Z') },
    ]);
  });

  it('has its score at the date and heart rate in floating local time', () => {
    const result = mapped(mapSleep, NIGHT);
    expect(result.scores).toEqual([
      expect.objectContaining({
        category: 'sleep',
        value: 82,
        recordedAt: at('2024-01-15T00:00:00Z'),
        zoneOffset: null,
        components: {
          duration_score: { value: 4.2, qualifier: null },
          solidity_score: { value: 3.8, qualifier: null },
          continuity: { value: 3.1, qualifier: 'fairly_continuous' },
          long_interruption_seconds: { value: 300, qualifier: null },
          sleep_charge: { value: 4, qualifier: 'above_usual' },
        },
      }),
    ]);
    expect(seriesOf(result, 'heart_rate')).toEqual([
      { timestamp: at('2024-01-14T23:30:00Z'), value: 58, zoneOffset: null, isDailyTotal: null },
      { timestamp: at('2024-01-15T00:00:00Z'), value: 54, zoneOffset: null, isDailyTotal: null },
      { timestamp: at('2024-01-15T00:30:00Z'), value: 52, zoneOffset: null, isDailyTotal: null },
    ]);
  });

  it('is skipped when the end is not after the start', () => {
    expect(mapped(mapSleep, { ...NIGHT, sleep_end_time: NIGHT.sleep_start_time }).ok).toBe(false);
    expect(mapped(mapSleep, { ...NIGHT, sleep_start_time: '2024-01-14T23:00:00' }).ok).toBe(false);
  });
});

const RECHARGE = {
  date: '2024-01-15',
  heart_rate_avg: 52,
  beat_to_beat_avg: 1154,
  heart_rate_variability_avg: 48,
  breathing_rate_avg: 14.5,
  nightly_recharge_status: 5,
  ans_charge: 1.2,
  ans_charge_status: 3,
  hrv_samples: { '23:50': 40, '00:41': 50 },
  breathing_samples: { '00:41': 14.1 },
};

describe('nightly recharge', () => {
  it('is a recovery score of the status, with the ANS charge and the night averages as components', () => {
    expect(mapped(mapRecharge, RECHARGE).scores).toEqual([
      expect.objectContaining({
        category: 'recovery',
        value: 5,
        qualifier: 'good',
        recordedAt: at('2024-01-15T00:00:00Z'),
        components: {
          nightly_recharge_status: { value: 5, qualifier: 'good' },
          ans_charge: { value: 1.2, qualifier: 'usual' },
          ans_charge_status: { value: 3, qualifier: 'usual' },
          heart_rate_avg: { value: 52, qualifier: null },
          beat_to_beat_avg_ms: { value: 1154, qualifier: null },
          hrv_rmssd_avg_ms: { value: 48, qualifier: null },
          breathing_rate_avg: { value: 14.5, qualifier: null },
        },
      }),
    ]);
  });

  it('keeps HRV (RMSSD, ms) and breathing samples of the night ending on the date, in floating local time', () => {
    const result = mapped(mapRecharge, RECHARGE);
    expect(seriesOf(result, 'heart_rate_variability_rmssd').map((s) => [s.timestamp, s.value])).toEqual([
      [at('2024-01-14T23:50:00Z'), 40],
      [at('2024-01-15T00:41:00Z'), 50],
    ]);
    expect(seriesOf(result, 'respiratory_rate').map((s) => [s.timestamp, s.value])).toEqual([
      [at('2024-01-15T00:41:00Z'), 14.1],
    ]);
  });

  it('keeps the averages when there are no samples', () => {
    const result = mapped(mapRecharge, { ...RECHARGE, hrv_samples: undefined, breathing_samples: {} });
    expect(seriesOf(result, 'heart_rate_variability_rmssd')).toMatchObject([
      { timestamp: at('2024-01-14T12:00:00Z'), value: 48 },
    ]);
    expect(seriesOf(result, 'respiratory_rate')).toMatchObject([
      { timestamp: at('2024-01-14T12:00:00Z'), value: 14.5 },
    ]);
  });
});

describe('day-level records', () => {
  it('an activity day is daily totals at its date: steps, active and basal kcal, metres, active minutes', () => {
    const result = mapped(mapActivityDay, {
      start_time: '2024-01-15T00:00:00',
      end_time: '2024-01-15T23:59:59',
      active_duration: 'PT2H45M',
      calories: 2410,
      active_calories: 420,
      steps: 9500,
      distance_from_steps: 7200.0,
    });
    const day = at('2024-01-15T00:00:00Z');
    const totals = Object.fromEntries(result.series.map((s) => [s.series, s.samples]));
    expect(totals).toEqual({
      steps: [{ timestamp: day, value: 9500, zoneOffset: null, isDailyTotal: true }],
      energy: [{ timestamp: day, value: 420, zoneOffset: null, isDailyTotal: true }],
      basal_energy: [{ timestamp: day, value: 1990, zoneOffset: null, isDailyTotal: true }],
      distance_walking_running: [{ timestamp: day, value: 7200, zoneOffset: null, isDailyTotal: true }],
      active_time: [{ timestamp: day, value: 165, zoneOffset: null, isDailyTotal: true }],
    });
  });

  it('continuous heart rate is the device clock of the date, implausible values left out', () => {
    const result = mapped(mapContinuousHeartRate, {
      date: '2024-01-15',
      heart_rate_samples: [
        { heart_rate: 62, sample_time: '08:00:00' },
        { heart_rate: 65, sample_time: '08:05:00' },
        { heart_rate: 0, sample_time: '08:10:00' },
        { heart_rate: 70, sample_time: '25:00:00' },
      ],
    });
    expect(seriesOf(result, 'heart_rate').map((s) => [s.timestamp, s.value])).toEqual([
      [at('2024-01-15T08:00:00Z'), 62],
      [at('2024-01-15T08:05:00Z'), 65],
    ]);
  });

  it('physical information is weight (kg), height (cm), VO2max and resting heart rate at its modification', () => {
    const result = mapped(mapPhysicalInfo, {
      weight: 70.5,
      height: 175.0,
      modified: '2024-06-10T12:00:00Z',
      maximum_heart_rate: 190,
      resting_heart_rate: 60,
      vo2_max: 50,
    });
    const values = Object.fromEntries(
      result.series.map((s) => [s.series, s.samples.map((x) => [x.timestamp, x.value])]),
    );
    const time = at('2024-06-10T12:00:00Z');
    expect(values).toEqual({
      weight: [[time, 70.5]],
      height: [[time, 175]],
      vo2_max: [[time, 50]],
      resting_heart_rate: [[time, 60]],
    });
  });
});

describe('value readers', () => {
  it('ISO-8601 durations', () => {
    expect(durationSeconds('PT1H0M0S')).toBe(3600);
    expect(durationSeconds('PT2H44M')).toBe(9840);
    expect(durationSeconds('PT210.026S')).toBeCloseTo(210.026);
    expect(durationSeconds('P1DT2H')).toBe(93600);
    for (const bad of ['PT', 'P', '1H', 'PT-5S', '', null]) expect(durationSeconds(bad)).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 6 }), (s) => durationSeconds(isoDuration(s)) === s),
    );
  });

  it('instants with an offset', () => {
    expect(instantOf('2024-01-14T23:00:00+02:00')).toEqual({
      ms: at('2024-01-14T21:00:00Z'),
      zoneOffset: '+02:00',
      local: at('2024-01-14T23:00:00Z'),
    });
    expect(instantOf('2024-01-15T09:00:00.000Z')?.zoneOffset).toBe('+00:00');
    expect(instantOf('2024-01-15T09:00:00')).toBeNull();
    expect(instantOf('2024-02-30T09:00:00Z')).toBeNull();
  });

  it('clock times of a night follow the anchor across midnight', () => {
    const anchor = at('2024-01-14T23:00:00Z');
    const clock = 23 * 3600;
    expect(clockAfter(anchor, clock, 23 * 3600 + 1800)).toBe(at('2024-01-14T23:30:00Z'));
    expect(clockAfter(anchor, clock, 1800)).toBe(at('2024-01-15T00:30:00Z'));
    expect(clockAfter(anchor, clock, 22 * 3600 + 3000, 3600)).toBe(at('2024-01-14T22:50:00Z'));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_399 }), fc.integer({ min: 0, max: 86_399 }), (a, c) => {
        const time = clockAfter(anchor, a, c);
        return (
          time >= anchor && time < anchor + 86_400_000 && ((time - anchor) / 1000 + a - c) % 86_400 === 0
        );
      }),
    );
  });
});
