import { syncModules } from '#shared/providers/cores.js';
import { createSyncWorker } from '#shared/sync/worker.js';

/** Consumes every provider's sync queue (one event source each, each with its own concurrency cap). */
export const handler = createSyncWorker({ providers: syncModules });
