import { processUpload, uploadNotification } from '#shared/ingest/sdk-uploads.js';
import { createSqsWorker } from '#shared/jobs/worker.js';

/** Ingests the SDK pushes the mobile ingress stored (shared/ingest/sdk-uploads.ts). */
export const handler = createSqsWorker(uploadNotification, async (notification) => {
  for (const record of notification.Records) {
    if (!record.eventName.startsWith('ObjectCreated:')) continue;
    await processUpload(record.s3.bucket.name, record.s3.object.key);
  }
});
