import { archivalRoutes } from '#shared/api/archival.js';
import { prioritiesRoutes } from '#shared/api/priorities.js';
import { seedRoutes } from '#shared/api/seed.js';
import { statsRoutes } from '#shared/api/stats.js';

/** The admin area (developer JWT): instance statistics and flags, priorities, seed data, data lifecycle. */
export const adminRoutes = [...statsRoutes, ...prioritiesRoutes, ...seedRoutes, ...archivalRoutes];
