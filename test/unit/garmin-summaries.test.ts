import { describe, expect, it } from 'vitest';
import { mapGarminSummaries } from '#shared/providers/garmin/mapping.js';
import { titleCase } from '#shared/providers/garmin/wellness.js';
import type { PullResult } from '#shared/providers/types.js';

const USER = 'user-1';
const s = (seconds: number) => seconds * 1000;
const T = 1705294800;

const seriesOf = (result: PullResult, series: string) =>
  result.series
    .filter((x) => x.series === series)
    .flatMap((x) => x.samples.map((sample) => [sample.timestamp, sample.value, sample.isDailyTotal]));

const only = (key: string, items: unknown[]) => mapGarminSummaries({ [key]: items });

describe('garmin epochs', () => {
  it('adds up the records of one 15-minute slot and keeps them intraday', () => {
    const { result, skipped } = only('epochs', [
      {
        userId: USER,
        summaryId: 'x-1-SEDENTARY',
        activityType: 'SEDENTARY',
        startTimeInSeconds: T,
        startTimeOffsetInSeconds: 3600,
        durationInSeconds: 900,
        steps: 10,
        activeKilocalories: 1.5,
        distanceInMeters: 7,
        meanHeartRateInBeatsPerMinute: 60,
      },
      {
        userId: USER,
        summaryId: 'x-1-WALKING',
        activityType: 'WALKING',
        startTimeInSeconds: T,
        startTimeOffsetInSeconds: 3600,
        durationInSeconds: 900,
        steps: 300,
        activeKilocalories: 12,
        distanceInMeters: 230,
        meanHeartRateInBeatsPerMinute: 90,
      },
      // a duplicate delivery of the same record counts once
      {
        userId: USER,
        summaryId: 'x-1-WALKING',
        activityType: 'WALKING',
        startTimeInSeconds: T,
        startTimeOffsetInSeconds: 3600,
        steps: 300,
        activeKilocalories: 12,
        distanceInMeters: 230,
        meanHeartRateInBeatsPerMinute: 90,
      },
      { userId: USER, summaryId: 'x-2', startTimeInSeconds: T + 900, steps: 0 },
      { userId: USER, summaryId: 'bad' },
      { userId: USER, summaryId: 'empty', startTimeInSeconds: T + 1800 },
    ]);
    expect(skipped).toBe(2);
    expect(seriesOf(result, 'steps')).toEqual([
      [s(T), 310, false],
      [s(T + 900), 0, false],
    ]);
    expect(seriesOf(result, 'energy')).toEqual([[s(T), 13.5, false]]);
    expect(seriesOf(result, 'distance_walking_running')).toEqual([[s(T), 237, false]]);
    expect(seriesOf(result, 'heart_rate')).toEqual([[s(T), 75, null]]);
    expect(result.series.find((x) => x.series === 'steps')?.samples[0]?.zoneOffset).toBe('+01:00');
  });
});

describe('garmin dailies next to epochs', () => {
  it('keeps the daily total and the first epoch of the day apart', () => {
    const { result } = mapGarminSummaries({
      dailies: [{ userId: USER, startTimeInSeconds: T, steps: 9500 }],
      epochs: [{ userId: USER, summaryId: 'e', startTimeInSeconds: T, steps: 12 }],
    });
    expect(seriesOf(result, 'steps')).toEqual([
      [s(T), 12, false],
      [s(T) + 1000, 9500, true],
    ]);
  });
});

