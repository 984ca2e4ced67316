import * as z from 'zod/mini';
import { parseDateTimeParam } from '#shared/api/params.js';
import { queryBoolean, uuid } from '#shared/api/schemas.js';
import { sinceParam } from '#shared/api/sync-vendor.js';
import { badRequest, HttpError } from '#shared/http/errors.js';
import { defineRoute, Reply } from '#shared/http/route.js';
import { CAP, cappedString } from '#shared/http/validation.js';
import { requireUser } from '#shared/identity/users.js';
import { isSyncProvider, type SyncProvider } from '#shared/jobs/queues.js';
import { PROVIDERS } from '#shared/model/provider.js';
import { apiDateTime } from '#shared/model/time.js';
import { syncModules } from '#shared/providers/cores.js';
import { queueManualSync } from '#shared/sync/enqueue.js';
import { runInlineSync } from '#shared/sync/inline.js';
import { activeConnection } from '#shared/sync/provider-call.js';
import { type SyncRunSummary, syncRunSummary } from '#shared/sync/status.js';

const tag = 'Sync';

/** Parameters of the reference's synchronous mode, with their defaults: any other value is refused in async mode. */
const SYNC_MODE_DEFAULTS = {
  data_type: 'all',
  since: 0,
  limit: 50,
  offset: 0,
  filter_by_modification_time: true,
  samples: false,
  zones: false,
  route: false,
} as const;

const syncQuery = z.object({
  data_type: z._default(z.enum(['workouts', '247', 'all']), 'all'),
  since: sinceParam,
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50),
  offset: z._default(z.coerce.number().check(z.int(), z.gte(0)), 0),
  filter_by_modification_time: queryBoolean(true),
  samples: queryBoolean(false),
  zones: queryBoolean(false),
  route: queryBoolean(false),
  summary_start_time: z.optional(cappedString(CAP.datetime)),
  summary_end_time: z.optional(cappedString(CAP.datetime)),
  async: queryBoolean(true),
});

/** Providers whose pull brings workouts only (no sleep, recovery or daily activity). */
const WORKOUTS_ONLY: ReadonlySet<string> = new Set(['strava']);

const unsupported = (provider: string, what: string) =>
  new HttpError(501, `Provider '${provider}' does not support ${what}`);

/** The data types of `data_type` the provider has (contract 4.5's 501s when it has none of them). */
function requestedTypes(provider: string, dataType: 'workouts' | '247' | 'all') {
  const workouts = isSyncProvider(provider) && syncModules[provider]?.workouts !== undefined;
  const daily = isSyncProvider(provider) && !WORKOUTS_ONLY.has(provider);
  if (dataType === 'workouts' && !workouts) throw unsupported(provider, 'workouts');
  if (dataType === '247' && !daily) throw unsupported(provider, '247 data (sleep/recovery/activity)');
  if (!workouts && !daily) throw unsupported(provider, 'any requested data types');
  return { workouts: dataType !== '247' && workouts, data_247: dataType !== 'workouts' && daily };
}

/** A run summary as the API writes datetimes. */
export const runView = (run: SyncRunSummary) => ({
  ...run,
  started_at: apiDateTime(run.started_at),
  ended_at: apiDateTime(run.ended_at),
  last_update: apiDateTime(run.last_update),
});

const syncAnswer = z
  .object({
    success: z.boolean(),
    async: z.boolean(),
    task_id: z.string(),
    message: z.string(),
    details: z
      .optional(z.object({ workouts: z.optional(z.boolean()), data_247: z.optional(z.boolean()) }))
      .check(z.describe('async=false, run ended: per requested data type, whether the run succeeded')),
    run: z
      .optional(z.nullable(syncRunSummary))
      .check(
        z.describe('async=false: the run as it stands (follow it at /users/{user_id}/sync/runs when 202)'),
      ),
  })
  .check(z.meta({ id: 'SyncQueued' }));

/** Runs the sync in the request (async=false): 200 with its result, or 202 when it goes on from the queue. */
async function syncInline(
  userId: string,
  provider: SyncProvider,
  range: { start?: number; end?: number },
  types: { workouts: boolean; data_247: boolean },
) {
  await activeConnection(userId, provider);
  const run = await runInlineSync(userId, provider, range);
  const view = run.summary ? runView(run.summary) : null;
  if (!run.finished) {
    return new Reply(202, {
      success: true,
      async: true,
      task_id: run.run_id,
      message: run.existing
        ? `A sync of ${provider} is already pending (${run.run_id}); nothing new was started.`
        : `Sync of ${provider} did not finish within the request; it continues in the background.`,
      run: view,
    });
  }
  const success = run.outcome === 'completed' && run.summary?.status === 'success';
  return {
    success,
    async: false,
    task_id: run.run_id,
    message: run.summary?.message ?? `Sync of ${provider} ended`,
    details: {
      ...(types.workouts ? { workouts: success } : {}),
      ...(types.data_247 ? { data_247: success } : {}),
    },
    run: view,
  };
}

/** `POST /providers/{p}/users/{id}/sync` (contract 4.5). */
export const manualSyncRoutes = [
  defineRoute({
    method: 'POST',
    path: '/api/v1/providers/{provider}/users/{user_id}/sync',
    auth: 'API',
    tag,
    summary:
      'Pull sync of one provider for a user over summary_start_time..summary_end_time (default since the last sync): queued (async=true), or run in the request (async=false: 200 with the result, 202 when it continues from the queue; every data type is pulled, since is the window start, the other provider parameters are accepted and have no effect)',
    params: z.object({ provider: z.enum(PROVIDERS), user_id: uuid() }),
    query: syncQuery,
    response: syncAnswer,
    doc: { errors: [400, 401, 404, 501], otherStatuses: [202] },
    handle: async ({ params, query }) => {
      if (query.async) {
        const refused = (Object.keys(SYNC_MODE_DEFAULTS) as (keyof typeof SYNC_MODE_DEFAULTS)[]).filter(
          (name) => query[name] !== SYNC_MODE_DEFAULTS[name],
        );
        if (refused.length > 0) {
          throw badRequest(
            `Parameters [${refused.map((name) => `'${name}'`).join(', ')}] are not supported in async mode. ` +
              'Use async=false or omit provider-specific parameters.',
          );
        }
      }
      const start =
        query.summary_start_time === undefined
          ? query.since > 0
            ? query.since * 1000
            : undefined
          : parseDateTimeParam(query.summary_start_time);
      const end =
        query.summary_end_time === undefined ? undefined : parseDateTimeParam(query.summary_end_time);
      if (start !== undefined && end !== undefined && start > end) {
        throw badRequest('summary_start_time must not be after summary_end_time');
      }
      const types = requestedTypes(params.provider, query.data_type);
      if (!isSyncProvider(params.provider)) throw unsupported(params.provider, 'any requested data types');
      await requireUser(params.user_id);
      if (!query.async) return syncInline(params.user_id, params.provider, { start, end }, types);
      const queued = await queueManualSync(params.user_id, params.provider, { start, end });
      return {
        success: true,
        async: true,
        task_id: queued.run_id,
        message: queued.existing
          ? `A sync of ${params.provider} is already pending (${queued.run_id}); nothing new was queued.`
          : `Sync task queued for ${params.provider}. Check task status for results.`,
      };
    },
  }),
];
