import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HealthEvent } from '#shared/model/health-data.js';
import { PullOutput } from '#shared/providers/output.js';
import type { PullResult } from '#shared/providers/types.js';
import { mapDailyActivity } from '#shared/providers/withings/activity.js';
import { localMidnight, zoneOffsetAt } from '#shared/providers/withings/common.js';
import { mapMeasureGroup, measureValue } from '#shared/providers/withings/measures.js';
import { mapNight, nightDetail } from '#shared/providers/withings/sleep.js';
import { mapWorkout } from '#shared/providers/withings/workouts.js';

/** What the read API would get: value by series (one sample each in these tests). */
const valuesOf = (result: PullResult) =>
  Object.fromEntries(result.series.map((s) => [s.series, s.samples.map((x) => x.value)]));

const run = (build: (out: PullOutput) => void) => {
  const out = new PullOutput();
  build(out);
  return { result: out.result(), skipped: out.skipped };
};

// 2024-07-09T06:40:00Z: summer time in Paris (+02:00).
const JULY = 1_720_507_200;

describe('measures (getmeas)', () => {
  const group = (measures: unknown[], fields: Record<string, unknown> = {}) => ({
    grpid: 1,
    attrib: 0,
    date: JULY,
    category: 1,
    model: 'Body Cardio',
    measures,
    ...fields,
  });

  it('turns value x 10^unit into each series canonical unit', () => {
    const { result, skipped } = run((out) =>
      mapMeasureGroup(
        out,
        group([
          { type: 1, value: 72345, unit: -3 },
          { type: 4, value: 1805, unit: -3 },
          { type: 6, value: 21450, unit: -3 },
          { type: 8, value: 15518, unit: -3 },
          { type: 5, value: 56827, unit: -3 },
          { type: 76, value: 5342, unit: -2 },
          { type: 77, value: 3979, unit: -2 },
          { type: 88, value: 297, unit: -2 },
          { type: 91, value: 7123, unit: -3 },
          { type: 170, value: 7, unit: 0 },
          { type: 155, value: 38, unit: 0 },
          { type: 227, value: 35, unit: 0 },
          { type: 123, value: 425, unit: -1 },
        ]),
        'Europe/Paris',
      ),
    );
    expect(skipped).toBe(0);
    expect(valuesOf(result)).toEqual({
      weight: [72.345],
      height: [180.5],
      body_fat_percentage: [21.45],
      body_fat_mass: [15.518],
      lean_body_mass: [56.827],
      muscle_mass: [53.42],
      body_water_mass: [39.79],
      bone_mass: [2.97],
      pulse_wave_velocity: [7.123],
      visceral_fat_index: [7],
      vascular_age: [38],
      metabolic_age: [35],
      vo2_max: [42.5],
    });
    const sample = result.series[0]!.samples[0]!;
    expect(sample).toEqual({
      timestamp: JULY * 1000,
      value: 72.345,
      zoneOffset: '+02:00',
      isDailyTotal: null,
    });
    expect(result.series[0]!.source).toMatchObject({ provider: 'withings', deviceModel: 'Body Cardio' });
  });

  it('blood pressure, pulse, SpO2 and temperatures', () => {
    const { result } = run((out) =>
      mapMeasureGroup(
        out,
        group([
          { type: 10, value: 121, unit: 0 },
          { type: 9, value: 79, unit: 0 },
          { type: 11, value: 64, unit: 0 },
          { type: 54, value: 97, unit: 0 },
          { type: 71, value: 3680, unit: -2 },
          { type: 73, value: 33150, unit: -3 },
        ]),
        'UTC',
      ),
    );
    expect(valuesOf(result)).toEqual({
      blood_pressure_systolic: [121],
      blood_pressure_diastolic: [79],
      heart_rate: [64],
      oxygen_saturation: [97],
      body_temperature: [36.8],
      skin_temperature: [33.15],
    });
    expect(result.series[0]!.samples[0]!.zoneOffset).toBe('+00:00');
  });

  it('leaves out objectives and ambiguous groups quietly, and counts broken records as skipped', () => {
    const weight = [{ type: 1, value: 70000, unit: -3 }];
    const { result, skipped } = run((out) => {
      mapMeasureGroup(out, group(weight, { category: 2 }), 'UTC');
      mapMeasureGroup(out, group(weight, { attrib: 1 }), 'UTC');
      mapMeasureGroup(out, group([{ type: 135, value: 90, unit: 0 }]), 'UTC');
      mapMeasureGroup(out, group(weight, { date: 'yesterday' }), 'UTC');
      mapMeasureGroup(out, 'not a group', 'UTC');
      mapMeasureGroup(
        out,
        group([
          { type: 1, value: -70000, unit: -3 },
          { type: 6, value: 150, unit: 0 },
        ]),
        'UTC',
      );
    });
    expect(result.series).toEqual([]);
    expect(skipped).toBe(4);
  });

  it('value x 10^unit for any integer mantissa and exponent (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: -8, max: 3 }), (value, unit) => {
        const reading = measureValue({ type: 1, value, unit });
        expect(reading?.series).toBe('weight');
        expect(reading!.value).toBeCloseTo(value * 10 ** unit, 6);
      }),
    );
  });

  it('never yields a reading from a broken measure (property)', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (type, value, unit) => {
        const reading = measureValue({ type, value, unit });
        if (reading) expect(Number.isFinite(reading.value) && reading.value >= 0).toBe(true);
      }),
    );
  });
});

