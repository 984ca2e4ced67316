import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SeriesSamples } from '#shared/model/health-data.js';
import { WORKOUT_TYPES } from '#shared/model/workout-types.js';
import { PullOutput } from '#shared/providers/output.js';
import { map247, mapDailyStatistics } from '#shared/providers/suunto/samples-247.js';
import { SUUNTO_ACTIVITY_TYPES, suuntoWorkoutType } from '#shared/providers/suunto/workout-types.js';
import { mapWorkout, mapWorkoutSamples } from '#shared/providers/suunto/workouts.js';
import { isoInstant } from '#shared/providers/time.js';
import type { PullResult } from '#shared/providers/types.js';

/** providers.md 4.3's example workout. */
const WORKOUT = {
  workoutId: 651234567,
  workoutKey: '65a4f1c2e4b0a1b2c3d4e5f6',
  activityId: 1,
  startTime: 1705309200000,
  stopTime: 1705312800000,
  totalTime: 3600.0,
  timeOffsetInMinutes: 60,
  totalDistance: 10012.4,
  stepCount: 8700,
  energyConsumption: 650,
  avgSpeed: 2.78,
  maxSpeed: 4.1,
  totalAscent: 150.0,
  totalDescent: 140.0,
  maxAltitude: 210.0,
  minAltitude: 95.0,
  hrdata: { workoutAvgHR: 145, workoutMaxHR: 175, userMaxHR: 196, avg: 145, hrmax: 175, max: 196, min: 98 },
  gear: {
    manufacturer: 'Suunto',
    name: 'Suunto 9 Peak',
    displayName: 'Suunto 9 Peak Pro',
    serialNumber: '012345678901',
    swVersion: '2.25.20',
  },
};

const NIGHT = {
  timestamp: '2026-05-17T02:13:00.000+02:00',
  entryData: {
    BedtimeStart: '2026-05-17T02:13:00.000+02:00',
    BedtimeEnd: '2026-05-17T09:19:00.000+02:00',
    Duration: 25560.0,
    DeepSleepDuration: 5610.0,
    LightSleepDuration: 17970.0,
    REMSleepDuration: 1710.0,
    HRAvg: 67.0,
    HRMin: 52.0,
    AvgHRV: 41.0,
    MaxSpo2: 0.98,
    SleepQualityScore: 75,
    IsNap: false,
    SleepId: 1778976780,
  },
};

const seriesOf = (result: PullResult, series: string): SeriesSamples | undefined =>
  result.series.find((s) => s.series === series);
const valuesOf = (result: PullResult, series: string) => seriesOf(result, series)?.samples ?? [];

describe('suunto workouts', () => {
  it('maps the documented workout: times UTC, zone from timeOffsetInMinutes, speeds in m/s, max HR not the user max', () => {
    const workout = mapWorkout(WORKOUT)!;
    expect(workout).toMatchObject({
      category: 'workout',
      type: 'running',
      start: 1705309200000,
      end: 1705312800000,
      zoneOffset: '+01:00',
      durationSeconds: 3600,
      externalId: '65a4f1c2e4b0a1b2c3d4e5f6',
      source: {
        provider: 'suunto',
        deviceModel: 'Suunto 9 Peak',
        sourceName: 'Suunto 9 Peak Pro',
        softwareVersion: '2.25.20',
      },
    });
    expect(workout.details).toEqual({
      heart_rate_avg: 145,
      heart_rate_max: 175,
      heart_rate_min: 98,
      steps_count: 8700,
      energy_burned: 650,
      distance: 10012.4,
      average_speed: 2.78,
      max_speed: 4.1,
      moving_time_seconds: 3600,
      total_elevation_gain: 150,
      elev_high: 210,
      elev_low: 95,
    });
  });

  it('ends at start + totalTime without stopTime, falls back to workoutAvgHR/workoutMaxHR, "Suunto" without gear', () => {
    const { stopTime, gear, hrdata, ...rest } = WORKOUT;
    const workout = mapWorkout({
      ...rest,
      timeOffsetInMinutes: -330,
      hrdata: { workoutAvgHR: 140, workoutMaxHR: 170, max: 199 },
    })!;
    expect(workout.end).toBe(WORKOUT.startTime + 3_600_000);
    expect(workout.zoneOffset).toBe('-05:30');
    expect(workout.details).toMatchObject({ heart_rate_avg: 140, heart_rate_max: 170 });
    expect(workout.source).toMatchObject({ deviceModel: null, sourceName: 'Suunto' });
  });

  it('refuses a workout without key, start or end, or with a key that would change the path', () => {
    expect(mapWorkout({ ...WORKOUT, workoutKey: undefined })).toBeNull();
    expect(mapWorkout({ ...WORKOUT, workoutKey: '../247samples' })).toBeNull();
    expect(mapWorkout({ ...WORKOUT, startTime: 'soon' })).toBeNull();
    expect(mapWorkout({ ...WORKOUT, stopTime: undefined, totalTime: undefined })).toBeNull();
    expect(mapWorkout([WORKOUT])).toBeNull();
  });

  it('types every listed activity id with a known workout type, and unknown ids as other', () => {
    for (const type of Object.values(SUUNTO_ACTIVITY_TYPES)) expect(WORKOUT_TYPES).toContain(type);
    expect(Object.keys(SUUNTO_ACTIVITY_TYPES)).toHaveLength(121);
    expect(suuntoWorkoutType(22)).toBe('trail_running');
    expect(suuntoWorkoutType('23')).toBe('strength_training');
    expect(suuntoWorkoutType(31)).toBe('backcountry_skiing');
    expect(suuntoWorkoutType(89)).toBe('other');
    expect(suuntoWorkoutType(1.5)).toBe('other');
    expect(suuntoWorkoutType(null)).toBe('other');
  });

  it('maps recorded samples to series of the workout’s device in m/s, rpm, W and m; strays are skipped', () => {
    const workout = mapWorkout(WORKOUT)!;
    const out = new PullOutput();
    mapWorkoutSamples(out, workout, [
      { timestamp: WORKOUT.startTime, heartRate: 120, speed: 2.5, cadence: 84, power: 250, altitude: -3.5 },
      { timestamp: WORKOUT.startTime + 1000, heartRate: 0, speed: 2.6 },
      { timestamp: WORKOUT.stopTime + 1000, heartRate: 150 },
      { timestamp: WORKOUT.startTime + 2000 },
      'junk',
    ]);
    const result = out.result();
    expect(out.skipped).toBe(3);
    expect(valuesOf(result, 'heart_rate').map((s) => s.value)).toEqual([120]);
    expect(valuesOf(result, 'speed').map((s) => s.value)).toEqual([2.5, 2.6]);
    expect(valuesOf(result, 'cadence')[0]).toMatchObject({
      value: 84,
      zoneOffset: '+01:00',
      isDailyTotal: null,
    });
    expect(valuesOf(result, 'power')[0]?.value).toBe(250);
    expect(valuesOf(result, 'elevation')[0]?.value).toBe(-3.5);
    expect(seriesOf(result, 'speed')?.source.deviceModel).toBe('Suunto 9 Peak');
  });
});

