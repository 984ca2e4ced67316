import { describe, expect, it } from 'vitest';
import type { SourceRef } from '#shared/model/health-data.js';
import { SERIES_TYPES } from '#shared/model/series.js';
import { WORKOUT_TYPES } from '#shared/model/workout-types.js';
import { mapActivity, mapActivityDetails } from '#shared/providers/garmin/activities.js';
import { mapGarminSummaries } from '#shared/providers/garmin/mapping.js';
import { GARMIN_WORKOUT_TYPES, garminWorkoutType } from '#shared/providers/garmin/workout-types.js';
import type { PullResult } from '#shared/providers/types.js';

const USER = '4aacafe82427c251df9c9592d0c06768';
const s = (seconds: number) => seconds * 1000;

const garmin = (device: string | null = null): SourceRef => ({
  provider: 'garmin',
  deviceModel: device ?? 'Garmin',
  sourceName: device ?? 'Garmin',
  softwareVersion: null,
  originalSourceName: device,
});

/** providers.md 4.1, first example push, verbatim. */
const ACTIVITY = {
  userId: USER,
  summaryId: '21047283047',
  activityId: 21047283047,
  activityName: 'Morning Run',
  activityType: 'RUNNING',
  deviceName: 'Forerunner 965',
  startTimeInSeconds: 1763597760,
  startTimeOffsetInSeconds: 3600,
  durationInSeconds: 3012,
  distanceInMeters: 10034.2,
  steps: 8910,
  activeKilocalories: 702,
  averageHeartRateInBeatsPerMinute: 151,
  maxHeartRateInBeatsPerMinute: 178,
  averageSpeedInMetersPerSecond: 3.33,
  averageRunCadenceInStepsPerMinute: 172.0,
  manual: false,
};

/** providers.md 4.1, second example push, verbatim. */
const SLEEP = {
  userId: USER,
  summaryId: 'x36bc70e-6a3c0608',
  calendarDate: '2024-01-15',
  startTimeInSeconds: 1705273200,
  startTimeOffsetInSeconds: -18000,
  durationInSeconds: 28800,
  deepSleepDurationInSeconds: 5400,
  lightSleepDurationInSeconds: 14400,
  remSleepInSeconds: 7200,
  awakeDurationInSeconds: 1800,
  validation: 'DEVICE',
  sleepLevelsMap: {
    deep: [{ startTimeInSeconds: 1705274100, endTimeInSeconds: 1705279500 }],
    light: [{ startTimeInSeconds: 1705273200, endTimeInSeconds: 1705274100 }],
    rem: [{ startTimeInSeconds: 1705279500, endTimeInSeconds: 1705286700 }],
    awake: [{ startTimeInSeconds: 1705286700, endTimeInSeconds: 1705288500 }],
  },
  overallSleepScore: { value: 84, qualifier: 'GOOD' },
  sleepScores: { totalDuration: { qualifierKey: 'GOOD' }, stress: { qualifierKey: 'FAIR' } },
  naps: [{ napStartTimeInSeconds: 1705330800, napDurationInSeconds: 1800, napOffsetInSeconds: -18000 }],
};

