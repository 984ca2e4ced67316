import { ACTIVITIES_PATH, activityPath } from '#shared/providers/strava/pull.js';
import type { WorkoutApi } from '#shared/providers/types.js';

/**
 * Strava's activities (`after`/`before` in epoch seconds, `page`/`per_page`): `since` or `summary_start_time` is
 * `after`, `summary_end_time` `before`, and `offset` picks the page of `limit` items it falls in.
 */
export const stravaWorkouts: WorkoutApi = {
  list: (get, query) => {
    const after = query.start !== undefined ? Math.floor(query.start / 1000) : query.since;
    return get(ACTIVITIES_PATH, {
      per_page: query.limit,
      page: Math.floor(query.offset / query.limit) + 1,
      ...(after > 0 ? { after } : {}),
      ...(query.end !== undefined ? { before: Math.ceil(query.end / 1000) } : {}),
    });
  },
  get: (get, id) => get(activityPath(encodeURIComponent(id))),
};