describe('suunto 24/7 samples', () => {
  it('a night: event with durations in minutes, resting HR from HRMin and RMSSD at wake-up, quality as sleep score', () => {
    const out = new PullOutput();
    map247(out, 'sleep', [NIGHT]);
    const result = out.result();
    const wake = Date.parse('2026-05-17T07:19:00Z');
    expect(result.events).toEqual([
      expect.objectContaining({
        category: 'sleep',
        start: Date.parse('2026-05-17T00:13:00Z'),
        end: wake,
        zoneOffset: '+02:00',
        durationSeconds: 25560,
        externalId: '1778976780',
        details: {
          sleep_total_duration_minutes: 422,
          sleep_time_in_bed_minutes: 426,
          sleep_efficiency_score: 98.94,
          sleep_deep_minutes: 94,
          sleep_rem_minutes: 29,
          sleep_light_minutes: 300,
          sleep_awake_minutes: 5,
          is_nap: false,
          sleep_stages: null,
        },
      }),
    ]);
    expect(valuesOf(result, 'resting_heart_rate')).toEqual([
      { timestamp: wake, value: 52, zoneOffset: '+02:00', isDailyTotal: null },
    ]);
    expect(valuesOf(result, 'heart_rate_variability_rmssd')[0]?.value).toBe(41);
    expect(result.scores).toEqual([
      expect.objectContaining({ category: 'sleep', value: 75, recordedAt: wake }),
    ]);
  });

  it('a nap is flagged and gives no resting heart rate or score', () => {
    const out = new PullOutput();
    map247(out, 'sleep', [
      { ...NIGHT, entryData: { ...NIGHT.entryData, IsNap: true, BedtimeEnd: undefined, Duration: 1800 } },
    ]);
    const result = out.result();
    expect(result.events[0]).toMatchObject({
      end: Date.parse('2026-05-17T00:43:00Z'),
      details: { is_nap: true },
    });
    expect(result.series).toEqual([]);
    expect(result.scores).toEqual([]);
  });

  it('recovery: Balance x 100 as recovery score, StressState as stress score and component', () => {
    const out = new PullOutput();
    map247(out, 'recovery', [
      { timestamp: '2026-05-17T10:00:00.000+02:00', entryData: { Balance: 0.72, StressState: 1 } },
      { timestamp: '2026-05-17T12:00:00.000+02:00', entryData: { Balance: 0.5 } },
      { timestamp: '2026-05-17T14:00:00.000+02:00', entryData: { Balance: 72, StressState: 9 } },
    ]);
    const at = Date.parse('2026-05-17T08:00:00Z');
    expect(out.result().scores).toEqual([
      {
        source: expect.objectContaining({ provider: 'suunto' }),
        category: 'recovery',
        value: 72,
        qualifier: null,
        recordedAt: at,
        zoneOffset: '+02:00',
        components: { stress_state: { value: 1, qualifier: 'relaxing' } },
      },
      expect.objectContaining({ category: 'stress', value: 1, qualifier: 'relaxing', recordedAt: at }),
      expect.objectContaining({ category: 'recovery', value: 50, components: null }),
    ]);
    expect(out.skipped).toBe(1);
  });

  it('activity: energy joules -> kcal, SpO2 fraction -> percent, HR, steps and HRV at the sample time', () => {
    const out = new PullOutput();
    map247(out, 'activity', [
      {
        timestamp: '2026-05-17T10:00:00.000+02:00',
        entryData: { HR: 72, StepCount: 140, SpO2: 0.97, EnergyConsumption: 41840, HRV: 38 },
      },
      { timestamp: '2026-05-17T10:10:00.000+02:00', entryData: { SpO2: 96, HRV: 0, HR: -1 } },
      { timestamp: 'yesterday', entryData: { HR: 70 } },
      { timestamp: '2026-05-17T10:20:00.000+02:00', entryData: {} },
    ]);
    const result = out.result();
    const at = Date.parse('2026-05-17T08:00:00Z');
    expect(valuesOf(result, 'energy')).toEqual([
      { timestamp: at, value: 10, zoneOffset: '+02:00', isDailyTotal: false },
    ]);
    expect(valuesOf(result, 'steps')[0]).toMatchObject({ value: 140, isDailyTotal: false });
    expect(valuesOf(result, 'oxygen_saturation').map((s) => s.value)).toEqual([97, 96]);
    expect(valuesOf(result, 'heart_rate').map((s) => s.value)).toEqual([72]);
    expect(valuesOf(result, 'heart_rate_variability_rmssd').map((s) => s.value)).toEqual([38]);
    expect(out.skipped).toBe(2);
  });

  it('daily statistics: totals at the day start, energy in kcal, null days left out, the larger of two sources', () => {
    const out = new PullOutput();
    mapDailyStatistics(out, [
      {
        Name: 'stepcount',
        Sources: [
          {
            Samples: [
              { TimeISO8601: '2026-05-14T00:00:00+02:00', Value: 10234 },
              { TimeISO8601: '2026-05-15T00:00:00+02:00', Value: null },
            ],
          },
          { Samples: [{ TimeISO8601: '2026-05-14T00:00:00+02:00', Value: 9000 }] },
        ],
      },
      {
        Name: 'energyconsumption',
        Sources: [{ Samples: [{ TimeISO8601: '2019-02-12T02:00:00.000', Value: 640580.3985 }] }],
      },
      {
        Name: 'heartrate',
        Sources: [{ Samples: [{ TimeISO8601: '2026-05-14T00:00:00+02:00', Value: 60 }] }],
      },
    ]);
    const result = out.result();
    expect(valuesOf(result, 'steps')).toEqual([
      {
        timestamp: Date.parse('2026-05-13T22:00:00Z'),
        value: 10234,
        zoneOffset: '+02:00',
        isDailyTotal: true,
      },
    ]);
    expect(valuesOf(result, 'energy')).toEqual([
      { timestamp: Date.parse('2019-02-12T02:00:00Z'), value: 153.102, zoneOffset: null, isDailyTotal: true },
    ]);
    expect(out.skipped).toBe(0);
  });
});

