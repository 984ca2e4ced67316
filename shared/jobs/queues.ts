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

/** A pull provider's sync queue: batches of one, each a sync of one user (a sync checkpoints against its deadline). */
const syncQueue = <N extends string, U extends `${string}_QUEUE_URL`>(
  name: N,
  urlVariable: U,
  maxConcurrency: number,
) =>
  ({
    name,
    urlVariable,
    worker: 'sync-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
    maxConcurrency,
  }) as const;

/** A push provider's webhook queue: small batches of stored notifications, with partial failures. */
const webhookQueue = <N extends string, U extends `${string}_QUEUE_URL`>(
  name: N,
  urlVariable: U,
  maxConcurrency: number,
) =>
  ({
    name,
    urlVariable,
    worker: 'webhook-worker',
    timeoutSeconds: 120,
    batchSize: 5,
    maxReceiveCount: 8,
    maxConcurrency,
  }) as const;

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
  // Fitbit limits 150 requests per hour per user, not per app: five users at a time is gentle enough.
  syncFitbit: syncQueue('sync-fitbit', 'SYNC_FITBIT_QUEUE_URL', 5),
  // One request per user-day; the partner API publishes no limit, so stay modest.
  syncUltrahuman: syncQueue('sync-ultrahuman', 'SYNC_ULTRAHUMAN_QUEUE_URL', 5),
  // Garmin's backfill requests share its app-wide budget of 100 requests a minute (a token bucket in the table).
  syncGarmin: syncQueue('sync-garmin', 'SYNC_GARMIN_QUEUE_URL', 2),
  // Strava's budget is app-wide (200 per 15 minutes, 2,000 a day on the standard tier), read from its headers.
  syncStrava: syncQueue('sync-strava', 'SYNC_STRAVA_QUEUE_URL', 2),
  // Oura allows 5,000 requests per 5 minutes per app: a few syncs at a time stay far below.
  syncOura: syncQueue('sync-oura', 'SYNC_OURA_QUEUE_URL', 3),
  // WHOOP's budget is app-wide (100 a minute, 10,000 a day): a token bucket in the table, and few syncs at a time.
  syncWhoop: syncQueue('sync-whoop', 'SYNC_WHOOP_QUEUE_URL', 2),
  // Polar's limits grow with the number of registered users but start at 500 per 15 minutes: stay modest.
  syncPolar: syncQueue('sync-polar', 'SYNC_POLAR_QUEUE_URL', 2),
  // Suunto's partner API publishes per-key quotas; a few syncs at a time.
  syncSuunto: syncQueue('sync-suunto', 'SYNC_SUUNTO_QUEUE_URL', 3),
  // Google Health API quotas are per project: a few syncs at a time.
  syncGoogleHealth: syncQueue('sync-google-health', 'SYNC_GOOGLE_HEALTH_QUEUE_URL', 3),
  // Withings allows 120 requests a minute per app: a token bucket in the table, and two syncs at a time.
  syncWithings: syncQueue('sync-withings', 'SYNC_WITHINGS_QUEUE_URL', 2),
  // SensorBio publishes no limit; stay modest.
  syncSensorbio: syncQueue('sync-sensorbio', 'SYNC_SENSORBIO_QUEUE_URL', 3),
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
  webhookGarmin: webhookQueue('webhook-garmin', 'WEBHOOK_GARMIN_QUEUE_URL', 10),
  // Each notification costs one Strava request from the app-wide budget.
  webhookStrava: webhookQueue('webhook-strava', 'WEBHOOK_STRAVA_QUEUE_URL', 3),
  webhookOura: webhookQueue('webhook-oura', 'WEBHOOK_OURA_QUEUE_URL', 5),
  webhookWhoop: webhookQueue('webhook-whoop', 'WEBHOOK_WHOOP_QUEUE_URL', 3),
  webhookPolar: webhookQueue('webhook-polar', 'WEBHOOK_POLAR_QUEUE_URL', 3),
  webhookSuunto: webhookQueue('webhook-suunto', 'WEBHOOK_SUUNTO_QUEUE_URL', 5),
  webhookGoogleHealth: webhookQueue('webhook-google-health', 'WEBHOOK_GOOGLE_HEALTH_QUEUE_URL', 5),
  webhookWithings: webhookQueue('webhook-withings', 'WEBHOOK_WITHINGS_QUEUE_URL', 3),
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
