import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SERIES_TYPES } from '#shared/model/series.js';
import { mapDocument } from '#shared/providers/oura/collections.js';
import { instantOf } from '#shared/providers/oura/common.js';
import { mapHeartRate, mapPersonalInfo } from '#shared/providers/oura/daily.js';
import { ouraWorkoutType } from '#shared/providers/oura/workout-types.js';
import { PullOutput } from '#shared/providers/output.js';
import type { PullResult } from '#shared/providers/types.js';

/** Oura API v2 documents (providers.md 4.5 examples) -> the unified model, with values and units. */

const M = 60_000;

const SLEEP = {
  id: '8f9a5221-639e-4a10-8a3b-4a3c5b1d6e70',
  day: '2024-01-15',
  type: 'long_sleep',
  period: 0,
  bedtime_start: '2024-01-14T23:00:00+01:00',
  bedtime_end: '2024-01-15T07:00:00+01:00',
  time_in_bed: 28800,
  total_sleep_duration: 27000,
  deep_sleep_duration: 5400,
  light_sleep_duration: 14400,
  rem_sleep_duration: 7200,
  awake_time: 1800,
  efficiency: 88,
  latency: 300,
  lowest_heart_rate: 48,
  average_heart_rate: 55.0,
  average_hrv: 45,
  average_breath: 15.5,
  sleep_phase_5_min: '4222211113332222444',
  heart_rate: {
    interval: 300.0,
    items: [null, 56.0, 54.0, 52.0],
    timestamp: '2024-01-14T23:00:00.000+01:00',
  },
  hrv: { interval: 300.0, items: [null, 41.0, 47.0, 50.0], timestamp: '2024-01-14T23:00:00.000+01:00' },
};

const ACTIVITY = {
  id: '1a2b3c',
  day: '2024-01-15',
  timestamp: '2024-01-15T04:00:00.000+01:00',
  score: 82,
  active_calories: 420,
  total_calories: 2410,
  steps: 9500,
  equivalent_walking_distance: 7200,
  high_activity_time: 600,
  medium_activity_time: 2400,
  low_activity_time: 9000,
  class_5_min: '1234501',
  met: { interval: 60, items: [0.9, 1.2, null, 3.5], timestamp: '2024-01-15T04:00:00.000+01:00' },
  contributors: {
    meet_daily_targets: 60,
    move_every_hour: 100,
    recovery_time: 100,
    stay_active: 77,
    training_frequency: 100,
    training_volume: 98,
  },
};

const samplesOf = (result: PullResult | null, series: string) =>
  result?.series.find((s) => s.series === series)?.samples ?? [];

describe('oura times', () => {
  it('reads the offset Oura writes and keeps it', () => {
    expect(instantOf('2024-01-14T23:00:00.000+01:00')).toEqual({
      at: Date.UTC(2024, 0, 14, 22),
      zoneOffset: '+01:00',
    });
    expect(instantOf('2024-01-15T08:00:00Z')).toEqual({ at: Date.UTC(2024, 0, 15, 8), zoneOffset: '+00:00' });
    expect(instantOf('2024-01-15T08:00:00.123456-05:30')?.at).toBe(Date.UTC(2024, 0, 15, 13, 30, 0, 123));
    for (const bad of ['2024-01-15T08:00:00', '2024-01-15', '2024-01-15T08:00:00+15:00', 42, null, 'x'])
      expect(instantOf(bad)).toBeNull();
  });
});

