import * as z from 'zod/mini';
import { defineRoute, Reply } from '#shared/http/route.js';
import { CAP, cappedString } from '#shared/http/validation.js';
import { requireUser } from '#shared/identity/users.js';
import { ingestSdkPush, pushProvider } from '#shared/ingest/sdk-ingest.js';
import { recordSessionLogs, sdkLogsBody } from '#shared/ingest/sdk-runs.js';
import { logger } from '#shared/observability.js';

/** The SDK path segment is a plain string in the contract; the token check compares it verbatim. */
const sdkUserParams = z.object({ user_id: cappedString(CAP.id) });

const uploadResponse = z
  .object({
    status_code: z.literal(202),
    response: z.string(),
    user_id: z.nullable(z.string()),
    dropped_count: z.number().check(z.int()),
    records_saved: z.number().check(z.int()),
    workouts_saved: z.number().check(z.int()),
    sleep_saved: z.number().check(z.int()),
  })
  .check(z.meta({ id: 'UploadDataResponse' }));

const jsonObject = z.record(cappedString(CAP.text), z.unknown(), {
  error: 'Input should be a valid dictionary or object',
});

const tag = 'Mobile SDK';

export const sdkRoutes = [
  defineRoute({
    method: 'POST',
    path: '/api/v1/sdk/users/{user_id}/sync',
    auth: 'SDK',
    mobile: true,
    tag,
    summary: 'Push Apple Health / Samsung Health / Health Connect data (bad records are dropped and counted)',
    params: sdkUserParams,
    status: 202,
    body: jsonObject,
    response: uploadResponse,
    // 503: the mobile ingress could not store the upload (lib/mobile-ingress.ts); the SDKs retry it.
    doc: { errors: [400, 404, 503] },
    handle: async ({ params, body }) => {
      const provider = pushProvider(body);
      await requireUser(params.user_id);
      const counts = await ingestSdkPush(params.user_id, provider, body);
      return new Reply(202, {
        status_code: 202,
        response: 'Import task queued successfully',
        user_id: params.user_id,
        ...counts,
      });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/sdk/users/{user_id}/logs',
    auth: 'SDK',
    mobile: true,
    tag,
    summary: 'Log events from the mobile SDK: logged; sync-session events update the session run',
    params: sdkUserParams,
    status: 202,
    body: sdkLogsBody,
    response: uploadResponse,
    handle: async ({ params, body }) => {
      await requireUser(params.user_id);
      logger.info('sdk log events', {
        userId: params.user_id,
        sdkVersion: body.sdkVersion,
        syncSessionId: body.syncSessionId,
        events: body.events,
      });
      await recordSessionLogs(params.user_id, body);
      return new Reply(202, {
        status_code: 202,
        response: 'Log events stored successfully',
        user_id: params.user_id,
        dropped_count: 0,
        records_saved: 0,
        workouts_saved: 0,
        sleep_saved: 0,
      });
    },
  }),
];
