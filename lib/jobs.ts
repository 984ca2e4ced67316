import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type * as z from 'zod/mini';
import {
  AppFunction,
  type BucketAction,
  type FunctionEnvironment,
  grantMissingAsNotFound,
} from '#lib/app-function.js';
import type { AppConfig } from '#lib/config.js';
import { pascal } from '#lib/names.js';
import { ProviderVault } from '#lib/provider-vault.js';
import { rateSettings } from '#lib/settings.js';
import { archivalWorkerEnvSchema } from '#shared/archival/env.js';
import { baseEnvSchema, erasureWorkerEnvSchema } from '#shared/config/env.js';
import { webhookDeliveryEnvSchema } from '#shared/delivery/env.js';
import { eventFanoutEnvSchema } from '#shared/delivery/fanout-env.js';
import { appleImportWorkerEnvSchema } from '#shared/imports/env.js';
import {
  QUEUES,
  type QueueName,
  type QueueWorkerName,
  SYNC_QUEUES,
  visibilityTimeoutSeconds,
  WEBHOOK_QUEUES,
} from '#shared/jobs/queues.js';
import {
  SCHEDULES,
  type ScheduleName,
  type ScheduleWorkerName,
  scheduleRateMinutes,
  scheduleSpec,
} from '#shared/jobs/schedules.js';
import { ENDPOINT_SECRET_OWNER } from '#shared/store/webhook-endpoints.js';
import { WRITE_SCOPES } from '#shared/store/write-scopes.js';
import { syncDispatcherEnvSchema, syncWorkerEnvSchema } from '#shared/sync/env.js';
import { webhookWorkerEnvSchema } from '#shared/webhooks/env.js';

type WorkerName = QueueWorkerName | ScheduleWorkerName;

interface WorkerSpec {
  /** Construct id of the function (kept stable: a renamed id would replace a function of the same name). */
  id: string;
  /** What the worker validates at cold start (and synth checks). */
  envSchema: z.ZodMiniObject;
  /** Queues the worker sends to: it gets their URL variable and sqs:SendMessage on them, nothing more. */
  sendsTo: readonly QueueName[];
  /** Reads and refreshes provider OAuth tokens: the token key and the provider credentials (ProviderVault). */
  tokens?: boolean;
  /** Reads the provider app credentials only (not the tokens): the subscription renewals. */
  credentials?: boolean;
  /** What it may do with the webhook bodies bucket (WEBHOOK_BODIES_BUCKET). */
  webhookBodies?: readonly BucketAction[];
  /** Opens the integrator endpoints' signing secrets (ProviderVault.bindEndpointSecrets, decrypt only). */
  endpointSecrets?: boolean;
}

const syncQueues = Object.values(SYNC_QUEUES);

/**
 * One function per `functions/<worker>.ts` named in the registries; a worker may consume several queues and be
 * invoked by several schedules. Typed by the registries: a new worker does not compile until its environment and
 * grants are decided here.
 */
const WORKERS = {
  // Re-queues itself when a user does not fit one invocation.
  'erasure-worker': {
    id: 'ErasureWorker',
    envSchema: erasureWorkerEnvSchema,
    sendsTo: ['erasure'],
  },
  'sleep-finaliser': { id: 'SleepFinaliserFunction', envSchema: baseEnvSchema, sendsTo: [] },
  // Reads and deletes the mobile ingress's uploads (granted by MobileIngress).
  'sdk-upload-worker': { id: 'SdkUploadWorker', envSchema: baseEnvSchema, sendsTo: [] },
  // Reads the imports bucket (granted by Imports, lib/imports.ts) and continues long imports through its queue.
  'apple-import-worker': {
    id: 'AppleImportWorker',
    envSchema: appleImportWorkerEnvSchema,
    sendsTo: ['appleImports'],
  },
  // The nightly data lifecycle run and the manual ones; continues a run through its own queue.
  'archival-worker': {
    id: 'ArchivalWorker',
    envSchema: archivalWorkerEnvSchema,
    sendsTo: ['archival'],
  },
  // Reads the active-connection index, queues live jobs, continues itself through its own queue.
  'sync-dispatcher': {
    id: 'SyncDispatcherFunction',
    envSchema: syncDispatcherEnvSchema,
    sendsTo: ['syncDispatch', ...syncQueues],
    credentials: true,
  },
  // Handles stored webhooks; re-queues what failed transiently on the same queues, reads/writes large bodies.
  'webhook-worker': {
    id: 'WebhookWorker',
    envSchema: webhookWorkerEnvSchema,
    sendsTo: Object.values(WEBHOOK_QUEUES),
    tokens: true,
    webhookBodies: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
  },
  // Re-queues continuations and deferred jobs on its provider's queue.
  'sync-worker': {
    id: 'SyncWorker',
    envSchema: syncWorkerEnvSchema,
    sendsTo: syncQueues,
    tokens: true,
  },
  // Matches events to endpoints and queues one delivery per match; also the EventBridge and data-lake sink.
  'event-fanout': {
    id: 'EventFanoutWorker',
    envSchema: eventFanoutEnvSchema,
    sendsTo: ['webhookDeliveries'],
  },
  // Signs with the endpoint secrets (sealed by the token vault) and re-queues its retries.
  'webhook-delivery': {
    id: 'WebhookDeliveryWorker',
    envSchema: webhookDeliveryEnvSchema,
    sendsTo: ['webhookDeliveries'],
    endpointSecrets: true,
  },
} satisfies Record<WorkerName, WorkerSpec>;

