import * as z from 'zod/mini';
import type { QUEUES, QueueName } from '#shared/jobs/queues.js';

/** One schema for every queue URL: a schema holds no state, and one per queue was a tenth of a cold start's schemas. */
const queueUrl = z.url();

/** Env of a function that sends to a queue: the queue URL, validated like every other variable. */
export const queueProducerEnv = {
  erasure: z.object({ ERASURE_QUEUE_URL: queueUrl }),
  syncDispatch: z.object({ SYNC_DISPATCH_QUEUE_URL: queueUrl }),
  sdkUploads: z.object({ SDK_UPLOADS_QUEUE_URL: queueUrl }),
  appleImports: z.object({ APPLE_IMPORTS_QUEUE_URL: queueUrl }),
  archival: z.object({ ARCHIVAL_QUEUE_URL: queueUrl }),
  syncFitbit: z.object({ SYNC_FITBIT_QUEUE_URL: queueUrl }),
  syncUltrahuman: z.object({ SYNC_ULTRAHUMAN_QUEUE_URL: queueUrl }),
  syncGarmin: z.object({ SYNC_GARMIN_QUEUE_URL: queueUrl }),
  syncStrava: z.object({ SYNC_STRAVA_QUEUE_URL: queueUrl }),
  webhookGarmin: z.object({ WEBHOOK_GARMIN_QUEUE_URL: queueUrl }),
  webhookStrava: z.object({ WEBHOOK_STRAVA_QUEUE_URL: queueUrl }),
  syncOura: z.object({ SYNC_OURA_QUEUE_URL: queueUrl }),
  syncWhoop: z.object({ SYNC_WHOOP_QUEUE_URL: queueUrl }),
  syncPolar: z.object({ SYNC_POLAR_QUEUE_URL: queueUrl }),
  syncSuunto: z.object({ SYNC_SUUNTO_QUEUE_URL: queueUrl }),
  syncGoogleHealth: z.object({ SYNC_GOOGLE_HEALTH_QUEUE_URL: queueUrl }),
  syncWithings: z.object({ SYNC_WITHINGS_QUEUE_URL: queueUrl }),
  syncSensorbio: z.object({ SYNC_SENSORBIO_QUEUE_URL: queueUrl }),
  webhookOura: z.object({ WEBHOOK_OURA_QUEUE_URL: queueUrl }),
  webhookWhoop: z.object({ WEBHOOK_WHOOP_QUEUE_URL: queueUrl }),
  webhookPolar: z.object({ WEBHOOK_POLAR_QUEUE_URL: queueUrl }),
  webhookSuunto: z.object({ WEBHOOK_SUUNTO_QUEUE_URL: queueUrl }),
  webhookGoogleHealth: z.object({ WEBHOOK_GOOGLE_HEALTH_QUEUE_URL: queueUrl }),
  webhookWithings: z.object({ WEBHOOK_WITHINGS_QUEUE_URL: queueUrl }),
  deliveryEvents: z.object({ EVENTS_QUEUE_URL: queueUrl }),
  webhookDeliveries: z.object({ WEBHOOK_DELIVERIES_QUEUE_URL: queueUrl }),
} satisfies { [Q in QueueName]: z.ZodMiniObject<{ [K in (typeof QUEUES)[Q]['urlVariable']]: z.ZodMiniURL }> };

/** Every sync queue URL: what a function that queues syncs of any provider needs (sync and oauth areas, worker). */
export const syncQueuesEnv = z.object({
  ...queueProducerEnv.syncFitbit.shape,
  ...queueProducerEnv.syncUltrahuman.shape,
  ...queueProducerEnv.syncGarmin.shape,
  ...queueProducerEnv.syncStrava.shape,
  ...queueProducerEnv.syncOura.shape,
  ...queueProducerEnv.syncWhoop.shape,
  ...queueProducerEnv.syncPolar.shape,
  ...queueProducerEnv.syncSuunto.shape,
  ...queueProducerEnv.syncGoogleHealth.shape,
  ...queueProducerEnv.syncWithings.shape,
  ...queueProducerEnv.syncSensorbio.shape,
});

/** Every webhook queue URL: the webhooks area stores notifications there, the webhook worker re-queues on them. */
export const webhookQueuesEnv = z.object({
  ...queueProducerEnv.webhookGarmin.shape,
  ...queueProducerEnv.webhookStrava.shape,
  ...queueProducerEnv.webhookOura.shape,
  ...queueProducerEnv.webhookWhoop.shape,
  ...queueProducerEnv.webhookPolar.shape,
  ...queueProducerEnv.webhookSuunto.shape,
  ...queueProducerEnv.webhookGoogleHealth.shape,
  ...queueProducerEnv.webhookWithings.shape,
});
