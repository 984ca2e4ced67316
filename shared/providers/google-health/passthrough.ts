import { pointsPath, SESSION_PAGE_SIZE } from '#shared/providers/google-health/common.js';
import { exerciseFilter } from '#shared/providers/google-health/exercise.js';
import type { WorkoutApi } from '#shared/providers/types.js';

/**
 * The Google Health API's exercise sessions, one page (`pageSize` at most 25; `nextPageToken` names the next), filtered
 * on their local start time when a window or `since` is given. It has no read of one session by its id: no `get`.
 */
export const googleHealthWorkouts: WorkoutApi = {
  list: (get, query) => {
    const start = query.start ?? (query.since > 0 ? query.since * 1000 : undefined);
    const windowed = start !== undefined || query.end !== undefined;
    return get(pointsPath('exercise'), {
      pageSize: Math.min(query.limit, SESSION_PAGE_SIZE),
      ...(windowed ? { filter: exerciseFilter(start ?? 0, query.end ?? Date.now()) } : {}),
    });
  },
};
