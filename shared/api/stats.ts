import * as z from 'zod';
import { adminAreaEnvSchema } from '#shared/api/admin-env.js';
import { env } from '#shared/config/env.js';
import { defineRoute, type Route } from '#shared/http/route.js';
import { INTEGRATED_PROVIDERS } from '#shared/providers/registry.js';
import { dashboardStats } from '#shared/store/dashboard-stats.js';

const count = z.object({ count: z.number().int() });

const systemInfo = z
  .object({
    total_users: count,
    active_conn: count,
    data_points: z.object({ count: z.number().int(), archived: z.number().int() }),
    event_records: z.object({
      count: z.number().int(),
      workouts: z.number().int(),
      sleep: z.number().int(),
      menstrual_cycles: z.number().int(),
    }),
    connections_coverage: z.object({
      users_with_active: z.number().int(),
      users_with_multi_active: z.number().int(),
      top_providers: z.array(z.object({ provider: z.string(), count: z.number().int() })).max(6),
    }),
  })
  .meta({ id: 'SystemInfo' });

const instanceConfig = z.object({ outgoing_webhooks_enabled: z.boolean() }).meta({ id: 'InstanceConfig' });

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