describe('garmin point measurements', () => {
  it('bodyComps: grams to kg at the measurement time', () => {
    const { result } = only('bodyComps', [
      {
        userId: USER,
        summaryId: 'bc',
        measurementTimeInSeconds: T,
        measurementTimeOffsetInSeconds: -25200,
        weightInGrams: 72450,
        bodyFatInPercent: 18.2,
        bodyMassIndex: 22.9,
        muscleMassInGrams: 33100,
        boneMassInGrams: 3000,
      },
    ]);
    expect(seriesOf(result, 'weight')).toEqual([[s(T), 72.45, null]]);
    expect(seriesOf(result, 'body_fat_percentage')).toEqual([[s(T), 18.2, null]]);
    expect(seriesOf(result, 'body_mass_index')).toEqual([[s(T), 22.9, null]]);
    expect(seriesOf(result, 'skeletal_muscle_mass')).toEqual([[s(T), 33.1, null]]);
    expect(result.series[0]?.samples[0]?.zoneOffset).toBe('-07:00');
  });

  it('allDayRespiration: average and offsets, non-positive dropped', () => {
    const { result } = only('allDayRespiration', [
      {
        userId: USER,
        startTimeInSeconds: T,
        avgWakingRespirationValue: 15,
        timeOffsetEpochToBreaths: { '60': 14.2, '120': 0, '180': -1 },
      },
    ]);
    expect(seriesOf(result, 'respiratory_rate')).toEqual([
      [s(T), 15, null],
      [s(T + 60), 14.2, null],
    ]);
  });

  it('pulseox: average and offsets, outside (0, 100] dropped', () => {
    const { result } = only('pulseox', [
      {
        userId: USER,
        startTimeInSeconds: T,
        avgSpo2: 96,
        timeOffsetSpo2Values: { '0': 97, '60': 101, '120': 94 },
      },
    ]);
    // the offset-0 reading replaces the average stamped at the same instant
    expect(seriesOf(result, 'oxygen_saturation')).toEqual([
      [s(T), 97, null],
      [s(T + 120), 94, null],
    ]);
  });

  it('healthSnapshot: each summary avgValue at the start', () => {
    const { result } = only('healthSnapshot', [
      {
        userId: USER,
        summaryId: 'hs',
        startTimeInSeconds: T,
        startTimeOffsetInSeconds: 0,
        durationInSeconds: 120,
        summaries: [
          { summaryType: 'heart_rate', avgValue: 64 },
          { summaryType: 'rmssd_hrv', avgValue: 41.5 },
          { summaryType: 'sdrr_hrv', avgValue: 55 },
          { summaryType: 'stress', avgValue: 0 },
          { summaryType: 'pulse_ox', avgValue: 98 },
          { summaryType: 'respiration', avgValue: 13 },
          { summaryType: 'blood_sugar', avgValue: 5 },
          'junk',
        ],
      },
    ]);
    expect(
      result.series.map((x) => [
        x.series,
        x.samples[0]?.value,
        x.samples[0]?.timestamp,
        x.samples[0]?.zoneOffset,
      ]),
    ).toEqual([
      ['heart_rate', 64, s(T), '+00:00'],
      ['heart_rate_variability_rmssd', 41.5, s(T), '+00:00'],
      ['heart_rate_variability_sdnn', 55, s(T), '+00:00'],
      ['garmin_stress_level', 0, s(T), '+00:00'],
      ['oxygen_saturation', 98, s(T), '+00:00'],
      ['respiratory_rate', 13, s(T), '+00:00'],
    ]);
  });

  it('skinTemp: temperature and deviation', () => {
    const { result } = only('skinTemp', [
      { userId: USER, startTimeInSeconds: T, skinTemperature: 33.4, avgDeviationCelsius: -0.4 },
    ]);
    expect(seriesOf(result, 'skin_temperature')).toEqual([[s(T), 33.4, null]]);
    expect(seriesOf(result, 'skin_temperature_deviation')).toEqual([[s(T), -0.4, null]]);
  });

  it('bloodPressures: measurement time, then the GMT timestamp, then the start', () => {
    const { result, skipped } = only('bloodPressures', [
      {
        userId: USER,
        measurementTimeInSeconds: T,
        measurementTimeOffsetInSeconds: 3600,
        systolic: 120,
        diastolic: 80,
      },
      { userId: USER, measurementTimestampGMT: '2024-01-15T06:00:00', systolic: 118, diastolic: 79 },
      { userId: USER, startTimeInSeconds: T + 7200, systolic: 125, diastolic: 0 },
      { userId: USER, systolic: 125, diastolic: 85 },
    ]);
    expect(skipped).toBe(1);
    expect(seriesOf(result, 'blood_pressure_systolic')).toEqual([
      [s(T), 120, null],
      [Date.UTC(2024, 0, 15, 6), 118, null],
      [s(T + 7200), 125, null],
    ]);
    expect(seriesOf(result, 'blood_pressure_diastolic')).toEqual([
      [s(T), 80, null],
      [Date.UTC(2024, 0, 15, 6), 79, null],
    ]);
  });

  it('userMetrics: vo2 max and fitness age at calendarDate noon UTC', () => {
    const { result } = only('userMetrics', [
      {
        userId: USER,
        summaryId: 'um',
        calendarDate: '2024-01-15',
        vo2Max: 48.0,
        fitnessAge: 31,
        enhanced: true,
      },
    ]);
    const noon = Date.UTC(2024, 0, 15, 12);
    expect(seriesOf(result, 'vo2_max')).toEqual([[noon, 48, null]]);
    expect(seriesOf(result, 'garmin_fitness_age')).toEqual([[noon, 31, null]]);
    expect(result.series[0]?.samples[0]?.zoneOffset).toBeNull();
  });
});

