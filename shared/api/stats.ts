import type { Route } from '#shared/http/route.js';

/** Instance statistics and flags (contract 4.16): GET /dashboard/stats, GET /config. Served by the admin area. */
export const statsRoutes: Route[] = [];
