import * as z from 'zod';
import { anySource, END_OF_TIME } from '#shared/data/summaries/common.js';
import { queryEvents } from '#shared/store/events.js';

export const workoutTypeList = z
  .array(z.string())
  .describe('Workout types as `GET /events/workouts` shows them (`unknown` for an untyped workout)')
  .meta({ id: 'WorkoutTypeList' });

/**
 * `GET /users/{id}/events/workouts/types` (the newest reference): the distinct types of the user's workouts, in
 * alphabetical order, to fill a filter with what the user has rather than the whole enum.
 */
export async function listWorkoutTypes(userId: string): Promise<string[]> {
  const workouts = await queryEvents(userId, 'workout', 0, END_OF_TIME, anySource);
  return [...new Set(workouts.map((w) => w.type ?? 'unknown'))].sort();
}
