import type { HealthEvent, WorkoutDetails } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import {
  civilRange,
  fieldAt,
  instantOf,
  offsetOf,
  pullSessions,
  secondsOf,
  sourceOf,
} from '#shared/providers/google-health/common.js';
import { googleWorkoutType } from '#shared/providers/google-health/exercise-types.js';
import { isObject, type JsonObject, textOf } from '#shared/providers/json.js';
import type { ProviderGet } from '#shared/providers/types.js';
import { nonNegative, positive } from '#shared/providers/values.js';

/**
 * Exercise sessions (providers.md 4.9) as workouts. The reference pages the user's whole exercise history on every
 * sync and filters it here (cost growing forever, providers.md 7); this filters at the API instead, on
 * `exercise.interval.civil_start_time` (the field the API filters exercise by: local time), widened by the zone
 * offsets in use, then keeps the sessions whose UTC start is in the window. The event is Google's record: its
 * `name` is the external id.
 */

export type WorkoutEvent = Extract<HealthEvent, { category: 'workout' }> & { externalId: string };

export const exerciseFilter = (start: number, end: number) =>
  civilRange('exercise.interval.civil_start_time', start, end);

/** `metricsSummary` in the unified units: mm -> m, mm/s -> m/s. */
function workoutDetails(exercise: JsonObject): WorkoutDetails {
  const metrics = isObject(exercise.metricsSummary) ? exercise.metricsSummary : {};
  const details: WorkoutDetails = {};
  const set = (key: keyof WorkoutDetails, value: number | null, places = 3) => {
    if (value !== null) details[key] = roundTo(value, places);
  };
  const scaled = (value: number | null, factor: number) => (value === null ? null : value * factor);
  set('energy_burned', nonNegative(metrics.caloriesKcal));
  set('distance', scaled(nonNegative(metrics.distanceMillimeters), 0.001));
  set('steps_count', nonNegative(metrics.steps), 0);
  set('average_speed', scaled(nonNegative(metrics.averageSpeedMillimetersPerSecond), 0.001), 2);
  set('heart_rate_avg', positive(metrics.averageHeartRateBeatsPerMinute), 2);
  set('total_elevation_gain', scaled(nonNegative(metrics.elevationGainMillimeters), 0.001));
  set('average_cadence', positive(fieldAt(metrics, ['mobilityMetrics', 'avgCadenceStepsPerMinute'])));
  set('moving_time_seconds', nonNegative(secondsOf(exercise.activeDuration)), 0);
  return details;
}

/** One exercise data point -> a workout; null when it has no id, start or end. */
export function mapExercise(point: unknown): WorkoutEvent | null {
  if (!isObject(point) || !isObject(point.exercise)) return null;
  const exercise = point.exercise;
  const interval = isObject(exercise.interval) ? exercise.interval : {};
  const start = instantOf(interval.startTime);
  const end = instantOf(interval.endTime);
  const externalId = textOf(point.name);
  if (start === null || end === null || end < start || externalId === null) return null;
  return {
    category: 'workout',
    type: googleWorkoutType(exercise.exerciseType),
    source: sourceOf(point),
    start,
    end,
    zoneOffset: offsetOf(interval.startUtcOffset),
    durationSeconds: Math.round((end - start) / 1000),
    externalId,
    details: workoutDetails(exercise),
  };
}

/** Sessions starting in `[start, end)`, and how many points did not map. */
export const pullExercise = (get: ProviderGet, start: number, end: number) =>
  pullSessions(get, 'exercise', exerciseFilter(start, end), mapExercise, start, end);
