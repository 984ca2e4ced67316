import * as z from 'zod/mini';
import { dateTimeParam } from '#shared/api/params.js';
import { userIdParams } from '#shared/api/schemas.js';
import { notFound } from '#shared/http/errors.js';
import { defineRoute } from '#shared/http/route.js';
import { CAP, cappedString } from '#shared/http/validation.js';
import { getUser } from '#shared/store/users.js';
import {
  runHistory,
  SYNC_SCOPES,
  syncRunDetail,
  syncRunRecord,
  userRunHistory,
} from '#shared/sync/history.js';

const tag = 'Sync';

/** The sync status routes answer their own text for an unknown user (contract 4.12). */
export async function requireSyncUser(userId: string): Promise<void> {
  if (!(await getUser(userId))) throw notFound('User not found');
}

/** Stored sync runs (the newest reference's `/sync/history`; shared/sync/history.ts). */
export const syncHistoryRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/sync/history',
    auth: 'API',
    tag,
    summary:
      "A user's stored sync runs (historical and manual pulls, kept until the user is erased), newest start first; /sync/history/{run_key} has the per-data-type breakdown",
    params: userIdParams,
    query: z.object({
      limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)), 20),
      scope: z.optional(z.enum(SYNC_SCOPES)),
      since: z.optional(dateTimeParam()).check(z.describe('Only runs started at or after this time')),
    }),
    response: z.array(syncRunRecord).check(z.meta({ id: 'SyncRunRecordList' })),
    handle: async ({ params, query }) => {
      await requireSyncUser(params.user_id);
      return userRunHistory(params.user_id, query);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/sync/history/{run_key}',
    auth: 'API',
    tag,
    summary: 'One stored sync run with what it saved per data type',
    params: z.object({ run_key: cappedString(CAP.id) }),
    response: syncRunDetail,
    handle: async ({ params }) => {
      const run = await runHistory(params.run_key);
      if (!run) throw notFound('Sync run not found');
      return run;
    },
  }),
];
