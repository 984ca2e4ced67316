import { DAY_MS, isoDate } from '#shared/providers/time.js';
import type { WorkoutApi } from '#shared/providers/types.js';
import { MEASURE_V2_PATH } from '#shared/providers/withings/activity.js';
import { withingsCall } from '#shared/providers/withings/status.js';

/**
 * Withings' `getworkouts` (one page, from `offset`; the answer's `more` and `offset` say where the next starts): by
 * days with a window, else modified since `since` (`lastupdate`). Withings has no read of one workout: no `get`.
 */
export const withingsWorkouts: WorkoutApi = {
  list: (get, query) =>
    withingsCall(get, MEASURE_V2_PATH, 'getworkouts', {
      ...(query.start !== undefined || query.end !== undefined
        ? {
            startdateymd: isoDate(query.start ?? (query.end ?? Date.now()) - 30 * DAY_MS),
            enddateymd: isoDate(query.end ?? Date.now()),
          }
        : { lastupdate: query.since }),
      ...(query.offset > 0 ? { offset: query.offset } : {}),
    }),
};
