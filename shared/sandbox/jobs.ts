import { QUEUES, type QueueName, type QueueSpec, visibilityTimeoutSeconds } from '#shared/jobs/queues.js';
import {
  RATE_SETTINGS,
  SCHEDULES,
  type ScheduleName,
  scheduleRateMinutes,
  scheduleSpec,
} from '#shared/jobs/schedules.js';
import type { SandboxConfig } from '#shared/sandbox/config.js';
import { loadHandler } from '#shared/sandbox/functions.js';
import type { LocalSqs, SqsHandler } from '#shared/sandbox/sqs.js';
import { type ScheduledHandler, startTimer } from '#shared/sandbox/timer.js';

/**
 * The sandbox's stand-ins for the stack's queues, event sources and schedules: local SQS queues of
 * shared/jobs/queues.ts with their pollers, and a timer per schedule of shared/jobs/schedules.ts.
 */

/** A queue of the registry as created in local SQS. */
export interface SandboxQueue {
  url: string;
  dlqUrl: string;
}

const queueNames = Object.keys(QUEUES) as QueueName[];

/** Every registry queue with its DLQ, as the stack defines them (visibility, redrive after maxReceiveCount). */
export async function createQueues(sqs: LocalSqs): Promise<Record<QueueName, SandboxQueue>> {
  const entries = await Promise.all(
    queueNames.map(async (name) => {
      const { name: queueName, maxReceiveCount } = QUEUES[name];
      const dlqName = `${queueName}-dlq`;
      const url = await sqs.ensureQueue(queueName, {
        dlqName,
        maxReceiveCount,
        visibilityTimeout: visibilityTimeoutSeconds(name),
      });
      return [name, { url, dlqUrl: await sqs.ensureQueue(dlqName) }] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<QueueName, SandboxQueue>;
}

/** The queue URL variables the producers (and the stack's functions) read. */
export const queueUrlEnv = (queues: Record<QueueName, SandboxQueue>) =>
  Object.fromEntries(queueNames.map((name) => [QUEUES[name].urlVariable, queues[name].url]));

/**
 * Pollers per registry queue (`sandboxPollers`, default one), feeding its worker as the event source mapping
 * does; several let one slow batch run while the next ones are handled, as concurrent Lambda batches do.
 */
export async function startWorkers(sqs: LocalSqs, queues: Record<QueueName, SandboxQueue>): Promise<void> {
  const handlers = await Promise.all(queueNames.map((name) => loadHandler<SqsHandler>(QUEUES[name].worker)));
  queueNames.forEach((name, i) => {
    const { worker, batchSize, timeoutSeconds, sandboxPollers = 1 }: QueueSpec = QUEUES[name];
    for (let poller = 0; poller < sandboxPollers; poller++) {
      sqs.startPoller(queues[name].url, handlers[i]!, {
        batchSize,
        functionName: worker,
        timeoutMs: timeoutSeconds * 1000,
      });
    }
  });
}

/**
 * One timer per registry schedule, at its rate (its rate setting's env variable, e.g. SYNC_INTERVAL_MINUTES, when
 * set) or at OW_SCHEDULE_INTERVAL_SECONDS, invoking its worker with the schedule's input as the event.
 */
export async function startSchedules(config: SandboxConfig): Promise<Array<() => Promise<void>>> {
  const names = Object.keys(SCHEDULES) as ScheduleName[];
  const handlers = await Promise.all(
    names.map((name) => loadHandler<ScheduledHandler>(SCHEDULES[name].worker)),
  );
  const rateSettings = Object.fromEntries(
    Object.entries(RATE_SETTINGS).map(([setting, { env }]) => [setting, process.env[env]]),
  );
  return names.map((name, i) => {
    const { worker, timeoutSeconds, input } = scheduleSpec(name);
    const intervalSeconds = config.scheduleIntervalSeconds ?? scheduleRateMinutes(name, rateSettings) * 60;
    const handler = handlers[i]!;
    const timer = startTimer((event, context) => handler(input ?? event, context), {
      intervalMs: intervalSeconds * 1000,
      functionName: worker,
      timeoutMs: timeoutSeconds * 1000,
    });
    return timer.stop;
  });
}
