import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type * as z from 'zod';
import { AppFunction } from '#lib/app-function.js';
import type { AppConfig } from '#lib/config.js';
import { pascal } from '#lib/names.js';
import { baseEnvSchema, erasureWorkerEnvSchema } from '#shared/config/env.js';
import { QUEUES, type QueueName, visibilityTimeoutSeconds } from '#shared/jobs/queues.js';
import { SCHEDULES, type ScheduleName } from '#shared/jobs/schedules.js';

interface WorkerSpec {
  /** What the worker validates at cold start (and synth checks). */
  envSchema: z.ZodObject;
  /** Queues the worker sends to: it gets their URL variable and sqs:SendMessage on them, nothing more. */
  sendsTo: readonly QueueName[];
}

/** Typed by the queue registry: a new queue does not compile until its worker's environment is decided here. */
const WORKERS = {
  // Re-queues itself when a user does not fit one invocation.
  erasure: { envSchema: erasureWorkerEnvSchema, sendsTo: ['erasure'] },
} satisfies Record<QueueName, WorkerSpec>;

/**
 * Upper bound of concurrent batches per queue. Lambda would otherwise scale an event source mapping up to 1,000
 * concurrent batches; each worker writes to the one on-demand table, and a burst that large would throttle the
 * API's own writes. Five batches keep a backlog draining without starving the API.
 */
const MAX_CONCURRENCY = 5;

/** Retention of dead letters: the SQS maximum, so an operator has two weeks to inspect and redrive them. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/** Attempts EventBridge Scheduler makes when invoking a scheduled function fails (throttling, service errors). */
const SCHEDULE_RETRY_ATTEMPTS = 3;

export interface JobsProps {
  config: AppConfig;
  table: ITable;
}

/**
 * Background work from the shared registries (shared/jobs): for each queue of QUEUES a queue with its DLQ and the
 * worker consuming it; for each entry of SCHEDULES a function invoked by EventBridge Scheduler.
 */
export class Jobs extends Construct {
  readonly queues: Record<QueueName, Queue>;
  /** The queues' DLQs and the schedules' DLQs, by a name unique in the stack (for alarms). */
  readonly deadLetterQueues: Record<string, Queue> = {};
  readonly functions: AppFunction<z.ZodObject>[] = [];

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

    // Workers after all queues exist: a worker may send to any of them.
    for (const name of names) {
      const queue = QUEUES[name];
      const spec: WorkerSpec = WORKERS[name];
      const worker = new AppFunction(this, `${pascal(name)}Worker`, {
        name: queue.worker,
        description: `Open Wearables: consumes the ${queue.name} queue`,
        config,
        envSchema: spec.envSchema,
        environment: {},
        memorySize: 1024,
        timeout: Duration.seconds(queue.timeoutSeconds),
      }).bindTable(table, 'RW');
      for (const target of spec.sendsTo) worker.bindQueue(this.queues[target], QUEUES[target].urlVariable);
      worker.addEventSource(
        new SqsEventSource(this.queues[name], {
          batchSize: queue.batchSize,
          reportBatchItemFailures: true,
          maxConcurrency: MAX_CONCURRENCY,
        }),
      );
      this.functions.push(worker);
    }

    for (const name of Object.keys(SCHEDULES) as ScheduleName[]) {
      const schedule = SCHEDULES[name];
      const fn = new AppFunction(this, `${pascal(name)}Function`, {
        name: schedule.worker,
        description: `Open Wearables: scheduled every ${schedule.rateMinutes} minutes`,
        config,
        envSchema: baseEnvSchema,
        environment: {},
        memorySize: 1024,
        timeout: Duration.seconds(schedule.timeoutSeconds),
      }).bindTable(table, 'RW');
      // Scheduler invokes asynchronously. No Lambda-side retries: the next scheduled run redoes what a failed
      // one missed, and a retry would overlap it. Observability alarms on the first error.
      fn.configureAsyncInvoke({ retryAttempts: 0 });
      const deadLetterQueue = this.deadLetterQueue(
        `${pascal(name)}ScheduleDeadLetterQueue`,
        `open-wearables-${config.stage}-${schedule.worker}-schedule-dlq`,
      );
      this.deadLetterQueues[`${pascal(name)}Schedule`] = deadLetterQueue;
      Validations.of(deadLetterQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter queue: the one of the EventBridge Scheduler target. cdk-nag only ' +
          "recognises DLQs named in another queue's redrive policy.",
      });
      // An invocation still undelivered when the next run is due is superseded by it.
      const maxEventAge = Duration.minutes(Math.min(Math.max(schedule.rateMinutes, 1), 24 * 60));
      new Schedule(this, `${pascal(name)}Schedule`, {
        description: `Open Wearables: invokes ${schedule.worker} every ${schedule.rateMinutes} minutes`,
        schedule: ScheduleExpression.rate(Duration.minutes(schedule.rateMinutes)),
        // The `$LATEST` qualifier is the same code as the unqualified function, and lets the Scheduler role be
        // granted exactly that ARN instead of `<function ARN>:*` (every version and alias).
        target: new LambdaInvoke(fn.latestVersion, {
          retryAttempts: SCHEDULE_RETRY_ATTEMPTS,
          maxEventAge,
          deadLetterQueue,
        }),
      });
      this.functions.push(fn);
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
