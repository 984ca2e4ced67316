import * as z from 'zod/mini';
import { queryAll } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';

export const workoutTypeList = z
  .array(z.string())
  .check(
    z.describe('Workout types as `GET /events/workouts` shows them (`unknown` for an untyped workout)'),
    z.meta({ id: 'WorkoutTypeList' }),
  );

/**
 * `GET /users/{id}/events/workouts/types` (the newest reference): the distinct types of the user's workouts, in
 * alphabetical order, to fill a filter with what the user has rather than the whole enum. Only the type of each
 * workout is fetched (its details can be large); the workout items are keyed as store/events.ts
 * writes them.
 */
export async function listWorkoutTypes(userId: string): Promise<string[]> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :workouts)',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':workouts': 'EVENT#workout#' },
    ExpressionAttributeNames: { '#type': 'type' },
    ProjectionExpression: '#type',
  });
  const types = new Set(items.map((item) => (item.type as string | null | undefined) ?? 'unknown'));
  return [...types].sort();
}
