import { PATHS } from '#shared/providers/polar/pull.js';
import type { WorkoutApi, WorkoutDetailQuery } from '#shared/providers/types.js';

const inclusions = (query: WorkoutDetailQuery) => ({
  samples: String(query.samples),
  zones: String(query.zones),
  route: String(query.route),
});

/** Polar's exercises (`/v3/exercises`: the last 30 days of uploads; no paging), with its inclusion flags. */
export const polarWorkouts: WorkoutApi = {
  list: (get, query) => get(PATHS.exercises, inclusions(query)),
  get: (get, id, query) => get(PATHS.exercise(encodeURIComponent(id)), inclusions(query)),
};
