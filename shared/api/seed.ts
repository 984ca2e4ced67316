import type { Route } from '#shared/http/route.js';

/** Synthetic data (contract 10.4): POST /settings/seed and its presets. Served by the admin area. */
export const seedRoutes: Route[] = [];
