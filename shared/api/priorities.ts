import type { Route } from '#shared/http/route.js';

/** Provider and device-type priorities (contract 4.16, 10.1). Served by the admin area. */
export const prioritiesRoutes: Route[] = [];
