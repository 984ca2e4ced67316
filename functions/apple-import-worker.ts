import { DEADLINE_SAFETY_MS, runImport } from '#shared/imports/import-run.js';
import { importMessage } from '#shared/imports/notification.js';
import { deadlineOf } from '#shared/jobs/scheduled.js';
import { sendJob } from '#shared/jobs/send.js';
import { createSqsWorker } from '#shared/jobs/worker.js';

/** Imports Apple Health exports uploaded to the imports bucket (shared/imports/import-run.ts), re-queuing itself. */
export const handler = createSqsWorker(importMessage, async (jobs, context) => {
  for (const job of jobs) {
    if ((await runImport(job, deadlineOf(context, DEADLINE_SAFETY_MS))) === 'continue') {
      const { bucket, key, etag, size } = job;
      await sendJob('appleImports', importMessage, { continue: { bucket, key, etag, size } });
    }
  }
});
