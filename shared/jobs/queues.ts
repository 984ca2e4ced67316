import * as z from 'zod';

/**
 * Pull providers with an implementation in shared/providers/index.ts (`providerModules`): each gets a sync queue
 * here and a dispatcher schedule in schedules.ts. Spelled out rather than derived from `providerModules`, so that
 * importing the registries (every env schema, CDK, the sandbox) never pulls provider code into a bundle; a unit
 * test keeps the two lists equal.
 */
export const SYNC_PROVIDERS = ['fitbit', 'ultrahuman', 'garmin', 'strava'] as const;
export type SyncProvider = (typeof SYNC_PROVIDERS)[number];

export const isSyncProvider = (value: string): value is SyncProvider =>
  (SYNC_PROVIDERS as readonly string[]).includes(value);

/** Providers with a webhook handler (`webhook` of their module): each gets a webhook queue here. */
export const WEBHOOK_PROVIDERS = ['garmin', 'strava'] as const;
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
} as const satisfies Record<SyncProvider, QueueName>;

/** The webhook queue of each push provider. */
export const WEBHOOK_QUEUES = {
  garmin: 'webhookGarmin',
  strava: 'webhookStrava',
} as const satisfies Record<WebhookProviderName, QueueName>;

export const visibilityTimeoutSeconds = (queue: QueueName) => QUEUES[queue].timeoutSeconds * 6;

/** Env of a function that sends to a queue: the queue URL, validated like every other variable. */
export const queueProducerEnv = {
  erasure: z.object({ ERASURE_QUEUE_URL: z.url() }),
  syncDispatch: z.object({ SYNC_DISPATCH_QUEUE_URL: z.url() }),
  sdkUploads: z.object({ SDK_UPLOADS_QUEUE_URL: z.url() }),
  syncFitbit: z.object({ SYNC_FITBIT_QUEUE_URL: z.url() }),
  syncUltrahuman: z.object({ SYNC_ULTRAHUMAN_QUEUE_URL: z.url() }),
  syncGarmin: z.object({ SYNC_GARMIN_QUEUE_URL: z.url() }),
  syncStrava: z.object({ SYNC_STRAVA_QUEUE_URL: z.url() }),
  webhookGarmin: z.object({ WEBHOOK_GARMIN_QUEUE_URL: z.url() }),
  webhookStrava: z.object({ WEBHOOK_STRAVA_QUEUE_URL: z.url() }),
} satisfies { [Q in QueueName]: z.ZodObject<{ [K in (typeof QUEUES)[Q]['urlVariable']]: z.ZodURL }> };

/** Every sync queue URL: what a function that queues syncs of any provider needs (sync and oauth areas, worker). */
export const syncQueuesEnv = z.object({
  ...queueProducerEnv.syncFitbit.shape,
  ...queueProducerEnv.syncUltrahuman.shape,
  ...queueProducerEnv.syncGarmin.shape,
  ...queueProducerEnv.syncStrava.shape,
});

/** Every webhook queue URL: the webhooks area stores notifications there, the webhook worker re-queues on them. */
export const webhookQueuesEnv = z.object({
  ...queueProducerEnv.webhookGarmin.shape,
  ...queueProducerEnv.webhookStrava.shape,
});