/** Retention of dead letters: the SQS maximum, so an operator has two weeks to inspect and redrive them. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/** Attempts EventBridge Scheduler makes when invoking a scheduled function fails (throttling, service errors). */
const SCHEDULE_RETRY_ATTEMPTS = 3;

/** `sleep-finaliser` -> `SleepFinaliser`. */
const pascalWorker = (worker: string) => worker.split('-').map(pascal).join('');

/** The one timeout of a worker: every queue and schedule naming it must agree (checked here, at synth). */
function workerTimeoutSeconds(worker: WorkerName): number {
  const timeouts = new Set(
    [...Object.values(QUEUES), ...Object.values(SCHEDULES)]
      .filter((entry) => entry.worker === worker)
      .map((entry) => entry.timeoutSeconds),
  );
  if (timeouts.size !== 1) {
    throw new Error(
      `${worker}: its queues and schedules must agree on one timeout, got ${[...timeouts].join(', ')}`,
    );
  }
  return [...timeouts][0]!;
}

export interface JobsProps {
  config: AppConfig;
  table: ITable;
}

/**
 * Background work from the shared registries (shared/jobs): for each queue of QUEUES a queue with its DLQ and an
 * event source on its worker (capped at the queue's `maxConcurrency`); for each entry of SCHEDULES an EventBridge
 * Scheduler schedule invoking its worker with the entry's input; one function per worker.
 *
 * The setting `SYNC_INTERVAL_MINUTES` (or context `syncIntervalMinutes`; default 60) sets the rate of the sync
 * dispatch schedules (lib/settings.ts).
 */
export class Jobs extends Construct {
  readonly queues: Record<QueueName, Queue>;
  /** The queues' DLQs and the schedules' DLQs, by a name unique in the stack (for alarms). */
  readonly deadLetterQueues: Record<string, Queue> = {};
  readonly functions: AppFunction<z.ZodMiniObject>[] = [];
  /** The same functions, by worker name. */
  readonly workers = {} as Record<WorkerName, AppFunction<z.ZodMiniObject>>;
  /** Webhook bodies too large for a queue message (shared/webhooks/message.ts), kept until handled. */
  readonly webhookBodies: Bucket;

  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    const { config, table } = props;
    const names = Object.keys(QUEUES) as QueueName[];

