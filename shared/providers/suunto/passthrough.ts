import { PAGE_LIMIT, WORKOUTS_PATH, workoutPath } from '#shared/providers/suunto/api.js';
import type { WorkoutApi } from '#shared/providers/types.js';

/** Suunto's workouts as the contract's query names them (`since` in epoch ms at Suunto), one page. */
export const suuntoWorkouts: WorkoutApi = {
  list: (get, query) =>
    get(WORKOUTS_PATH, {
      since: query.since * 1000,
      limit: Math.min(query.limit, PAGE_LIMIT),
      offset: query.offset,
      'filter-by-modification-time': String(query.filterByModificationTime),
    }),
  get: (get, id) => get(workoutPath(id)),
};