describe('oura sleep', () => {
  it('maps the night: times, durations in minutes, efficiency, stages from the 5-minute hypnogram', () => {
    const result = mapDocument('sleep', SLEEP);
    const [event] = result!.events;
    expect(event).toMatchObject({
      category: 'sleep',
      type: 'sleep_session',
      externalId: SLEEP.id,
      start: Date.UTC(2024, 0, 14, 22),
      end: Date.UTC(2024, 0, 15, 6),
      zoneOffset: '+01:00',
      durationSeconds: 28_800,
      source: { provider: 'oura', sourceName: 'Oura' },
      details: {
        sleep_total_duration_minutes: 450,
        sleep_time_in_bed_minutes: 480,
        sleep_efficiency_score: 88,
        sleep_deep_minutes: 90,
        sleep_light_minutes: 240,
        sleep_rem_minutes: 120,
        sleep_awake_minutes: 30,
        is_nap: false,
      },
    });
    const t0 = Date.UTC(2024, 0, 14, 22);
    expect(event!.category === 'sleep' && event!.details.sleep_stages).toEqual([
      { stage: 'awake', start: t0, end: t0 + 5 * M },
      { stage: 'light', start: t0 + 5 * M, end: t0 + 25 * M },
      { stage: 'deep', start: t0 + 25 * M, end: t0 + 45 * M },
      { stage: 'rem', start: t0 + 45 * M, end: t0 + 60 * M },
      { stage: 'light', start: t0 + 60 * M, end: t0 + 80 * M },
      { stage: 'awake', start: t0 + 80 * M, end: t0 + 95 * M },
    ]);
  });

  it('keeps the 5-minute heart rate and HRV (RMSSD, ms), the lowest heart rate as resting and the breathing rate', () => {
    const result = mapDocument('sleep', SLEEP);
    const t0 = Date.UTC(2024, 0, 14, 22);
    expect(samplesOf(result, 'heart_rate').map((s) => [s.timestamp, s.value])).toEqual([
      [t0 + 5 * M, 56],
      [t0 + 10 * M, 54],
      [t0 + 15 * M, 52],
    ]);
    expect(samplesOf(result, 'heart_rate_variability_rmssd').map((s) => s.value)).toEqual([41, 47, 50]);
    expect(samplesOf(result, 'resting_heart_rate')).toEqual([
      { timestamp: t0, value: 48, zoneOffset: '+01:00', isDailyTotal: null },
    ]);
    expect(samplesOf(result, 'respiratory_rate')[0]?.value).toBe(15.5);
  });

  it('prefers the 30-second hypnogram when Oura sends it', () => {
    const result = mapDocument('sleep', { ...SLEEP, sleep_phase_30_sec: '11122' });
    const event = result!.events[0]!;
    const t0 = Date.UTC(2024, 0, 14, 22);
    expect(event.category === 'sleep' && event.details.sleep_stages).toEqual([
      { stage: 'deep', start: t0, end: t0 + 90_000 },
      { stage: 'light', start: t0 + 90_000, end: t0 + 150_000 },
    ]);
  });

  it('naps are flagged; rest periods and deleted sessions are not sleep', () => {
    for (const type of ['sleep', 'late_nap'])
      expect(mapDocument('sleep', { ...SLEEP, type })!.events[0]).toMatchObject({
        details: { is_nap: true },
      });
    expect(mapDocument('sleep', { ...SLEEP, type: 'rest' })).toBeNull();
    expect(mapDocument('sleep', { ...SLEEP, type: 'deleted' })).toBeNull();
  });

  it('a malformed session is skipped, a malformed field only drops that field', () => {
    expect(mapDocument('sleep', { ...SLEEP, bedtime_end: 'soon' })).toBeNull();
    expect(mapDocument('sleep', { ...SLEEP, id: null })).toBeNull();
    const odd = mapDocument('sleep', { ...SLEEP, efficiency: 250, lowest_heart_rate: -3, hrv: 'none' });
    expect(odd!.events[0]).toMatchObject({ details: { sleep_efficiency_score: null } });
    expect(samplesOf(odd, 'resting_heart_rate')).toEqual([]);
    expect(samplesOf(odd, 'heart_rate_variability_rmssd')).toEqual([]);
  });

  it('never throws on arbitrary input, and what it maps is finite and inside the session', () => {
    const field = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.constant(null), fc.boolean());
    fc.assert(
      fc.property(
        fc.record({
          id: field,
          type: fc.oneof(fc.constantFrom('long_sleep', 'sleep', 'rest'), fc.string()),
          bedtime_start: fc.oneof(field, fc.constant(SLEEP.bedtime_start)),
          bedtime_end: fc.oneof(field, fc.constant(SLEEP.bedtime_end)),
          total_sleep_duration: field,
          efficiency: field,
          sleep_phase_5_min: fc.oneof(field, fc.stringMatching(/^[0-9]{0,200}$/)),
          heart_rate: fc.oneof(
            field,
            fc.record({ interval: field, items: fc.array(field), timestamp: field }),
          ),
        }),
        (sleep) => {
          const result = mapDocument('sleep', sleep);
          for (const s of result?.series ?? [])
            for (const sample of s.samples) expect(Number.isFinite(sample.value)).toBe(true);
          for (const event of result?.events ?? []) {
            expect(event.end).toBeGreaterThan(event.start);
            const stages = event.category === 'sleep' ? (event.details.sleep_stages ?? []) : [];
            for (const stage of stages) {
              expect(stage.start).toBeGreaterThanOrEqual(event.start);
              expect(stage.end).toBeLessThanOrEqual(event.end);
              expect(stage.end).toBeGreaterThan(stage.start);
            }
          }
        },
      ),
    );
  });
});

