import { collectionPath } from '#shared/providers/oura/collections.js';
import { isoDate } from '#shared/providers/time.js';
import type { WorkoutApi } from '#shared/providers/types.js';

/** Oura's workout documents by day (`start_date`/`end_date`; without them Oura answers yesterday and today). */
export const ouraWorkouts: WorkoutApi = {
  list: (get, query) => {
    const start = query.start ?? (query.since > 0 ? query.since * 1000 : undefined);
    return get(collectionPath('workout'), {
      ...(start !== undefined ? { start_date: isoDate(start) } : {}),
      ...(query.end !== undefined ? { end_date: isoDate(query.end) } : {}),
    });
  },
  get: (get, id) => get(`${collectionPath('workout')}/${encodeURIComponent(id)}`),
};
