import * as z from 'zod/mini';
import { userIdParams, uuid } from '#shared/api/schemas.js';
import { requireSyncUser, syncHistoryRoutes } from '#shared/api/sync-history.js';
import { manualSyncRoutes, runView } from '#shared/api/sync-manual.js';
import { vendorWorkoutRoutes } from '#shared/api/sync-vendor.js';
import { badRequest, HttpError } from '#shared/http/errors.js';
import { defineRoute } from '#shared/http/route.js';
import { CAP, cappedString } from '#shared/http/validation.js';
import { requireUser } from '#shared/identity/users.js';
import { isSyncProvider } from '#shared/jobs/queues.js';
import { PROVIDERS } from '#shared/model/provider.js';
import { apiDateTime } from '#shared/model/time.js';
import { isIntegrated, PROVIDER_INFO } from '#shared/providers/registry.js';
import { garminBackfillStatus } from '#shared/sync/backfill-status.js';
import { queueHistoricalSync } from '#shared/sync/enqueue.js';
import { type SyncStatusEvent, syncRunSummary, syncStatusEvent } from '#shared/sync/status.js';
import { recentSyncEvents, syncRuns, userSyncRuns } from '#shared/sync/status-read.js';

const tag = 'Sync';

const limit = (max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(max)), fallback);
const providerUserParams = z.object({ provider: z.enum(PROVIDERS), user_id: uuid() });

const syncEventList = z
  .array(syncStatusEvent.check(z.meta({ id: 'SyncStatusEvent' })))
  .check(z.meta({ id: 'SyncStatusEventList' }));
const syncRunList = z
  .array(syncRunSummary.check(z.meta({ id: 'SyncRunSummary' })))
  .check(z.meta({ id: 'SyncRunSummaryList' }));

const cellState = z.enum(['done', 'pending', 'timed_out', 'failed']);

/** `garminBackfillStatus` (shared/sync/backfill-status.ts); `run_id` and `error` once a backfill was requested. */
const garminBackfillStatusSchema = z
  .object({
    user_id: z.string(),
    provider: z.literal('garmin'),
    overall_status: z.enum(['pending', 'in_progress', 'complete', 'permanently_failed']),
    current_window: z.number().check(z.int()),
    total_windows: z.number().check(z.int()),
    windows: z
      .record(z.string(), z.record(z.string(), cellState))
      .check(z.describe('Per window index ("0", "1", ...): the state of each summary type')),
    summary: z.record(
      z.string(),
      z.object({
        done: z.number().check(z.int()),
        timed_out: z.number().check(z.int()),
        failed: z.number().check(z.int()),
      }),
    ),
    in_progress: z.boolean(),
    retry_phase: z.boolean(),
    retry_type: z.nullable(z.string()),
    retry_window: z.nullable(z.string()),
    attempt_count: z.number().check(z.int()),
    max_attempts: z.number().check(z.int()),
    permanently_failed: z.boolean(),
    run_id: z.optional(z.string()),
    error: z.optional(z.nullable(z.string())),
  })
  .check(z.meta({ id: 'GarminBackfillStatus' }));

const eventView = (event: SyncStatusEvent) => ({
  ...event,
  started_at: apiDateTime(event.started_at),
  ended_at: apiDateTime(event.ended_at),
  timestamp: apiDateTime(event.timestamp),
});

export const syncRoutes = [
  ...manualSyncRoutes,
  defineRoute({
    method: 'POST',
    path: '/api/v1/providers/{provider}/users/{user_id}/sync/historical',
    auth: 'API',
    tag,
    summary: 'Queue a historical backfill of the last `days` days (pull providers)',
    params: providerUserParams,
    query: z.object({ days: limit(365, 90) }),
    response: z
      .object({
        success: z.boolean(),
        provider: z.string(),
        user_id: z.uuid(),
        method: z.enum(['pull_api', 'webhook_backfill']),
        task_id: z.string(),
        message: z.string(),
        days: z.optional(z.number().check(z.int())),
        start_date: z.optional(z.iso.datetime()),
        end_date: z.optional(z.iso.datetime()),
      })
      .check(z.meta({ id: 'HistoricalSyncQueued' })),
    doc: { errors: [400, 404, 501] },
    handle: async ({ params, query }) => {
      const { provider, user_id } = params;
      const info = isIntegrated(provider) ? PROVIDER_INFO[provider] : null;
      if (!info || (!info.restPull && !info.webhookCallback)) {
        throw badRequest(`Provider '${provider}' does not support historical sync.`);
      }
      if (!isSyncProvider(provider)) {
        throw new HttpError(501, `Historical sync for provider '${provider}' is not implemented.`);
      }
      await requireUser(user_id);
      const queued = (await queueHistoricalSync(user_id, provider, query.days))!;
      const days = Math.round((queued.window.end - queued.window.start) / 86_400_000);
      // A push provider's history is requested from it and arrives by webhook (contract 4.5: Garmin).
      const pushed = !info.restPull;
      return {
        success: true,
        provider,
        user_id,
        method: pushed ? 'webhook_backfill' : 'pull_api',
        task_id: queued.run_id,
        message: queued.existing
          ? `A historical sync of ${provider} is already pending (${queued.run_id}); nothing new was queued.`
          : pushed
            ? `${info.name} ${days}-day backfill started. Progress available via backfill/status.`
            : `Historical sync queued for ${days} days of ${provider} data.`,
        days,
        start_date: apiDateTime(new Date(queued.window.start)),
        end_date: apiDateTime(new Date(queued.window.end)),
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/providers/garmin/users/{user_id}/backfill/status',
    auth: 'API',
    tag,
    summary:
      "Progress of a user's Garmin backfill: per 30-day window and summary type, requested and arrived",
    params: userIdParams,
    response: garminBackfillStatusSchema,
    handle: async ({ params }) => {
      await requireUser(params.user_id);
      return garminBackfillStatus(params.user_id);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/sync/recent',
    auth: 'API',
    tag,
    summary: 'Recent sync status events of a user, newest first (kept 24 h, at most 200)',
    params: userIdParams,
    query: z.object({ limit: limit(200, 50) }),
    response: syncEventList,
    handle: async ({ params, query }) => {
      await requireSyncUser(params.user_id);
      return (await recentSyncEvents(params.user_id, query.limit)).map(eventView);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/sync/runs',
    auth: 'API',
    tag,
    summary: "A user's sync runs (latest event of each), newest first",
    params: userIdParams,
    query: z.object({ limit: limit(200, 20) }),
    response: syncRunList,
    handle: async ({ params, query }) => {
      await requireSyncUser(params.user_id);
      return (await userSyncRuns(params.user_id, query.limit)).map(runView);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/sync/runs',
    auth: 'API',
    tag,
    summary: 'Sync runs across users (latest event of each), newest first, filtered by exact match',
    query: z.object({
      limit: limit(10_000, 50),
      user_id: z.optional(uuid()),
      provider: z.optional(cappedString(CAP.id)),
      status: z.optional(cappedString(CAP.id)),
      source: z.optional(cappedString(CAP.id)),
    }),
    response: syncRunList,
    handle: async ({ query }) => {
      const { limit: count, ...filters } = query;
      return (await syncRuns(count, filters)).map(runView);
    },
  }),
  ...syncHistoryRoutes,
  ...vendorWorkoutRoutes,
];
