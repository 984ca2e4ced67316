import { providerModules } from '#shared/providers/index.js';
import { createSyncWorker } from '#shared/sync/worker.js';

/** Consumes every provider's sync queue (one event source each, each with its own concurrency cap). */
export const handler = createSyncWorker({ providers: providerModules });
