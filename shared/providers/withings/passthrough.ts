import type { WorkoutApi } from '#shared/providers/types.js';
import { MEASURE_V2_PATH } from '#shared/providers/withings/activity.js';
import { withingsCall } from '#shared/providers/withings/status.js';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Withings' `getworkouts` (one page, from `offset`; the answer's `more` and `offset` say where the next starts): by
 * days with a window, else modified since `since` (`lastupdate`). Withings has no read of one workout: no `get`.
 */
export const withingsWorkouts: WorkoutApi = {
  list: (get, query) =>
    withingsCall(get, MEASURE_V2_PATH, 'getworkouts', {
      ...(query.start !== undefined || query.end !== undefined
        ? {
            startdateymd: day(query.start ?? (query.end ?? Date.now()) - 30 * 86_400_000),
            enddateymd: day(query.end ?? Date.now()),
          }
        : { lastupdate: query.since }),
      ...(query.offset > 0 ? { offset: query.offset } : {}),
    }),
};
