import * as z from 'zod';

/**
 * Pull providers with an implementation in shared/providers/index.ts (`providerModules`): each gets a sync queue
 * here and a dispatcher schedule in schedules.ts. Spelled out rather than derived from `providerModules`, so that
 * importing the registries (every env schema, CDK, the sandbox) never pulls provider code into a bundle; a unit
 * test keeps the two lists equal.
 */
export const SYNC_PROVIDERS = [
  'fitbit',
  'ultrahuman',
  'garmin',
  'strava',
  'oura',
  'whoop',
  'polar',
  'suunto',
  'google_health',
  'withings',
  'sensorbio',
] as const;
export type SyncProvider = (typeof SYNC_PROVIDERS)[number];

export const isSyncProvider = (value: string): value is SyncProvider =>
  (SYNC_PROVIDERS as readonly string[]).includes(value);

/** Providers with a webhook handler (`webhook` of their module): each gets a webhook queue here. */
export const WEBHOOK_PROVIDERS = [
  'garmin',
  'strava',
  'oura',
  'whoop',
  'polar',
  'suunto',
  'google_health',
  'withings',
] as const;
export type WebhookProviderName = (typeof WEBHOOK_PROVIDERS)[number];

export const isWebhookProvider = (value: string): value is WebhookProviderName =>
  (WEBHOOK_PROVIDERS as readonly string[]).includes(value);

/** What every queue declares. `maxConcurrency` caps the concurrent batches of its event source (2..1000). */
export interface QueueSpec {
  /** Physical name (prefixed with `open-wearables-<stage>-` on AWS); its DLQ is `<name>-dlq`. */
  name: string;
  /** Env variable holding the URL, for producers (and the worker, when it re-queues). */
  urlVariable: `${string}_QUEUE_URL`;
  /** `functions/<worker>.ts`; one function may consume several queues (one event source each). */
  worker: string;
  /** The worker's timeout: equal for every queue (and schedule) of one worker. */
  timeoutSeconds: number;
  batchSize: number;
  maxReceiveCount: number;
  maxConcurrency: number;
  /**
   * Concurrent pollers of the local sandbox (default 1), standing in for Lambda's concurrent batches where one
   * slow batch must not hold the others (one hanging integrator endpoint).
   */
  sandboxPollers?: number;
}

/**
 * Every SQS queue of the system, shared by the CDK stack (queue + DLQ + alarm + event source) and the sandbox
 * (local queue + poller). `worker` is the `functions/<worker>.ts` entry that consumes it; visibility is six
 * times the worker's timeout, as AWS advises for Lambda event sources.
 *
 * `maxConcurrency` bounds the concurrent batches per queue. Lambda would otherwise scale an event source up to
 * 1,000 concurrent batches; every worker writes to the one on-demand table, and the sync workers also call a
 * provider whose rate limits are per app or per user (providers.md 6, risk 6): the cap is per provider.
 */
