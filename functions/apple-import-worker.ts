import { runImport } from '#shared/imports/import-run.js';
import { importMessage } from '#shared/imports/notification.js';
import { sendJob } from '#shared/jobs/send.js';
import { createSqsWorker } from '#shared/jobs/worker.js';

/** Time kept back from the Lambda limit: the batch in flight when the deadline passes still has to be saved. */
const SAFETY_MS = 120_000;

/** Imports Apple Health exports uploaded to the imports bucket (shared/imports/import-run.ts), re-queuing itself. */
export const handler = createSqsWorker(importMessage, async (jobs, context) => {
  for (const job of jobs) {
    const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS;
    if ((await runImport(job, deadline)) === 'continue') {
      await sendJob('appleImports', importMessage, { continue: job });
    }
  }
});
