import { archivalJob, runArchival, scheduledArchival } from '#shared/archival/run.js';
import { createScheduledHandler, deadlineOf, queuedOrScheduled } from '#shared/jobs/scheduled.js';
import { createSqsWorker } from '#shared/jobs/worker.js';

/** Leaves this much of the invocation for the continuation message and the batch response. */
const SAFETY_MS = 60_000;

/** A run queued by `POST /settings/archival/run`, or the continuation of one. */
const queued = createSqsWorker(archivalJob, async (job, context) => {
  await runArchival(job, deadlineOf(context, SAFETY_MS));
});

/** The hourly schedule: queues the nightly run once a day. */
const scheduled = createScheduledHandler(() => scheduledArchival(Date.now()));

export const handler = queuedOrScheduled(queued, scheduled);