describe('oura workouts', () => {
  const WORKOUT = {
    id: 'oura-workout-abc123',
    activity: 'running',
    calories: 350.5,
    day: '2024-01-15',
    distance: 5000.0,
    start_datetime: '2024-01-15T08:00:00+01:00',
    end_datetime: '2024-01-15T09:00:00+01:00',
    intensity: 'moderate',
    label: null,
    source: 'manual',
  };

  it('maps the workout with its Oura id, local offset, kcal and metres', () => {
    expect(mapDocument('workout', WORKOUT)!.events).toEqual([
      {
        category: 'workout',
        type: 'running',
        source: expect.objectContaining({ provider: 'oura' }),
        start: Date.UTC(2024, 0, 15, 7),
        end: Date.UTC(2024, 0, 15, 8),
        zoneOffset: '+01:00',
        durationSeconds: 3600,
        externalId: 'oura-workout-abc123',
        details: { energy_burned: 350.5, distance: 5000 },
      },
    ]);
  });

  it('activity strings -> workout types, unknown as other', () => {
    expect(ouraWorkoutType('stand_up_paddling')).toBe('stand_up_paddleboarding');
    expect(ouraWorkoutType('weightlifting')).toBe('strength_training');
    expect(ouraWorkoutType('strengthTraining')).toBe('strength_training');
    expect(ouraWorkoutType('hiit')).toBe('cardio_training');
    expect(ouraWorkoutType('breathwork')).toBe('meditation');
    expect(ouraWorkoutType('skiing')).toBe('alpine_skiing');
    expect(ouraWorkoutType('constructor')).toBe('other');
    expect(ouraWorkoutType(undefined)).toBe('other');
  });
});

