import { erasureJob, runErasureJob } from '#shared/jobs/erasure.js';
import { createSqsWorker } from '#shared/jobs/worker.js';

/** Leaves this much of the invocation for the continuation message and the batch response. */
const SAFETY_MS = 30_000;

export const handler = createSqsWorker(erasureJob, async (job, context) => {
  await runErasureJob(job, Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS);
});