describe('zones', () => {
  it('IANA zones become the offset of the instant, DST included', () => {
    expect(zoneOffsetAt('Europe/Paris', Date.parse('2024-01-15T12:00:00Z'))).toBe('+01:00');
    expect(zoneOffsetAt('Europe/Paris', Date.parse('2024-07-15T12:00:00Z'))).toBe('+02:00');
    expect(zoneOffsetAt('America/St_Johns', Date.parse('2024-01-15T12:00:00Z'))).toBe('-03:30');
    expect(zoneOffsetAt('Not/AZone', 0)).toBeNull();
    expect(zoneOffsetAt(undefined, 0)).toBeNull();
  });

  it('local midnight of a day in its zone', () => {
    expect(localMidnight('2024-07-15', 'Europe/Paris')).toEqual({
      at: Date.parse('2024-07-14T22:00:00Z'),
      zoneOffset: '+02:00',
    });
    expect(localMidnight('2024-03-31', 'Europe/Paris').at).toBe(Date.parse('2024-03-30T23:00:00Z'));
    expect(localMidnight('2024-07-15', null)).toEqual({
      at: Date.parse('2024-07-15T00:00:00Z'),
      zoneOffset: null,
    });
  });
});

describe('daily activity (getactivity)', () => {
  it('daily totals just after local midnight: steps, distance m, floors, active minutes, kcal', () => {
    const { result } = run((out) =>
      mapDailyActivity(out, {
        date: '2024-07-15',
        timezone: 'Europe/Paris',
        model: 'ScanWatch',
        steps: 8421,
        distance: 6231.5,
        elevation: 12,
        active: 2700,
        calories: 412.3,
        totalcalories: 2062.3,
      }),
    );
    expect(valuesOf(result)).toEqual({
      steps: [8421],
      distance_walking_running: [6231.5],
      flights_climbed: [12],
      active_time: [45],
      energy: [412.3],
      basal_energy: [1650],
    });
    for (const series of result.series)
      expect(series.samples[0]).toEqual(
        expect.objectContaining({
          timestamp: Date.parse('2024-07-14T22:00:01Z'),
          zoneOffset: '+02:00',
          isDailyTotal: true,
        }),
      );
  });

  it('skips a day without a date, and leaves out what is missing or negative', () => {
    const { result, skipped } = run((out) => {
      mapDailyActivity(out, { date: '2024-02-30', steps: 10 });
      mapDailyActivity(out, { date: '2024-02-01', steps: -5, calories: 'lots', distance: 100 });
    });
    expect(skipped).toBe(1);
    expect(valuesOf(result)).toEqual({ distance_walking_running: [100] });
  });
});

describe('workouts (getworkouts)', () => {
  it('an event with the Withings id, the category as type and the measured details', () => {
    const { result } = run((out) =>
      mapWorkout(out, {
        id: 987654321,
        category: 2,
        timezone: 'Europe/Paris',
        startdate: JULY,
        enddate: JULY + 2700,
        date: '2024-07-09',
        data: {
          calories: 431,
          distance: 7520,
          steps: 6900,
          hr_average: 148,
          hr_min: 96,
          hr_max: 176,
          manual_calories: 0,
        },
      }),
    );
    expect(result.events).toEqual([
      {
        category: 'workout',
        type: 'running',
        source: expect.objectContaining({ provider: 'withings', sourceName: 'Withings' }),
        start: JULY * 1000,
        end: (JULY + 2700) * 1000,
        zoneOffset: '+02:00',
        durationSeconds: 2700,
        externalId: '987654321',
        details: {
          energy_burned: 431,
          distance: 7520,
          steps_count: 6900,
          heart_rate_avg: 148,
          heart_rate_min: 96,
          heart_rate_max: 176,
        },
      },
    ]);
  });

  it('manual values stand in, unknown categories are other, "no activity" and broken ones are left out', () => {
    const { result, skipped } = run((out) => {
      mapWorkout(out, {
        id: 1,
        category: 9999,
        startdate: JULY,
        enddate: JULY + 60,
        data: { manual_calories: 80, manual_distance: 1000 },
      });
      mapWorkout(out, { id: 2, category: 128, startdate: JULY, enddate: JULY + 60 });
      mapWorkout(out, { id: 3, category: 1, startdate: JULY + 60, enddate: JULY });
      mapWorkout(out, { category: 1, startdate: JULY, enddate: JULY + 60 });
    });
    expect(skipped).toBe(2);
    expect(
      result.events.map((e) => [
        e.externalId,
        e.type,
        (e as Extract<HealthEvent, { category: 'workout' }>).details,
      ]),
    ).toEqual([['1', 'other', { energy_burned: 80, distance: 1000 }]]);
  });
});

