import * as z from 'zod';

/**
 * Every SQS queue of the system, shared by the CDK stack (queue + DLQ + alarm + event source) and the sandbox
 * (local queue + poller). `worker` is the `functions/<worker>.ts` entry that consumes it; visibility is six
 * times the worker's timeout, as AWS advises for Lambda event sources.
 */
export const QUEUES = {
  erasure: {
    name: 'user-erasure',
    urlVariable: 'ERASURE_QUEUE_URL',
    worker: 'erasure-worker',
    timeoutSeconds: 300,
    batchSize: 1,
    maxReceiveCount: 5,
  },
} as const;

export type QueueName = keyof typeof QUEUES;

export const visibilityTimeoutSeconds = (queue: QueueName) => QUEUES[queue].timeoutSeconds * 6;

/** Env of a function that sends to a queue: the queue URL, validated like every other variable. */
export const queueProducerEnv = {
  erasure: z.object({ ERASURE_QUEUE_URL: z.url() }),
} satisfies Record<QueueName, z.ZodObject>;
