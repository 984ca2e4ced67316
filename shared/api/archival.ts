import type { Route } from '#shared/http/route.js';

/** Data lifecycle settings and the archival run (contract 4.16, 10.2). Served by the admin area. */
export const archivalRoutes: Route[] = [];
