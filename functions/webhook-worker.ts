import { webhookModules } from '#shared/providers/webhook-modules.js';
import { createWebhookWorker } from '#shared/webhooks/worker.js';

/** Consumes every provider's webhook queue (one event source each, each with its own concurrency cap). */
export const handler = createWebhookWorker({ providers: webhookModules });