describe('oura daily documents', () => {
  it('daily_activity: the score with contributors, daily totals in count, kcal, metres, minutes', () => {
    const result = mapDocument('daily_activity', ACTIVITY)!;
    const at = Date.UTC(2024, 0, 15, 3);
    expect(result.scores).toEqual([
      {
        source: expect.objectContaining({ provider: 'oura' }),
        category: 'activity',
        value: 82,
        qualifier: null,
        recordedAt: at,
        zoneOffset: '+01:00',
        components: {
          meet_daily_targets: { value: 60 },
          move_every_hour: { value: 100 },
          recovery_time: { value: 100 },
          stay_active: { value: 77 },
          training_frequency: { value: 100 },
          training_volume: { value: 98 },
        },
      },
    ]);
    const total = (series: string) => samplesOf(result, series).find((s) => s.isDailyTotal);
    expect(total('steps')).toEqual({ timestamp: at, value: 9500, zoneOffset: '+01:00', isDailyTotal: true });
    expect(total('energy')?.value).toBe(420);
    expect(total('distance_walking_running')?.value).toBe(7200);
    expect(total('active_time')?.value).toBe(200);
    expect(SERIES_TYPES.active_time.unit).toBe('minutes');
  });

  it('daily_activity: 1-minute METs, and low/medium/high 5-minute classes as 5 active minutes each', () => {
    const result = mapDocument('daily_activity', ACTIVITY)!;
    const at = Date.UTC(2024, 0, 15, 3);
    expect(samplesOf(result, 'average_met').map((s) => [s.timestamp, s.value])).toEqual([
      [at, 0.9],
      [at + M, 1.2],
      [at + 3 * M, 3.5],
    ]);
    const intraday = samplesOf(result, 'active_time').filter((s) => s.isDailyTotal === false);
    expect(intraday.map((s) => [(s.timestamp - at) / (5 * M), s.value])).toEqual([
      [2, 5],
      [3, 5],
      [4, 5],
    ]);
  });

  it('daily_readiness: the score and the skin temperature deviations in °C', () => {
    const result = mapDocument('daily_readiness', {
      id: 'readiness-abc123',
      day: '2024-01-15',
      score: 82,
      temperature_deviation: 0.15,
      temperature_trend_deviation: -0.05,
      timestamp: '2024-01-15T00:00:00+00:00',
      contributors: { activity_balance: 56, body_temperature: 98, hrv_balance: null },
    })!;
    expect(result.scores[0]).toMatchObject({
      category: 'readiness',
      value: 82,
      recordedAt: Date.UTC(2024, 0, 15),
      components: { activity_balance: { value: 56 }, body_temperature: { value: 98 } },
    });
    expect(samplesOf(result, 'skin_temperature_deviation')[0]?.value).toBe(0.15);
    expect(samplesOf(result, 'skin_temperature_trend_deviation')[0]?.value).toBe(-0.05);
    expect(SERIES_TYPES.skin_temperature_deviation.unit).toBe('celsius');
  });

  it('daily_sleep: the sleep score; a day without a score gives nothing', () => {
    const doc = { id: 's', day: '2024-01-15', timestamp: '2024-01-15T00:00:00+02:00', score: 77 };
    expect(mapDocument('daily_sleep', doc)!.scores[0]).toMatchObject({
      category: 'sleep',
      value: 77,
      recordedAt: Date.UTC(2024, 0, 14, 22),
      zoneOffset: '+02:00',
      components: null,
    });
    expect(mapDocument('daily_sleep', { ...doc, score: null })).toBeNull();
  });

  it('daily_spo2, cardiovascular age and VO2max: values at the day (00:00 UTC without a timestamp)', () => {
    const day = Date.UTC(2024, 0, 15);
    const spo2 = mapDocument('daily_spo2', {
      id: 's1',
      day: '2024-01-15',
      spo2_percentage: { average: 97.4 },
      breathing_disturbance_index: 3,
    });
    expect(samplesOf(spo2, 'oxygen_saturation')).toEqual([
      { timestamp: day, value: 97.4, zoneOffset: null, isDailyTotal: null },
    ]);
    expect(samplesOf(spo2, 'breathing_disturbance_index')[0]?.value).toBe(3);
    const age = mapDocument('daily_cardiovascular_age', { day: '2024-01-15', vascular_age: 31 });
    expect(samplesOf(age, 'cardiovascular_age')).toEqual([
      { timestamp: day, value: 31, zoneOffset: null, isDailyTotal: null },
    ]);
    const vo2 = mapDocument('vO2_max', {
      id: 'v1',
      day: '2024-01-15',
      timestamp: '2024-01-15T00:00:00+00:00',
      vo2_max: 44.0,
    });
    expect(samplesOf(vo2, 'vo2_max')[0]).toMatchObject({ timestamp: day, value: 44 });
    expect(SERIES_TYPES.vo2_max.unit).toBe('ml_kg_min');
    expect(
      mapDocument('daily_spo2', { id: 's', day: 'yesterday', spo2_percentage: { average: 97 } }),
    ).toBeNull();
    expect(
      mapDocument('daily_spo2', { id: 's', day: '2024-01-15', spo2_percentage: { average: 140 } }),
    ).toBeNull();
  });

  it('heart rate items and personal info (weight kg, height m -> cm)', () => {
    const out = new PullOutput();
    expect(mapHeartRate({ bpm: 62, source: 'awake', timestamp: '2024-01-15T08:00:00+00:00' }, out)).toBe(
      true,
    );
    expect(mapHeartRate({ bpm: 'fast', timestamp: '2024-01-15T08:05:00+00:00' }, out)).toBe(false);
    expect(mapPersonalInfo({ id: 'u', weight: 72.5, height: 1.78 }, Date.UTC(2024, 0, 15), out)).toBe(true);
    const result = out.result();
    expect(samplesOf(result, 'heart_rate')).toEqual([
      { timestamp: Date.UTC(2024, 0, 15, 8), value: 62, zoneOffset: '+00:00', isDailyTotal: null },
    ]);
    expect(samplesOf(result, 'weight')[0]?.value).toBe(72.5);
    expect(samplesOf(result, 'height')[0]?.value).toBe(178);
    expect(SERIES_TYPES.height.unit).toBe('cm');
  });
});