/** providers.md 4.1, third example push, verbatim. */
const WELLNESS = {
  dailies: [
    {
      userId: USER,
      summaryId: 'x36bc70e-65a4b300-15180-0',
      calendarDate: '2024-01-15',
      startTimeInSeconds: 1705294800,
      startTimeOffsetInSeconds: -18000,
      durationInSeconds: 86400,
      steps: 9500,
      distanceInMeters: 7200.5,
      activeTimeInSeconds: 4200,
      activeKilocalories: 650,
      bmrKilocalories: 1700,
      floorsClimbed: 12,
      restingHeartRateInBeatsPerMinute: 55,
      averageStressLevel: 35,
      maxStressLevel: 84,
      stressQualifier: 'balanced',
      timeOffsetHeartRateSamples: { '0': 62, '15': 63, '30': 61 },
    },
  ],
  hrv: [
    {
      userId: USER,
      summaryId: 'hrv-123',
      calendarDate: '2024-01-15',
      startTimeInSeconds: 1705273200,
      startTimeOffsetInSeconds: -18000,
      lastNightAvg: 48,
      hrvValues: { '300': 45, '600': 52 },
    },
  ],
  stressDetails: [
    {
      userId: USER,
      summaryId: 'sd-123',
      startTimeInSeconds: 1705276800,
      startTimeOffsetInSeconds: -18000,
      durationInSeconds: 86400,
      timeOffsetStressLevelValues: { '0': 25, '180': 30, '360': -1 },
      timeOffsetBodyBatteryValues: { '0': 75, '180': 74 },
    },
  ],
  activityFiles: [
    {
      userId: USER,
      activityId: 21047283047,
      fileType: 'FIT',
      callbackURL: 'https://apis.garmin.com/wellness-api/rest/activityFile?id=123&token=abc',
    },
  ],
  deregistrations: [{ userId: USER }],
  userPermissionsChange: [{ userId: USER, permissions: ['ACTIVITY_EXPORT', 'HEALTH_EXPORT'] }],
};

/** Samples of one series as [timestamp, value, isDailyTotal] (all sources). */
const seriesOf = (result: PullResult, series: string) =>
  result.series
    .filter((x) => x.series === series)
    .flatMap((x) => x.samples.map((sample) => [sample.timestamp, sample.value, sample.isDailyTotal]));