export const QUEUES = {
  erasure: {
    name: 'user-erasure',
    urlVariable: 'ERASURE_QUEUE_URL',
    worker: 'erasure-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 5,
  },
  /** Continuations of a dispatcher run that did not fit one invocation (shared/sync/dispatcher.ts). */
  syncDispatch: {
    name: 'sync-dispatch',
    urlVariable: 'SYNC_DISPATCH_QUEUE_URL',
    worker: 'sync-dispatcher',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 3,
    maxConcurrency: 2,
  },
  /**
   * SDK pushes of the mobile ingress, stored first (S3 object-created notifications on AWS, the same message from
   * the sandbox's ingress): a round of up to 10 MB parses and stores in seconds; redelivery is harmless (every
   * write is idempotent).
   */
  sdkUploads: {
    name: 'sdk-uploads',
    urlVariable: 'SDK_UPLOADS_QUEUE_URL',
    worker: 'sdk-upload-worker',
    timeoutSeconds: 120,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 20,
  },
  /**
   * Apple Health export imports (shared/imports): S3 object-created notifications of the imports bucket, and the
   * worker's own continuations when an export does not fit one invocation (it checkpoints and re-queues itself).
   */
  appleImports: {
    name: 'apple-imports',
    urlVariable: 'APPLE_IMPORTS_QUEUE_URL',
    worker: 'apple-import-worker',
    timeoutSeconds: 840,
    batchSize: 1,
    maxReceiveCount: 3,
    maxConcurrency: 5,
  },
  /** Archival runs (shared/archival/run.ts): started by `POST /settings/archival/run`, and their continuations. */
  archival: {
    name: 'archival',
    urlVariable: 'ARCHIVAL_QUEUE_URL',
    worker: 'archival-worker',
    timeoutSeconds: 840,
    batchSize: 1,
    maxReceiveCount: 3,
    maxConcurrency: 2,
  },
  /**
   * One queue per pull provider. Batches of one: a sync job may run for minutes and checkpoints against the
   * invocation's own deadline, and the concurrency cap then counts syncs, not batches.
   */
  syncFitbit: {
    name: 'sync-fitbit',
    urlVariable: 'SYNC_FITBIT_QUEUE_URL',
    worker: 'sync-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
    // Fitbit limits 150 requests per hour per user, not per app: five users at a time is gentle enough.
    maxConcurrency: 5,
  },
  syncUltrahuman: {
    name: 'sync-ultrahuman',
    urlVariable: 'SYNC_ULTRAHUMAN_QUEUE_URL',
    worker: 'sync-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
    // One request per user-day; the partner API publishes no limit, so stay modest.
    maxConcurrency: 5,
  },
  // Garmin's backfill requests share its app-wide budget of 100 requests a minute (a token bucket in the table).
  syncGarmin: {
    name: 'sync-garmin',
    urlVariable: 'SYNC_GARMIN_QUEUE_URL',
    worker: 'sync-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 2,
  },
  // Strava's budget is app-wide (200 per 15 minutes, 2,000 a day on the standard tier), read from its headers.
  syncStrava: {
    name: 'sync-strava',
    urlVariable: 'SYNC_STRAVA_QUEUE_URL',
    worker: 'sync-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 2,
  },
  // Oura allows 5,000 requests per 5 minutes per app: a few syncs at a time stay far below.
  syncOura: {
    name: 'sync-oura',
    urlVariable: 'SYNC_OURA_QUEUE_URL',
    worker: 'sync-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 3,
  },
  // WHOOP's budget is app-wide (100 a minute, 10,000 a day): a token bucket in the table, and few syncs at a time.
  syncWhoop: {
    name: 'sync-whoop',
    urlVariable: 'SYNC_WHOOP_QUEUE_URL',
    worker: 'sync-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 2,
  },
  // Polar's limits grow with the number of registered users but start at 500 per 15 minutes: stay modest.
  syncPolar: {
    name: 'sync-polar',
    urlVariable: 'SYNC_POLAR_QUEUE_URL',
    worker: 'sync-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 2,
  },
  // Suunto's partner API publishes per-key quotas; a few syncs at a time.
  syncSuunto: {
    name: 'sync-suunto',
    urlVariable: 'SYNC_SUUNTO_QUEUE_URL',
    worker: 'sync-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 3,
  },
  // Google Health API quotas are per project: a few syncs at a time.
  syncGoogleHealth: {
    name: 'sync-google-health',
    urlVariable: 'SYNC_GOOGLE_HEALTH_QUEUE_URL',
    worker: 'sync-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 3,
  },
  // Withings allows 120 requests a minute per app: a token bucket in the table, and two syncs at a time.
  syncWithings: {
    name: 'sync-withings',
    urlVariable: 'SYNC_WITHINGS_QUEUE_URL',
    worker: 'sync-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 2,
  },
  // SensorBio publishes no limit; stay modest.
  syncSensorbio: {
    name: 'sync-sensorbio',
    urlVariable: 'SYNC_SENSORBIO_QUEUE_URL',
    worker: 'sync-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency: 3,
  },
  /**
   * Outgoing delivery (shared/delivery): domain events emitted after a durable write, fanned out to the sinks
   * (integrator endpoints, the EventBridge bus, the data lake). Redelivery is harmless: every event has a stable id.
   */
  deliveryEvents: {
    name: 'delivery-events',
    urlVariable: 'EVENTS_QUEUE_URL',
    worker: 'event-fanout',
    timeoutSeconds: 60,
    batchSize: 10,
    maxReceiveCount: 5,
    maxConcurrency: 10,
  },
  /**
   * One attempt to deliver one message to one integrator endpoint; retries are re-queued with the Standard
   * Webhooks delays. Records are handled in parallel, so one slow endpoint holds only its own attempt.
   */
  webhookDeliveries: {
    name: 'webhook-deliveries',
    urlVariable: 'WEBHOOK_DELIVERIES_QUEUE_URL',
    worker: 'webhook-delivery',
    timeoutSeconds: 60,
    batchSize: 10,
    maxReceiveCount: 5,
    maxConcurrency: 20,
    sandboxPollers: 4,
  },
  /**
   * Verified provider webhooks, stored as received (shared/webhooks): one queue per provider, so one provider's
   * backlog or outage never delays another's. Batches are handled with partial failures; a notification that
   * failed transiently is re-queued on its own (shared/webhooks/worker.ts), the others are acknowledged.
   */
  webhookGarmin: {
    name: 'webhook-garmin',
    urlVariable: 'WEBHOOK_GARMIN_QUEUE_URL',
    worker: 'webhook-worker',
    timeoutSeconds: 120,
    batchSize: 5,
    maxReceiveCount: 8,
    maxConcurrency: 10,
  },
  webhookStrava: {
    name: 'webhook-strava',
    urlVariable: 'WEBHOOK_STRAVA_QUEUE_URL',
    worker: 'webhook-worker',
    timeoutSeconds: 120,
    batchSize: 5,
    maxReceiveCount: 8,
    // Each notification costs one Strava request from the app-wide budget.
    maxConcurrency: 3,
  },
  webhookOura: {
    name: 'webhook-oura',
    urlVariable: 'WEBHOOK_OURA_QUEUE_URL',
    worker: 'webhook-worker',
    timeoutSeconds: 120,
    batchSize: 5,
    maxReceiveCount: 8,
    maxConcurrency: 5,
  },
  webhookWhoop: {
    name: 'webhook-whoop',
    urlVariable: 'WEBHOOK_WHOOP_QUEUE_URL',
    worker: 'webhook-worker',
    timeoutSeconds: 120,
    batchSize: 5,
    maxReceiveCount: 8,
    maxConcurrency: 3,
  },
  webhookPolar: {
    name: 'webhook-polar',
    urlVariable: 'WEBHOOK_POLAR_QUEUE_URL',
    worker: 'webhook-worker',
    timeoutSeconds: 120,
    batchSize: 5,
    maxReceiveCount: 8,
    maxConcurrency: 3,
  },
  webhookSuunto: {
    name: 'webhook-suunto',
    urlVariable: 'WEBHOOK_SUUNTO_QUEUE_URL',
    worker: 'webhook-worker',
    timeoutSeconds: 120,
    batchSize: 5,
    maxReceiveCount: 8,
    maxConcurrency: 5,
  },
  webhookGoogleHealth: {
    name: 'webhook-google-health',
    urlVariable: 'WEBHOOK_GOOGLE_HEALTH_QUEUE_URL',
    worker: 'webhook-worker',
    timeoutSeconds: 120,
    batchSize: 5,
    maxReceiveCount: 8,
    maxConcurrency: 5,
  },
  webhookWithings: {
    name: 'webhook-withings',
    urlVariable: 'WEBHOOK_WITHINGS_QUEUE_URL',
    worker: 'webhook-worker',
    timeoutSeconds: 120,
    batchSize: 5,
    maxReceiveCount: 8,
    maxConcurrency: 3,
  },
} as const satisfies Record<string, QueueSpec>;

