import type { WorkoutApi } from '#shared/providers/types.js';
import { WORKOUTS_PATH } from '#shared/providers/whoop/api.js';

/** WHOOP's largest page. */
const PAGE_MAX = 25;

/** WHOOP's workouts (`start`/`end` ISO, `limit` at most 25), newest first; `since` is the start when no window is given. */
export const whoopWorkouts: WorkoutApi = {
  list: (get, query) => {
    const start = query.start ?? (query.since > 0 ? query.since * 1000 : undefined);
    return get(WORKOUTS_PATH, {
      limit: Math.min(query.limit, PAGE_MAX),
      ...(start !== undefined ? { start: new Date(start).toISOString() } : {}),
      ...(query.end !== undefined ? { end: new Date(query.end).toISOString() } : {}),
    });
  },
  get: (get, id) => get(`${WORKOUTS_PATH}/${encodeURIComponent(id)}`),
};
