import type { WorkoutDetails } from '#shared/model/health-data.js';
import { isObject, type JsonObject, numberOf } from '#shared/providers/json.js';
import { detailsOf, type PullOutput } from '#shared/providers/output.js';
import { calendarDay, epochSecondsMs } from '#shared/providers/time.js';
import type { ProviderGet, SyncUnit } from '#shared/providers/types.js';
import { idText, nonNegative, positive } from '#shared/providers/values.js';
import { inUnitDays, MEASURE_V2_PATH, unitDays } from '#shared/providers/withings/activity.js';
import { withingsSource, zoneOffsetAt } from '#shared/providers/withings/common.js';
import { allWithingsPages } from '#shared/providers/withings/status.js';
import { NO_ACTIVITY_CATEGORY, withingsWorkoutType } from '#shared/providers/withings/workout-types.js';

/**
 * Workouts (`/v2/measure` action `getworkouts`): one event per workout, identified by Withings' id (eventIdentity
 * `external`), so an edited workout replaces the stored one. What the user typed in (`manual_calories`,
 * `manual_distance`) stands in for what the device did not measure.
 */

const WORKOUT_FIELDS =
  'calories,manual_calories,distance,manual_distance,steps,hr_average,hr_min,hr_max,pause_duration';

const workoutDetails = (data: JsonObject): WorkoutDetails =>
  detailsOf([
    ['energy_burned', positive(data.calories) ?? positive(data.manual_calories)],
    ['distance', positive(data.distance) ?? positive(data.manual_distance)],
    ['steps_count', nonNegative(data.steps), 0],
    ['heart_rate_avg', positive(data.hr_average), 2],
    ['heart_rate_min', positive(data.hr_min), 0],
    ['heart_rate_max', positive(data.hr_max), 0],
  ]);

/** One workout; skipped without an id or a valid span, ignored when it is "no activity". */
export function mapWorkout(out: PullOutput, workout: unknown): void {
  if (!isObject(workout)) {
    out.skip();
    return;
  }
  const externalId = idText(workout.id);
  const start = epochSecondsMs(workout.startdate);
  const end = epochSecondsMs(workout.enddate);
  if (externalId === null || start === null || end === null || end < start) {
    out.skip();
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
export async function pullWorkouts(get: ProviderGet, unit: SyncUnit, out: PullOutput): Promise<void> {
  const params = { ...unitDays(unit), data_fields: WORKOUT_FIELDS };
  const { items } = await allWithingsPages(get, MEASURE_V2_PATH, 'getworkouts', params, 'series');
  for (const workout of items) {
    const day = isObject(workout) ? calendarDay(workout.date) : null;
    const start = isObject(workout) ? epochSecondsMs(workout.startdate) : null;
    const inUnit =
      day !== null ? inUnitDays(day, unit) : start === null || (start >= unit.start && start < unit.end);
    if (inUnit) mapWorkout(out, workout);
  }
}