export type QueueName = keyof typeof QUEUES;
/** A `functions/<name>.ts` entry consuming at least one queue. */
export type QueueWorkerName = (typeof QUEUES)[QueueName]['worker'];

/** The sync queue of each pull provider. */
export const SYNC_QUEUES = {
  fitbit: 'syncFitbit',
  ultrahuman: 'syncUltrahuman',
  garmin: 'syncGarmin',
  strava: 'syncStrava',
  oura: 'syncOura',
  whoop: 'syncWhoop',
  polar: 'syncPolar',
  suunto: 'syncSuunto',
  google_health: 'syncGoogleHealth',
  withings: 'syncWithings',
  sensorbio: 'syncSensorbio',
} as const satisfies Record<SyncProvider, QueueName>;

/** The webhook queue of each push provider. */
export const WEBHOOK_QUEUES = {
  garmin: 'webhookGarmin',
  strava: 'webhookStrava',
  oura: 'webhookOura',
  whoop: 'webhookWhoop',
  polar: 'webhookPolar',
  suunto: 'webhookSuunto',
  google_health: 'webhookGoogleHealth',
  withings: 'webhookWithings',
} as const satisfies Record<WebhookProviderName, QueueName>;

export const visibilityTimeoutSeconds = (queue: QueueName) => QUEUES[queue].timeoutSeconds * 6;

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
