import { badRequest } from '#shared/http/errors.js';
import { CALLBACK_PATHS } from '#shared/providers/garmin/ping.js';
import type { WorkoutApi } from '#shared/providers/types.js';

/** Garmin's pull endpoint answers at most 24 hours of uploads a request. */
const CHUNK_S = 86_400;
/** Requests one listing may make: a month of uploads. */
const MAX_CHUNKS = 31;

/**
 * Garmin's activity summaries uploaded in `summary_start_time..summary_end_time` (default the last 24 hours), one
 * request per 24 hours, concatenated. The Health API has no read of one activity by its id: no `get`.
 */
export const garminWorkouts: WorkoutApi = {
  list: async (get, query) => {
    const end = Math.floor((query.end ?? Date.now()) / 1000);
    const start = query.start !== undefined ? Math.floor(query.start / 1000) : end - CHUNK_S;
    if (Math.ceil((end - start) / CHUNK_S) > MAX_CHUNKS) {
      throw badRequest(`Garmin activities can be listed for at most ${MAX_CHUNKS} days at a time`);
    }
    const activities: unknown[] = [];
    for (let from = start; from < end; from += CHUNK_S) {
      const page = await get(CALLBACK_PATHS.activities, {
        uploadStartTimeInSeconds: from,
        uploadEndTimeInSeconds: Math.min(from + CHUNK_S, end),
      });
      if (Array.isArray(page)) activities.push(...page);
    }
    return activities;
  },
};
