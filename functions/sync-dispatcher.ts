import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { WEBHOOK_PROVIDERS } from '#shared/jobs/queues.js';
import { createSqsWorker } from '#shared/jobs/worker.js';
import { logger } from '#shared/observability.js';
import {
  type DispatchResult,
  dispatchInput,
  dispatchJob,
  dispatchLiveSyncs,
} from '#shared/sync/dispatcher.js';
import { scheduledRenewal } from '#shared/webhooks/subscriptions.js';

/** Continuations of a dispatch that neared its deadline, from the `syncDispatch` queue. */
const continuation = createSqsWorker(dispatchJob, async (job, context) => {
  await dispatchLiveSyncs(job, { remainingMs: () => context.getRemainingTimeInMillis() });
});

/** A subscription renewal schedule: `{"provider": "oura", "kind": "renew"}`. */
const renewInput = z.object({ provider: z.enum(WEBHOOK_PROVIDERS), kind: z.literal('renew') });

/**
 * Invoked by a provider's EventBridge Scheduler schedule with `{"provider": "<p>", "kind"?: "watchdog"}`, or by a
 * subscription renewal schedule.
 */
const scheduled = middy<unknown, DispatchResult | { renewed: number; skipped?: string }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    const renewal = renewInput.safeParse(event);
    if (renewal.success) return scheduledRenewal(renewal.data.provider);
    const { provider, kind } = dispatchInput.parse(event);
    return dispatchLiveSyncs({ provider, kind }, { remainingMs: () => context.getRemainingTimeInMillis() });
  });

const isSqsEvent = (event: unknown): event is SQSEvent =>
  Array.isArray((event as { Records?: unknown } | null)?.Records);

/** The sync dispatcher: a schedule's run, or the continuation of one. */
export async function handler(event: unknown, context: Context) {
  return isSqsEvent(event) ? continuation(event, context) : scheduled(event, context);
}
