import type { WorkoutDetails } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import { isObject, type JsonObject, numberOf } from '#shared/providers/json.js';
import type { ProviderGet, SyncUnit } from '#shared/providers/types.js';
import { idText, nonNegative, positive } from '#shared/providers/values.js';
import { inUnitDays, MEASURE_V2_PATH, unitDays } from '#shared/providers/withings/activity.js';
import {
  calendarDate,
  epochMs,
  type WithingsOutput,
  withingsSource,
  zoneOffsetAt,
} from '#shared/providers/withings/common.js';
import { allWithingsPages } from '#shared/providers/withings/status.js';
import { NO_ACTIVITY_CATEGORY, withingsWorkoutType } from '#shared/providers/withings/workout-types.js';

/**
 * Workouts (`/v2/measure` action `getworkouts`): one event per workout, identified by Withings' id (eventIdentity
 * `external`), so an edited workout replaces the stored one. What the user typed in (`manual_calories`,
 * `manual_distance`) stands in for what the device did not measure.
 */

const WORKOUT_FIELDS =
  'calories,manual_calories,distance,manual_distance,steps,hr_average,hr_min,hr_max,pause_duration';

function workoutDetails(data: JsonObject): WorkoutDetails {
  const details: WorkoutDetails = {};
  const set = (key: keyof WorkoutDetails, value: number | null, places = 3) => {
    if (value !== null) details[key] = roundTo(value, places);
  };
  set('energy_burned', positive(data.calories) ?? positive(data.manual_calories));
  set('distance', positive(data.distance) ?? positive(data.manual_distance));
  set('steps_count', nonNegative(data.steps), 0);
  set('heart_rate_avg', positive(data.hr_average), 2);
  set('heart_rate_min', positive(data.hr_min), 0);
  set('heart_rate_max', positive(data.hr_max), 0);
  return details;
}

/** One workout; skipped without an id or a valid span, ignored when it is "no activity". */
export function mapWorkout(out: WithingsOutput, workout: unknown): void {
  if (!isObject(workout)) {
    out.skipped++;
    return;
  }
  const externalId = idText(workout.id);
  const start = epochMs(workout.startdate);
  const end = epochMs(workout.enddate);
  if (externalId === null || start === null || end === null || end < start) {
    out.skipped++;
    return;
  }
  if (numberOf(workout.category) === NO_ACTIVITY_CATEGORY) return;
  out.event({
    category: 'workout',
    type: withingsWorkoutType(workout.category),
    source: withingsSource(null),
    start,
    end,
    zoneOffset: zoneOffsetAt(workout.timezone, start),
    durationSeconds: Math.round((end - start) / 1000),
    externalId,
    details: isObject(workout.data) ? workoutDetails(workout.data) : {},
  });
}

/** The workouts of the unit's days (by Withings' `date`, else by start). */
export async function pullWorkouts(get: ProviderGet, unit: SyncUnit, out: WithingsOutput): Promise<void> {
  const params = { ...unitDays(unit), data_fields: WORKOUT_FIELDS };
  const { items } = await allWithingsPages(get, MEASURE_V2_PATH, 'getworkouts', params, 'series');
  for (const workout of items) {
    const date = isObject(workout) ? calendarDate(workout.date) : null;
    const start = isObject(workout) ? epochMs(workout.startdate) : null;
    const inUnit =
      date !== null ? inUnitDays(date, unit) : start === null || (start >= unit.start && start < unit.end);
    if (inUnit) mapWorkout(out, workout);
  }
}
