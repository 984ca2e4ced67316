import * as z from 'zod/mini';
import { adminAreaEnvSchema } from '#shared/api/admin-env.js';
import { env } from '#shared/config/env.js';
import { defineRoute, type Route } from '#shared/http/route.js';
import { INTEGRATED_PROVIDERS } from '#shared/providers/registry.js';
import { dashboardStats } from '#shared/store/dashboard-stats.js';

const count = z.object({ count: z.number().check(z.int()) });

const systemInfo = z
  .object({
    total_users: count,
    active_conn: count,
    data_points: z.object({ count: z.number().check(z.int()), archived: z.number().check(z.int()) }),
    event_records: z.object({
      count: z.number().check(z.int()),
      workouts: z.number().check(z.int()),
      sleep: z.number().check(z.int()),
      menstrual_cycles: z.number().check(z.int()),
    }),
    connections_coverage: z.object({
      users_with_active: z.number().check(z.int()),
      users_with_multi_active: z.number().check(z.int()),
      top_providers: z
        .array(z.object({ provider: z.string(), count: z.number().check(z.int()) }))
        .check(z.maxLength(6)),
    }),
  })
  .check(z.meta({ id: 'SystemInfo' }));

const instanceConfig = z
  .object({ outgoing_webhooks_enabled: z.boolean() })
  .check(z.meta({ id: 'InstanceConfig' }));

/** Instance statistics and flags (contract 4.16): GET /dashboard/stats, GET /config. Served by the admin area. */
export const statsRoutes: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/dashboard/stats',
    auth: 'DEV',
    tag: 'Dashboard',
    summary: 'Instance statistics (cached for a minute; approximate past a few hundred users)',
    response: systemInfo,
    handle: () => dashboardStats(INTEGRATED_PROVIDERS),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/config',
    auth: 'DEV',
    tag: 'Dashboard',
    summary: 'Instance feature flags (additive only)',
    response: instanceConfig,
    handle: async () => ({ outgoing_webhooks_enabled: env(adminAreaEnvSchema).OUTGOING_WEBHOOKS_ENABLED }),
  }),
];
