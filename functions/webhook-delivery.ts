import { deliver } from '#shared/delivery/deliver.js';
import { deliveryJob } from '#shared/delivery/types.js';
import { createSqsWorker } from '#shared/jobs/worker.js';

/**
 * Consumes the deliveries queue: one attempt per record. The records of a batch run concurrently (the batch
 * processor's default), so a receiver that answers only at the timeout holds its own record, not the others;
 * while an endpoint is failing, only one of its deliveries is attempted at a time (deliver.ts).
 */
export const handler = createSqsWorker(deliveryJob, (job) => deliver(job));