describe('suunto timestamps', () => {
  it('read any instant with any offset back exactly, and refuse impossible dates and offsets', () => {
    const offsets = fc.integer({ min: -12 * 60, max: 14 * 60 });
    const instants = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) });
    fc.assert(
      fc.property(instants, offsets, (at, offset) => {
        const wall = new Date(at + offset * 60_000).toISOString().slice(0, 23);
        const sign = offset < 0 ? '-' : '+';
        const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
        const mm = String(Math.abs(offset) % 60).padStart(2, '0');
        expect(isoInstant(`${wall}${sign}${hh}:${mm}`)).toEqual({
          at,
          zoneOffset: offset === 0 ? '+00:00' : `${sign}${hh}:${mm}`,
        });
        expect(isoInstant(`${wall}${sign}${hh}${mm}`)?.at).toBe(at);
      }),
    );
    expect(isoInstant('2026-05-14T00:00:00Z')).toEqual({
      at: Date.parse('2026-05-14T00:00:00Z'),
      zoneOffset: '+00:00',
    });
    expect(isoInstant('2026-02-30T00:00:00+02:00')).toBeNull();
    expect(isoInstant('2026-05-14T24:00:00+02:00')).toBeNull();
    expect(isoInstant('2026-05-14T00:00:00+15:00')).toBeNull();
    expect(isoInstant('2026-05-14')).toBeNull();
    expect(isoInstant(1_705_309_200_000)).toBeNull();
  });
});
