import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createSqsWorker } from '#shared/jobs/worker.js';
import { logger } from '#shared/observability.js';
import {
  type DispatchResult,
  dispatchInput,
  dispatchJob,
  dispatchLiveSyncs,
} from '#shared/sync/dispatcher.js';

/** Continuations of a dispatch that neared its deadline, from the `syncDispatch` queue. */
const continuation = createSqsWorker(dispatchJob, async (job, context) => {
  await dispatchLiveSyncs(job, { remainingMs: () => context.getRemainingTimeInMillis() });
});

/** Invoked by a provider's EventBridge Scheduler schedule with `{"provider": "<p>", "kind"?: "watchdog"}`. */
const scheduled = middy<unknown, DispatchResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    const { provider, kind } = dispatchInput.parse(event);
    return dispatchLiveSyncs({ provider, kind }, { remainingMs: () => context.getRemainingTimeInMillis() });
  });

const isSqsEvent = (event: unknown): event is SQSEvent =>
  Array.isArray((event as { Records?: unknown } | null)?.Records);

/** The sync dispatcher: a schedule's run, or the continuation of one. */
export async function handler(event: unknown, context: Context): Promise<DispatchResult | SQSBatchResponse> {
  return isSqsEvent(event) ? continuation(event, context) : scheduled(event, context);
}
