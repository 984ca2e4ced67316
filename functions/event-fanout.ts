import { decodeEvents, fanOut } from '#shared/delivery/fanout.js';
import { eventsJob } from '#shared/delivery/types.js';
import { createSqsWorker } from '#shared/jobs/worker.js';

/** Consumes the events queue: every emitted event to the bus, the lake and the matching integrator endpoints. */
export const handler = createSqsWorker(eventsJob, (job) => fanOut(decodeEvents(job)));