describe('garmin push mapping: providers.md examples (golden)', () => {
  it('maps the activities example', () => {
    const { result, skipped } = mapGarminSummaries({ activities: [ACTIVITY] });
    expect(skipped).toBe(0);
    expect(result).toEqual({
      series: [],
      scores: [],
      events: [
        {
          category: 'workout',
          type: 'running',
          source: garmin('Forerunner 965'),
          start: s(1763597760),
          end: s(1763597760 + 3012),
          zoneOffset: '+01:00',
          durationSeconds: 3012,
          externalId: '21047283047',
          details: {
            heart_rate_avg: 151,
            heart_rate_max: 178,
            energy_burned: 702,
            distance: 10034.2,
            steps_count: 8910,
            average_speed: 3.33,
            average_cadence: 172,
          },
        },
      ],
    });
  });

  it('maps the sleeps example: night with stages, nap, score', () => {
    const { result, skipped } = mapGarminSummaries({ sleeps: [SLEEP] });
    expect(skipped).toBe(0);
    expect(result.series).toEqual([]);
    expect(result.events).toEqual([
      {
        category: 'sleep',
        type: 'sleep_session',
        source: garmin(),
        start: s(1705273200),
        end: s(1705273200 + 28800),
        zoneOffset: '-05:00',
        durationSeconds: 28800,
        externalId: 'x36bc70e-6a3c0608',
        details: {
          sleep_total_duration_minutes: 450,
          sleep_time_in_bed_minutes: 480,
          sleep_efficiency_score: 93.75,
          sleep_deep_minutes: 90,
          sleep_rem_minutes: 120,
          sleep_light_minutes: 240,
          sleep_awake_minutes: 30,
          is_nap: false,
          sleep_stages: [
            { stage: 'light', start: s(1705273200), end: s(1705274100) },
            { stage: 'deep', start: s(1705274100), end: s(1705279500) },
            { stage: 'rem', start: s(1705279500), end: s(1705286700) },
            { stage: 'awake', start: s(1705286700), end: s(1705288500) },
          ],
        },
      },
      {
        category: 'sleep',
        type: 'sleep_session',
        source: garmin(),
        start: s(1705330800),
        end: s(1705330800 + 1800),
        zoneOffset: '-05:00',
        durationSeconds: 1800,
        externalId: 'x36bc70e-6a3c0608:nap:1705330800',
        details: {
          sleep_total_duration_minutes: 30,
          sleep_time_in_bed_minutes: 30,
          sleep_efficiency_score: null,
          sleep_deep_minutes: null,
          sleep_rem_minutes: null,
          sleep_light_minutes: null,
          sleep_awake_minutes: null,
          is_nap: true,
          sleep_stages: null,
        },
      },
    ]);
    expect(result.scores).toEqual([
      {
        source: garmin(),
        category: 'sleep',
        value: 84,
        qualifier: 'GOOD',
        recordedAt: s(1705273200),
        zoneOffset: '-05:00',
        components: {
          totalDuration: { value: null, qualifier: 'GOOD' },
          stress: { value: null, qualifier: 'FAIR' },
        },
      },
    ]);
  });

  it('maps the dailies / hrv / stressDetails example and skips the FIT file', () => {
    const { result, skipped } = mapGarminSummaries(WELLNESS);
    expect(skipped).toBe(1);
    const day = s(1705294800);
    // totals one second after the day's start, clear of the first epoch's timestamp
    const totals = day + 1000;
    expect(seriesOf(result, 'steps')).toEqual([[totals, 9500, true]]);
    expect(seriesOf(result, 'energy')).toEqual([[totals, 650, true]]);
    expect(seriesOf(result, 'basal_energy')).toEqual([[totals, 1700, true]]);
    expect(seriesOf(result, 'distance_walking_running')).toEqual([[totals, 7200.5, true]]);
    expect(seriesOf(result, 'active_time')).toEqual([[totals, 70, true]]);
    expect(seriesOf(result, 'flights_climbed')).toEqual([[totals, 12, true]]);
    expect(seriesOf(result, 'resting_heart_rate')).toEqual([[day, 55, null]]);
    expect(seriesOf(result, 'heart_rate')).toEqual([
      [day, 62, null],
      [day + 15_000, 63, null],
      [day + 30_000, 61, null],
    ]);
    const night = s(1705273200);
    expect(seriesOf(result, 'heart_rate_variability_rmssd')).toEqual([
      [night, 48, null],
      [night + 300_000, 45, null],
      [night + 600_000, 52, null],
    ]);
    const stress = s(1705276800);
    expect(seriesOf(result, 'garmin_stress_level')).toEqual([
      [stress, 25, null],
      [stress + 180_000, 30, null],
    ]);
    expect(seriesOf(result, 'garmin_body_battery')).toEqual([
      [stress, 75, null],
      [stress + 180_000, 74, null],
    ]);
    expect(result.scores).toEqual([
      {
        source: garmin(),
        category: 'stress',
        value: 35,
        qualifier: 'Balanced',
        recordedAt: day,
        zoneOffset: '-05:00',
        components: null,
      },
      {
        source: garmin(),
        category: 'body_battery',
        value: 75,
        qualifier: null,
        recordedAt: stress,
        zoneOffset: '-05:00',
        components: null,
      },
    ]);
    expect(result.events).toEqual([]);
    for (const sample of result.series.flatMap((x) => x.samples)) expect(sample.zoneOffset).toBe('-05:00');
  });

  it('outputs only series codes of SERIES_TYPES', () => {
    const { result } = mapGarminSummaries({ ...WELLNESS, sleeps: [SLEEP], activities: [ACTIVITY] });
    for (const { series } of result.series) expect(Object.hasOwn(SERIES_TYPES, series)).toBe(true);
  });
});

