import { erasureJob, runErasureJob } from '#shared/jobs/erasure.js';
import { deadlineOf } from '#shared/jobs/scheduled.js';
import { createSqsWorker } from '#shared/jobs/worker.js';

/** Leaves this much of the invocation for the continuation message and the batch response. */
const SAFETY_MS = 30_000;

export const handler = createSqsWorker(erasureJob, async (job, context) => {
  await runErasureJob(job, deadlineOf(context, SAFETY_MS));
});