    this.queues = {} as Record<QueueName, Queue>;
    for (const name of names) {
      const queue = QUEUES[name];
      const deadLetterQueue = this.deadLetterQueue(
        `${pascal(name)}DeadLetterQueue`,
        `open-wearables-${config.stage}-${queue.name}-dlq`,
      );
      this.deadLetterQueues[`${pascal(name)}Queue`] = deadLetterQueue;
      this.queues[name] = new Queue(this, `${pascal(name)}Queue`, {
        queueName: `open-wearables-${config.stage}-${queue.name}`,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(name)),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: queue.maxReceiveCount },
      });
    }

    this.webhookBodies = new Bucket(this, 'WebhookBodies', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // The worker deletes each body it handled; one it never managed goes with its dead letter.
      lifecycleRules: [{ expiration: Duration.days(14) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.webhookBodies).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Transient payloads (written by the webhooks function, deleted by its worker within minutes); every ' +
        'write follows a provider request already in the HTTP API access log.',
    });

    // Functions after all queues exist: a worker may send to any of them.
    const functions = this.workers;
    for (const worker of Object.keys(WORKERS) as WorkerName[]) {
      const spec: WorkerSpec = WORKERS[worker];
      const vault = spec.tokens || spec.endpointSecrets ? ProviderVault.of(this) : undefined;
      const environment = (vault ? vault.tokenKeyVariable : {}) as FunctionEnvironment<z.ZodMiniObject>;
      const fn = new AppFunction(this, spec.id, {
        name: worker,
        description: `Open Wearables: ${worker}`,
        config,
        envSchema: spec.envSchema,
        environment,
        memorySize: 1024,
        timeout: Duration.seconds(workerTimeoutSeconds(worker)),
      }).bindTable(table, WRITE_SCOPES[worker]);
      for (const target of spec.sendsTo) fn.bindQueue(this.queues[target], QUEUES[target].urlVariable);
      if (spec.webhookBodies) {
        fn.bindBucket(this.webhookBodies, 'WEBHOOK_BODIES_BUCKET', spec.webhookBodies);
        if (spec.webhookBodies.includes('s3:GetObject')) grantMissingAsNotFound(fn, this.webhookBodies);
      }
      if (spec.tokens) vault?.bindTokenHandler(fn);
      if (spec.endpointSecrets) vault?.bindEndpointSecrets(fn, ENDPOINT_SECRET_OWNER, ['kms:Decrypt']);
      if ((spec as WorkerSpec).credentials) ProviderVault.of(this).bindCredentialsReader(fn);
      functions[worker] = fn;
      this.functions.push(fn);
    }

    for (const name of names) {
      const queue = QUEUES[name];
      functions[queue.worker].addEventSource(
        new SqsEventSource(this.queues[name], {
          batchSize: queue.batchSize,
          reportBatchItemFailures: true,
          maxConcurrency: queue.maxConcurrency,
        }),
      );
    }

    const rates = rateSettings(this, config);
    const scheduled = new Map<WorkerName, Queue>();
    for (const name of Object.keys(SCHEDULES) as ScheduleName[]) {
      const schedule = scheduleSpec(name);
      const worker = schedule.worker as ScheduleWorkerName;
      const fn = functions[worker];
      let deadLetterQueue = scheduled.get(worker);
      if (!deadLetterQueue) {
        // Scheduler invokes asynchronously. No Lambda-side retries: the next scheduled run redoes what a failed
        // one missed, and a retry would overlap it. Observability alarms on the first error.
        fn.configureAsyncInvoke({ retryAttempts: 0 });
        // One DLQ per scheduled function, shared by its schedules.
        deadLetterQueue = this.deadLetterQueue(
          `${pascalWorker(worker)}ScheduleDeadLetterQueue`,
          `open-wearables-${config.stage}-${worker}-schedule-dlq`,
        );
        this.deadLetterQueues[`${pascalWorker(worker)}Schedule`] = deadLetterQueue;
        Validations.of(deadLetterQueue).acknowledge({
          id: 'AwsSolutions-SQS3',
          reason:
            'This queue is itself a dead-letter queue: the one of the EventBridge Scheduler target. cdk-nag only ' +
            "recognises DLQs named in another queue's redrive policy.",
        });
        scheduled.set(worker, deadLetterQueue);
      }
      const rateMinutes = scheduleRateMinutes(name, rates);
      // An invocation still undelivered when the next run is due is superseded by it.
      const maxEventAge = Duration.minutes(Math.min(Math.max(rateMinutes, 1), 24 * 60));
      const input = schedule.input ? ScheduleTargetInput.fromObject(schedule.input) : undefined;
      new Schedule(this, `${pascal(name)}Schedule`, {
        description: `Open Wearables: invokes ${worker} every ${rateMinutes} minutes${
          schedule.input ? ` with ${JSON.stringify(schedule.input)}` : ''
        }`,
        schedule: ScheduleExpression.rate(Duration.minutes(rateMinutes)),
        // The `$LATEST` qualifier is the same code as the unqualified function, and lets the Scheduler role be
        // granted exactly that ARN instead of `<function ARN>:*` (every version and alias).
        target: new LambdaInvoke(fn.latestVersion, {
          retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
          maxEventAge,
          deadLetterQueue,
          input,
        }),
      });
    }
  }

  /** Encrypted, TLS-only, kept for the SQS maximum; alarmed on by Observability. */
  private deadLetterQueue(id: string, queueName: string): Queue {
    return new Queue(this, id, {
      queueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
  }
}