describe('sleep (getsummary + get)', () => {
  const start = JULY - 8 * 3600;
  const summary = {
    id: 555,
    timezone: 'Europe/Paris',
    startdate: start,
    enddate: start + 8 * 3600,
    date: '2024-07-09',
    data: {
      total_timeinbed: 28_800,
      total_sleep_time: 27_000,
      lightsleepduration: 15_000,
      deepsleepduration: 6_000,
      remsleepduration: 6_000,
      wakeupduration: 1_800,
      sleep_efficiency: 0.94,
      sleep_score: 82,
    },
  };
  const detail = nightDetail({
    series: [
      {
        startdate: start,
        enddate: start + 1800,
        state: 0,
        hr: { [start]: 58, [start + 600]: 56 },
        rr: { [start]: 14 },
      },
      {
        startdate: start + 1800,
        enddate: start + 5400,
        state: 1,
        rmssd: { [start + 1800]: 45 },
        sdnn_1: { [start + 1800]: 52 },
      },
      { startdate: start + 5400, enddate: start + 7200, state: 2, hr: { [start + 5400]: 50 } },
      { startdate: start + 7200, enddate: start + 9000, state: 3 },
      { startdate: start + 9000, enddate: start + 9000, state: 1 },
      { startdate: start + 9000, enddate: start + 9600, state: 42 },
    ],
  });

  it('one sleep event with durations in minutes, efficiency in percent and the stage timeline', () => {
    const { result } = run((out) => mapNight(out, summary, detail));
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({
      category: 'sleep',
      type: 'sleep_session',
      start: start * 1000,
      end: (start + 28_800) * 1000,
      zoneOffset: '+02:00',
      durationSeconds: 28_800,
      externalId: '555',
      details: {
        sleep_total_duration_minutes: 450,
        sleep_time_in_bed_minutes: 480,
        sleep_efficiency_score: 94,
        sleep_deep_minutes: 100,
        sleep_rem_minutes: 100,
        sleep_light_minutes: 250,
        sleep_awake_minutes: 30,
        is_nap: false,
        sleep_stages: [
          { stage: 'awake', start: start * 1000, end: (start + 1800) * 1000 },
          { stage: 'light', start: (start + 1800) * 1000, end: (start + 5400) * 1000 },
          { stage: 'deep', start: (start + 5400) * 1000, end: (start + 7200) * 1000 },
          { stage: 'rem', start: (start + 7200) * 1000, end: (start + 9000) * 1000 },
        ],
      },
    });
  });

  it('the sleep score and the night samples: heart rate, respiration, HRV', () => {
    const { result } = run((out) => mapNight(out, summary, detail));
    expect(result.scores).toEqual([
      expect.objectContaining({
        category: 'sleep',
        value: 82,
        recordedAt: start * 1000,
        zoneOffset: '+02:00',
      }),
    ]);
    expect(valuesOf(result)).toEqual({
      heart_rate: [58, 56, 50],
      respiratory_rate: [14],
      heart_rate_variability_rmssd: [45],
      heart_rate_variability_sdnn: [52],
    });
  });

  it('without a detail or with a partial summary the event still stands; without an id it is skipped', () => {
    const partial = { ...summary, data: { lightsleepduration: 3600, deepsleepduration: 1800 } };
    const { result, skipped } = run((out) => {
      mapNight(out, partial, null);
      mapNight(out, { ...summary, id: undefined }, detail);
    });
    expect(skipped).toBe(1);
    expect(result.events[0]!.details).toMatchObject({
      sleep_total_duration_minutes: 90,
      sleep_time_in_bed_minutes: 480,
      sleep_efficiency_score: 18.75,
      sleep_stages: null,
    });
    expect(result.scores).toEqual([]);
  });
});
