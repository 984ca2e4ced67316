import { SDK_METRIC_TYPES } from '#shared/ingest/sdk-mappings.js';
import type { SdkProvider } from '#shared/model/provider.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';

/**
 * How synthetic samples of a series are spread and sized: when in the day they fall (UTC hours), how often, and
 * their plausible range in the series' canonical unit. A series without its own shape gets one daily sample.
 */
export interface SeriesShape {
  /** Hours of the day that carry samples, and how many minutes apart within them. */
  hours: readonly number[];
  everyMinutes: number;
  /** Only every `everyDays`-th day (weekly measurements). */
  everyDays?: number;
  range: readonly [number, number];
  integer?: boolean;
}

const ALL_DAY = Array.from({ length: 24 }, (_, h) => h);
const DAYTIME = Array.from({ length: 15 }, (_, h) => h + 7);
const NIGHT = [1, 3, 5];
const hourly = (range: readonly [number, number], integer = true, hours = DAYTIME): SeriesShape => ({
  hours,
  everyMinutes: 60,
  range,
  integer,
});
const daily = (hour: number, range: readonly [number, number], everyDays = 1): SeriesShape => ({
  hours: [hour],
  everyMinutes: 60,
  everyDays,
  range,
});

const SHAPES: Partial<Record<SeriesType, SeriesShape>> = {
  heart_rate: { hours: ALL_DAY, everyMinutes: 10, range: [52, 110], integer: true },
  steps: hourly([0, 1400]),
  energy: hourly([5, 90], false),
  basal_energy: hourly([55, 75], false, ALL_DAY),
  distance_walking_running: hourly([0, 1000], false),
  flights_climbed: hourly([0, 3]),
  resting_heart_rate: daily(8, [50, 66]),
  heart_rate_variability_sdnn: daily(4, [28, 85]),
  oxygen_saturation: { hours: NIGHT, everyMinutes: 60, range: [94, 99], integer: true },
  respiratory_rate: { hours: NIGHT, everyMinutes: 60, range: [12, 18] },
  weight: daily(7, [68, 72], 7),
  body_fat_percentage: daily(7, [17, 21], 7),
  vo2_max: daily(18, [40, 48], 7),
  body_temperature: daily(7, [36.3, 37.0]),
  blood_glucose: { hours: [7, 12, 18, 22], everyMinutes: 60, range: [80, 140], integer: true },
  blood_pressure_systolic: daily(8, [108, 132]),
  blood_pressure_diastolic: daily(8, [68, 86]),
  stand_time: hourly([0, 5]),
  exercise_time: daily(20, [5, 75]),
  time_in_daylight: daily(19, [10, 150]),
  environmental_audio_exposure: hourly([40, 78], false),
  headphone_audio_exposure: { hours: [8, 13, 18], everyMinutes: 60, range: [55, 82] },
};

export const shapeOf = (series: SeriesType): SeriesShape => SHAPES[series] ?? daily(12, [10, 100]);

/** Workout-bound series: per-minute values inside workouts of these unified types. */
export const WORKOUT_BOUND_SHAPES: Partial<Record<SeriesType, { types: string[]; range: [number, number] }>> =
  {
    running_power: { types: ['running'], range: [190, 340] },
    running_speed: { types: ['running'], range: [2.4, 4.6] },
    cadence: { types: ['running', 'cycling'], range: [75, 95] },
    power: { types: ['cycling'], range: [120, 290] },
    swimming_stroke_count: { types: ['swimming'], range: [14, 32] },
  };

/**
 * The SDK metric `type` that carries `series` for `provider` (a HealthKit identifier for Apple, a Health Connect
 * name otherwise), read from the SDK mapping itself; undefined when that SDK has none.
 */
export function sdkMetricType(series: SeriesType, provider: SdkProvider): string | undefined {
  const apple = provider === 'apple';
  return Object.keys(SDK_METRIC_TYPES).find(
    (type) => SDK_METRIC_TYPES[type] === series && type.startsWith('HK') === apple,
  );
}

/** A canonical value as the SDK sends it: metres for centimetre series, Apple's body fat as a fraction. */
export function sdkValue(
  series: SeriesType,
  provider: SdkProvider,
  value: number,
): { value: number; unit: string } {
  const unit = SERIES_TYPES[series].unit;
  if (unit === 'cm') return { value: value / 100, unit: 'm' };
  if (series === 'body_fat_percentage' && provider === 'apple') return { value: value / 100, unit: '%' };
  return { value, unit };
}
