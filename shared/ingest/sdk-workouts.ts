import { type Drops, lookup, type SeriesCollector, sourceKey } from '#shared/ingest/sdk-collect.js';
import { SDK_WORKOUT_TYPES } from '#shared/ingest/sdk-mappings.js';
import type { Workout } from '#shared/ingest/sdk-payload.js';
import type { HealthEvent, SourceRef, WorkoutDetails } from '#shared/model/health-data.js';
import { isStorableValue } from '#shared/model/limits.js';
import { roundTo } from '#shared/model/numbers.js';
import type { SdkProvider } from '#shared/model/provider.js';
import type { SeriesType } from '#shared/model/series.js';

/** SDK workouts -> workout events and the statistics kept as samples (contract 6.3.2, 6.3.3). */

export type WorkoutEvent = Extract<HealthEvent, { category: 'workout' }>;

type DetailField = keyof WorkoutDetails;

const DETAIL_STATISTICS: Record<string, DetailField> = {
  distance: 'distance',
  stepCount: 'steps_count',
  minHeartRate: 'heart_rate_min',
  averageHeartRate: 'heart_rate_avg',
  meanHeartRate: 'heart_rate_avg',
  maxHeartRate: 'heart_rate_max',
  averageRunningPower: 'average_watts',
  averageRunningSpeed: 'average_speed',
  averageSpeed: 'average_speed',
  meanSpeed: 'average_speed',
  maxSpeed: 'max_speed',
  elevationAscended: 'total_elevation_gain',
  altitudeGain: 'total_elevation_gain',
  maxAltitude: 'elev_high',
  minAltitude: 'elev_low',
};

/** Decimal places of the reference's workout_details columns (contract 5.1); everything else has 3. */
const DETAIL_PLACES: Partial<Record<DetailField, number>> = {
  steps_count: 0,
  heart_rate_min: 0,
  heart_rate_max: 0,
  heart_rate_avg: 2,
  average_speed: 2,
  max_speed: 2,
};

const ENERGY_STATISTICS = new Set(['activeEnergyBurned', 'basalEnergyBurned', 'calories', 'totalCalories']);
const DURATION_STATISTICS = new Set(['duration', 'totalDuration']);

/** Workout-level statistics kept as a time-series sample at the workout's end (contract 6.3.2). */
const SERIES_STATISTICS: Record<string, SeriesType> = {
  averageRunningStrideLength: 'running_stride_length',
  averageVerticalOscillation: 'running_vertical_oscillation',
  averageGroundContactTime: 'running_ground_contact_time',
  averageMETs: 'average_met',
  weatherTemperature: 'weather_temperature',
  weatherHumidity: 'weather_humidity',
  swimmingStrokeCount: 'swimming_stroke_count',
  meanCadence: 'cadence',
  maxCadence: 'cadence',
  vo2Max: 'vo2_max',
  totalEnergyBurned: 'energy',
  totalDistance: 'distance_walking_running',
  totalSteps: 'steps',
};

export const workoutType = (type: string | null) =>
  type === null ? null : (lookup(SDK_WORKOUT_TYPES, type.trim().toLowerCase()) ?? 'other');

export function workoutEvent(workout: Workout, source: SourceRef): WorkoutEvent {
  const details: WorkoutDetails = {};
  let energy: number | null = null;
  let durationSeconds = (workout.endDate - workout.startDate) / 1000;
  for (const { type, unit, value } of workout.values) {
    if (!isStorableValue(value)) continue;
    const field = lookup(DETAIL_STATISTICS, type);
    if (field) details[field] = roundTo(value, DETAIL_PLACES[field] ?? 3);
    else if (ENERGY_STATISTICS.has(type)) energy = (energy ?? 0) + value;
    else if (DURATION_STATISTICS.has(type)) durationSeconds = unit === 'ms' ? value / 1000 : value;
  }
  if (energy !== null) details.energy_burned = roundTo(energy, 3);
  return {
    category: 'workout',
    type: workoutType(workout.type),
    source,
    start: workout.startDate,
    end: workout.endDate,
    zoneOffset: workout.zoneOffset,
    durationSeconds: Math.round(durationSeconds),
    externalId: workout.id,
    details,
  };
}

export function addWorkoutSamples(
  collector: SeriesCollector,
  workout: Workout,
  source: SourceRef,
  provider: SdkProvider,
  drops: Drops,
): void {
  for (const { type, unit, value } of workout.values) {
    const series = lookup(SERIES_STATISTICS, type);
    if (!series) continue;
    const sent = { timestamp: workout.endDate, value, unit, zoneOffset: workout.zoneOffset };
    collector.addValue(source, series, sent, provider, drops);
  }
}

/** First of each (source, start, end): the reference skips a workout already stored under that identity. */
export function uniqueWorkouts(workouts: WorkoutEvent[]): WorkoutEvent[] {
  const byIdentity = new Map<string, WorkoutEvent>();
  for (const workout of workouts) {
    const key = `${sourceKey(workout.source)}|${workout.start}|${workout.end}`;
    if (!byIdentity.has(key)) byIdentity.set(key, workout);
  }
  return [...byIdentity.values()];
}
