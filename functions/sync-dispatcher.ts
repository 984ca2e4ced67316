import * as z from 'zod/mini';
import { WEBHOOK_PROVIDERS } from '#shared/jobs/queues.js';
import { createScheduledHandler, queuedOrScheduled } from '#shared/jobs/scheduled.js';
import { createSqsWorker } from '#shared/jobs/worker.js';
import { dispatchInput, dispatchJob, dispatchLiveSyncs } from '#shared/sync/dispatcher.js';
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
const scheduled = createScheduledHandler(async (event, context) => {
  const renewal = renewInput.safeParse(event);
  if (renewal.success) return scheduledRenewal(renewal.data.provider);
  const { provider, kind } = dispatchInput.parse(event);
  return dispatchLiveSyncs({ provider, kind }, { remainingMs: () => context.getRemainingTimeInMillis() });
});

/** The sync dispatcher: a schedule's run, or the continuation of one. */
export const handler = queuedOrScheduled(continuation, scheduled);