describe('garmin sleeps', () => {
  it('prefers qualifierKey over qualifier (discrepancy #9) and reads component values', () => {
    const { result } = mapGarminSummaries({
      sleeps: [
        {
          ...SLEEP,
          overallSleepScore: { value: 71, qualifierKey: 'FAIR', qualifier: 'GOOD' },
          sleepScores: { remPercentage: { value: 21, qualifierKey: 'EXCELLENT', qualifier: 'POOR' } },
        },
      ],
    });
    expect(result.scores[0]).toMatchObject({
      value: 71,
      qualifier: 'FAIR',
      components: { remPercentage: { value: 21, qualifier: 'EXCELLENT' } },
    });
  });

  it('extends the night to the last stage, keeps unmeasurable as unknown, and maps night readings', () => {
    const { result } = mapGarminSummaries({
      sleeps: [
        {
          summaryId: 'night',
          startTimeInSeconds: 1000,
          durationInSeconds: 600,
          sleepLevelsMap: {
            light: [{ startTimeInSeconds: 1000, endTimeInSeconds: 1500 }],
            unmeasurable: [{ startTimeInSeconds: 1500, endTimeInSeconds: 1900 }],
            other: [{ startTimeInSeconds: 1900, endTimeInSeconds: 2500 }],
            rem: [{ startTimeInSeconds: 1200, endTimeInSeconds: 1100 }, 'junk'],
          },
          timeOffsetSleepSpo2: { '0': 95, '60': 0 },
          timeOffsetSleepRespiration: { '30': 14.5 },
        },
      ],
    });
    const [night] = result.events;
    expect(night).toMatchObject({ start: s(1000), end: s(1900), durationSeconds: 900, zoneOffset: null });
    expect(night?.category === 'sleep' && night.details.sleep_stages).toEqual([
      { stage: 'light', start: s(1000), end: s(1500) },
      { stage: 'unknown', start: s(1500), end: s(1900) },
    ]);
    expect(night?.category === 'sleep' && night.details.sleep_total_duration_minutes).toBeNull();
    expect(result.scores).toEqual([]);
    expect(seriesOf(result, 'oxygen_saturation')).toEqual([[s(1000), 95, null]]);
    expect(seriesOf(result, 'respiratory_rate')).toEqual([[s(1030), 14.5, null]]);
  });
});

describe('garmin workouts', () => {
  const DETAILS = {
    userId: USER,
    summaryId: '21047283047-detail',
    activityId: 21047283047,
    summary: {
      activityType: 'RUNNING',
      deviceName: 'Forerunner 965',
      startTimeInSeconds: 1763597760,
      startTimeOffsetInSeconds: 3600,
      durationInSeconds: 3012,
      totalElevationGainInMeters: 42.5,
      maxSpeedInMetersPerSecond: 4.9,
      averageHeartRateInBeatsPerMinute: 150,
    },
    samples: [
      {
        startTimeInSeconds: 1763597760,
        heartRate: 120,
        speedMetersPerSecond: 3.1,
        stepsPerMinute: 168,
        powerInWatts: 250,
        elevationInMeters: -3.5,
        latitudeInDegree: 51.5,
        longitudeInDegree: -0.12,
        airTemperatureCelcius: 11,
      },
      { startTimeInSeconds: 1763597761, heartRate: 0, latitudeInDegree: 91 },
      'junk',
    ],
  };

  it('keys activities and activityDetails by activityId, so they merge into one workout', () => {
    const activity = mapActivity(ACTIVITY);
    const details = mapActivityDetails(DETAILS);
    expect(details?.events[0]?.externalId).toBe(activity?.externalId);
    expect(details?.events[0]).toMatchObject({ type: 'running', start: activity?.start, end: activity?.end });

    const { result, skipped } = mapGarminSummaries({ activityDetails: [DETAILS], activities: [ACTIVITY] });
    expect(skipped).toBe(0);
    expect(result.events).toHaveLength(1);
    expect(result.events[0]?.details).toEqual({
      heart_rate_avg: 150,
      heart_rate_max: 178,
      energy_burned: 702,
      distance: 10034.2,
      steps_count: 8910,
      average_speed: 3.33,
      average_cadence: 172,
      max_speed: 4.9,
      total_elevation_gain: 42.5,
    });
  });

  it('maps activityDetails samples to the workout device', () => {
    const result = mapActivityDetails(DETAILS)!;
    const t = s(1763597760);
    expect(seriesOf(result, 'heart_rate')).toEqual([[t, 120, null]]);
    expect(seriesOf(result, 'speed')).toEqual([[t, 3.1, null]]);
    expect(seriesOf(result, 'cadence')).toEqual([[t, 168, null]]);
    expect(seriesOf(result, 'power')).toEqual([[t, 250, null]]);
    expect(seriesOf(result, 'elevation')).toEqual([[t, -3.5, null]]);
    expect(seriesOf(result, 'latitude')).toEqual([[t, 51.5, null]]);
    expect(seriesOf(result, 'longitude')).toEqual([[t, -0.12, null]]);
    expect(seriesOf(result, 'air_temperature')).toEqual([[t, 11, null]]);
    for (const x of result.series) {
      expect(x.source).toEqual(garmin('Forerunner 965'));
      expect(x.samples[0]?.zoneOffset).toBe('+01:00');
    }
  });

  it('falls back to summaryId and reads the type through the table (not lower-cased raw)', () => {
    const { activityId: _, ...withoutId } = ACTIVITY;
    expect(mapActivity({ ...withoutId, activityType: ' trail_running ' })).toMatchObject({
      externalId: '21047283047',
      type: 'trail_running',
    });
    const { activityId: __, ...detailsWithoutId } = DETAILS;
    expect(mapActivityDetails(detailsWithoutId)?.events[0]?.externalId).toBe('21047283047');
    expect(mapActivity({ ...ACTIVITY, activityType: 'SOMETHING_NEW' })?.type).toBe('other');
  });
});

