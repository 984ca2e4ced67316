import * as z from 'zod';
import type { QUEUES, QueueName } from '#shared/jobs/queues.js';

/** Env of a function that sends to a queue: the queue URL, validated like every other variable. */
export const queueProducerEnv = {
  erasure: z.object({ ERASURE_QUEUE_URL: z.url() }),
  syncDispatch: z.object({ SYNC_DISPATCH_QUEUE_URL: z.url() }),
  sdkUploads: z.object({ SDK_UPLOADS_QUEUE_URL: z.url() }),
  appleImports: z.object({ APPLE_IMPORTS_QUEUE_URL: z.url() }),
  archival: z.object({ ARCHIVAL_QUEUE_URL: z.url() }),
  syncFitbit: z.object({ SYNC_FITBIT_QUEUE_URL: z.url() }),
  syncUltrahuman: z.object({ SYNC_ULTRAHUMAN_QUEUE_URL: z.url() }),
  syncGarmin: z.object({ SYNC_GARMIN_QUEUE_URL: z.url() }),
  syncStrava: z.object({ SYNC_STRAVA_QUEUE_URL: z.url() }),
  webhookGarmin: z.object({ WEBHOOK_GARMIN_QUEUE_URL: z.url() }),
  webhookStrava: z.object({ WEBHOOK_STRAVA_QUEUE_URL: z.url() }),
  syncOura: z.object({ SYNC_OURA_QUEUE_URL: z.url() }),
  syncWhoop: z.object({ SYNC_WHOOP_QUEUE_URL: z.url() }),
  syncPolar: z.object({ SYNC_POLAR_QUEUE_URL: z.url() }),
  syncSuunto: z.object({ SYNC_SUUNTO_QUEUE_URL: z.url() }),
  syncGoogleHealth: z.object({ SYNC_GOOGLE_HEALTH_QUEUE_URL: z.url() }),
  syncWithings: z.object({ SYNC_WITHINGS_QUEUE_URL: z.url() }),
  syncSensorbio: z.object({ SYNC_SENSORBIO_QUEUE_URL: z.url() }),
  webhookOura: z.object({ WEBHOOK_OURA_QUEUE_URL: z.url() }),
  webhookWhoop: z.object({ WEBHOOK_WHOOP_QUEUE_URL: z.url() }),
  webhookPolar: z.object({ WEBHOOK_POLAR_QUEUE_URL: z.url() }),
  webhookSuunto: z.object({ WEBHOOK_SUUNTO_QUEUE_URL: z.url() }),
  webhookGoogleHealth: z.object({ WEBHOOK_GOOGLE_HEALTH_QUEUE_URL: z.url() }),
  webhookWithings: z.object({ WEBHOOK_WITHINGS_QUEUE_URL: z.url() }),
  deliveryEvents: z.object({ EVENTS_QUEUE_URL: z.url() }),
  webhookDeliveries: z.object({ WEBHOOK_DELIVERIES_QUEUE_URL: z.url() }),
} satisfies { [Q in QueueName]: z.ZodObject<{ [K in (typeof QUEUES)[Q]['urlVariable']]: z.ZodURL }> };

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