describe('garmin dailies', () => {
  it('falls back to calendarDate noon, drops a -1 stress level, title-cases the qualifier', () => {
    const { result } = only('dailies', [
      {
        userId: USER,
        calendarDate: '2024-01-15',
        steps: 0,
        averageStressLevel: -1,
        stressQualifier: 'unknown',
      },
    ]);
    expect(seriesOf(result, 'steps')).toEqual([[Date.UTC(2024, 0, 15, 12, 0, 1), 0, true]]);
    expect(result.scores).toEqual([]);
    expect(titleCase('very_stressful_awake')).toBe('Very_Stressful_Awake');
    expect(titleCase('CALM')).toBe('Calm');
    expect(titleCase(null)).toBeNull();
  });
});

describe('garmin Move IQ and menstrual cycle', () => {
  it('moveIQActivities: a workout of the Move IQ source', () => {
    const { result } = only('moveIQActivities', [
      {
        userId: USER,
        summaryId: 'miq-1',
        calendarDate: '2024-01-15',
        startTimeInSeconds: T,
        durationInSeconds: 1260,
        offsetInSeconds: -18000,
        activityType: 'Walking',
        activitySubType: 'Speed Walking',
      },
      {
        userId: USER,
        summaryId: 'miq-2',
        startTimeInSeconds: T,
        durationInSeconds: 600,
        activityType: 'Cycling',
      },
    ]);
    expect(result.events).toEqual([
      {
        category: 'workout',
        type: 'walking_fitness',
        source: {
          provider: 'garmin',
          deviceModel: 'Garmin',
          sourceName: 'Garmin Move IQ',
          softwareVersion: null,
          originalSourceName: null,
        },
        start: s(T),
        end: s(T + 1260),
        zoneOffset: '-05:00',
        durationSeconds: 1260,
        externalId: 'miq-1',
        details: {},
      },
      expect.objectContaining({ type: 'cycling', externalId: 'miq-2', zoneOffset: null }),
    ]);
  });

  it('mct: a menstrual_cycle event from the period start for the cycle length', () => {
    const { result } = only('mct', [
      {
        userId: USER,
        summaryId: 'mct-1',
        periodStartDate: '2024-01-02',
        dayInCycle: 14,
        periodLength: 5,
        currentPhase: 2,
        currentPhaseType: 'FOLLICULAR',
        lengthOfCurrentPhase: 9,
        daysUntilNextPhase: 1,
        predictedCycleLength: 29,
        isPredictedCycle: false,
        cycleLength: 28,
        lastUpdatedTimeInSeconds: T,
        hasSpecifiedCycleLength: true,
        hasSpecifiedPeriodLength: false,
        fertileWindowStart: 10,
        lengthOfFertileWindow: 6,
        pregnancySnapshot: { weeks: 0 },
      },
      { userId: USER, summaryId: 'mct-2', periodStartDate: '2024-02-01', predictedCycleLength: 30 },
    ]);
    const start = Date.UTC(2024, 0, 2);
    expect(result.events[0]).toEqual({
      category: 'menstrual_cycle',
      type: null,
      source: {
        provider: 'garmin',
        deviceModel: 'Garmin',
        sourceName: 'Garmin',
        softwareVersion: null,
        originalSourceName: null,
      },
      start,
      end: start + 28 * 86_400_000,
      zoneOffset: null,
      durationSeconds: 28 * 86_400,
      externalId: 'mct-1',
      details: {
        day_in_cycle: 14,
        current_phase: 2,
        current_phase_type: 'FOLLICULAR',
        length_of_current_phase: 9,
        days_until_next_phase: 1,
        predicted_cycle_length: 29,
        is_predicted_cycle: false,
        cycle_length: 28,
        last_updated_at: s(T),
        has_specified_cycle_length: true,
        has_specified_period_length: false,
        period_length: 5,
        fertile_window_start: 10,
        length_of_fertile_window: 6,
        pregnancy_snapshot: [{ weeks: 0 }],
      },
    });
    expect(result.events[1]).toMatchObject({
      start: Date.UTC(2024, 1, 1),
      end: Date.UTC(2024, 1, 1) + 30 * 86_400_000,
      details: { cycle_length: null, predicted_cycle_length: 30, pregnancy_snapshot: null },
    });
  });
});
