import { isObject } from '#shared/providers/json.js';
import { eventSpan, instantOf } from '#shared/providers/oura/common.js';
import { ouraWorkoutType } from '#shared/providers/oura/workout-types.js';
import { detailsOf, type PullOutput } from '#shared/providers/output.js';
import { idText, nonNegative } from '#shared/providers/values.js';

/**
 * An Oura workout (`/v2/usercollection/workout`) -> a workout event (providers.md 4.5): the Oura id as external id,
 * type from `activity`, start and end with the wearer's offset, `calories` (kcal) and `distance` (m). Oura reports
 * no heart rate per workout; `intensity`, `label` and `source` have no place in the model.
 */
export function mapWorkout(workout: unknown, out: PullOutput): void {
  if (!isObject(workout)) return;
  const externalId = idText(workout.id);
  const start = instantOf(workout.start_datetime);
  const end = instantOf(workout.end_datetime);
  if (externalId === null || !start || !end || end.at < start.at) return;
  out.event({
    category: 'workout',
    type: ouraWorkoutType(workout.activity),
    ...eventSpan(start, end),
    externalId,
    details: detailsOf([
      ['energy_burned', nonNegative(workout.calories)],
      ['distance', nonNegative(workout.distance)],
    ]),
  });
}
