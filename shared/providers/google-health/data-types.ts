import type { SeriesType } from '#shared/model/series.js';

/**
 * The metric data types pulled into series (providers.md 4.9 registry), each with the operation that reads it and
 * its value fields in the unified model's canonical units. Sleep and exercise are events (sleep.ts, exercise.ts).
 *
 * Time shapes (what a point's time is, and which AIP-160 field filters it):
 * - `interval`: `<key>.interval.startTime` (`<type>.interval.start_time`);
 * - `sample`: `<key>.sampleTime.physicalTime` (`<type>.sample_time.physical_time`);
 * - `date`: `<key>.date {year, month, day}` at 00:00 UTC (`<type>.date`);
 * - `civil-interval`: an interval filtered by its local start (`<type>.interval.civil_start_time`, hydration logs);
 * - `rollup`: read only as hourly `rollUp` windows (total calories), the window start as the time.
 */

export type TimeShape = 'interval' | 'sample' | 'date' | 'civil-interval' | 'rollup';

export interface ValueField {
  series: SeriesType;
  /** Path inside the point's value object (`<valueKey>`), or inside a rollUp window's. */
  path: readonly string[];
  /** Factor to the canonical unit (mm -> m, g -> kg). */
  scale?: number;
  /** Plausible in the canonical unit: anything else is skipped. */
  valid: (value: number) => boolean;
}

export interface MetricType {
  /** Kebab-case, as in paths: `heart-rate`. */
  dataType: string;
  /** The camelCase key of the value in a data point (`heartRate`) or a rollUp window. */
  valueKey: string;
  shape: TimeShape;
  fields: readonly ValueField[];
  /** The longest range one rollUp request may cover (14 days for total calories). */
  maxRangeDays?: number;
}

const countable = (value: number) => value >= 0;
const positive = (value: number) => value > 0;
const percent = (value: number) => value > 0 && value <= 100;

export const METRIC_TYPES: readonly MetricType[] = [
  {
    dataType: 'steps',
    valueKey: 'steps',
    shape: 'interval',
    fields: [{ series: 'steps', path: ['count'], valid: countable }],
  },
  {
    dataType: 'distance',
    valueKey: 'distance',
    shape: 'interval',
    fields: [{ series: 'distance_walking_running', path: ['millimeters'], scale: 0.001, valid: countable }],
  },
  {
    dataType: 'total-calories',
    valueKey: 'totalCalories',
    shape: 'rollup',
    fields: [{ series: 'energy', path: ['kcalSum'], valid: countable }],
    maxRangeDays: 14,
  },
  {
    dataType: 'hydration-log',
    valueKey: 'hydrationLog',
    shape: 'civil-interval',
    fields: [{ series: 'hydration', path: ['amountConsumed', 'milliliters'], valid: positive }],
  },
  {
    dataType: 'heart-rate',
    valueKey: 'heartRate',
    shape: 'sample',
    fields: [{ series: 'heart_rate', path: ['beatsPerMinute'], valid: positive }],
  },
  {
    dataType: 'run-vo2-max',
    valueKey: 'runVo2Max',
    shape: 'sample',
    fields: [{ series: 'vo2_max', path: ['runVo2Max'], valid: positive }],
  },
  {
    dataType: 'daily-resting-heart-rate',
    valueKey: 'dailyRestingHeartRate',
    shape: 'date',
    fields: [{ series: 'resting_heart_rate', path: ['beatsPerMinute'], valid: positive }],
  },
  {
    dataType: 'heart-rate-variability',
    valueKey: 'heartRateVariability',
    shape: 'sample',
    fields: [
      {
        series: 'heart_rate_variability_rmssd',
        path: ['rootMeanSquareOfSuccessiveDifferencesMilliseconds'],
        valid: positive,
      },
      { series: 'heart_rate_variability_sdnn', path: ['standardDeviationMilliseconds'], valid: positive },
    ],
  },
  {
    dataType: 'weight',
    valueKey: 'weight',
    shape: 'sample',
    fields: [{ series: 'weight', path: ['weightGrams'], scale: 0.001, valid: positive }],
  },
  {
    dataType: 'body-fat',
    valueKey: 'bodyFat',
    shape: 'sample',
    fields: [{ series: 'body_fat_percentage', path: ['percentage'], valid: percent }],
  },
  {
    dataType: 'core-body-temperature',
    valueKey: 'coreBodyTemperature',
    shape: 'sample',
    fields: [{ series: 'body_temperature', path: ['celsius'], valid: (c) => c > 20 && c < 50 }],
  },
  {
    dataType: 'blood-glucose',
    valueKey: 'bloodGlucose',
    shape: 'sample',
    fields: [{ series: 'blood_glucose', path: ['bloodGlucoseMilligramsPerDeciliter'], valid: positive }],
  },
  {
    dataType: 'daily-respiratory-rate',
    valueKey: 'dailyRespiratoryRate',
    shape: 'date',
    fields: [{ series: 'respiratory_rate', path: ['breathsPerMinute'], valid: positive }],
  },
  {
    dataType: 'oxygen-saturation',
    valueKey: 'oxygenSaturation',
    shape: 'sample',
    fields: [{ series: 'oxygen_saturation', path: ['percentage'], valid: percent }],
  },
];

/** Sleep sessions and exercise sessions: listed (they carry the point's `name`), mapped to events. */
export const SESSION_TYPES = ['sleep', 'exercise'] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

export const metricType = (dataType: string) => METRIC_TYPES.find((t) => t.dataType === dataType);

export const isSessionType = (dataType: string): dataType is SessionType =>
  (SESSION_TYPES as readonly string[]).includes(dataType);

/** Every data type a sync reads, in request order. */
export const ALL_DATA_TYPES: readonly string[] = [...METRIC_TYPES.map((t) => t.dataType), ...SESSION_TYPES];