describe('garmin bad items', () => {
  it('skips and counts malformed items without failing the batch', () => {
    const { result, skipped } = mapGarminSummaries({
      activities: [
        ACTIVITY,
        null,
        'x',
        { ...ACTIVITY, startTimeInSeconds: 'soon' },
        { durationInSeconds: 5 },
      ],
      activityDetails: [{ activityId: 1 }, { summary: { startTimeInSeconds: -1, durationInSeconds: 1 } }],
      sleeps: [{ ...SLEEP, durationInSeconds: undefined }, [], 42],
      dailies: [{ calendarDate: 'yesterday' }, { startTimeInSeconds: 1705294800 }],
      stressDetails: [{ startTimeInSeconds: 1, timeOffsetStressLevelValues: { '0': -1, '1': -2 } }],
      mct: [{ periodStartDate: '2024-02-30', cycleLength: 28 }, { periodStartDate: '2024-02-01' }],
      unknownType: [{ whatever: true }],
    });
    expect(result.events).toHaveLength(1);
    expect(skipped).toBe(4 + 2 + 3 + 2 + 1 + 2);
  });

  it('ignores a known key that is not a list', () => {
    expect(mapGarminSummaries({ sleeps: { not: 'a list' } })).toEqual({
      result: { series: [], events: [], scores: [] },
      skipped: 0,
      types: [],
    });
  });
});

describe('garmin workout types', () => {
  it('maps every entry to a unified workout type, keys upper-snake', () => {
    const valid = new Set<string>(WORKOUT_TYPES);
    expect(Object.keys(GARMIN_WORKOUT_TYPES).length).toBeGreaterThanOrEqual(135);
    for (const [key, type] of Object.entries(GARMIN_WORKOUT_TYPES)) {
      expect(valid.has(type)).toBe(true);
      expect(key).toMatch(/^[A-Z0-9]+(_[A-Z0-9]+)*$/);
    }
  });

  it.each([
    ['RUNNING', 'running'],
    ['INDOOR_RUNNING', 'treadmill'],
    ['TREADMILL_RUNNING', 'treadmill'],
    ['TRAIL_RUNNING', 'trail_running'],
    ['VIRTUAL_RIDE', 'indoor_cycling'],
    ['E_BIKE_MOUNTAIN', 'e_biking'],
    ['BOULDERING', 'indoor_climbing'],
    ['HIIT', 'cardio_training'],
    ['INDOOR_CARDIO', 'cardio_training'],
    ['WHEELCHAIR_PUSH_RUN', 'running'],
    ['  lap_swimming ', 'pool_swimming'],
    ['Speed Walking', 'walking_fitness'],
    ['KAYAKING_V2', 'kayaking'],
    ['NOT_A_TYPE', 'other'],
    ['', 'other'],
  ])('%j -> %s', (input, expected) => {
    expect(garminWorkoutType(input)).toBe(expected);
  });

  it('is other for anything but a string', () => {
    expect(garminWorkoutType(undefined)).toBe('other');
    expect(garminWorkoutType(42)).toBe('other');
  });
});
