import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type * as z from 'zod';
import { env } from '#shared/config/env.js';
import { QUEUES, type QueueName, queueProducerEnv } from '#shared/jobs/queues.js';

let client: SQSClient | undefined;

/** Forgets the client, so the next send sees a changed environment. */
export function resetSqsClient(): void {
  client = undefined;
}

/** Sends one job to a queue named in the registry; its URL comes from the queue's env variable. */
export async function sendJob<S extends z.ZodType>(
  queue: QueueName,
  schema: S,
  job: z.input<S>,
): Promise<void> {
  const url = (env(queueProducerEnv[queue]) as Record<string, string>)[QUEUES[queue].urlVariable];
  client ??= new SQSClient({});
  await client.send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(schema.parse(job)) }),
  );
}
