import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type * as z from 'zod/mini';
import { env } from '#shared/config/env.js';
import { queueProducerEnv } from '#shared/jobs/queue-env.js';
import { QUEUES, type QueueName } from '#shared/jobs/queues.js';
import { traceClient } from '#tracer';

let client: SQSClient | undefined;
let clientEndpoint: string | undefined;

/** The one SQS client of a process, rebuilt when the SQS endpoint changes (the sandbox and tests restart local SQS). */
export function sqsClient(): SQSClient {
  const endpoint = process.env.AWS_ENDPOINT_URL_SQS;
  if (!client || clientEndpoint !== endpoint) {
    client?.destroy();
    client = traceClient(new SQSClient({}));
    clientEndpoint = endpoint;
  }
  return client;
}

/** A registry queue's URL, from its validated env variable. */
export const queueUrl = (queue: QueueName): string =>
  (env(queueProducerEnv[queue]) as Record<string, string>)[QUEUES[queue].urlVariable]!;

/** Sends one job (parsed with its schema) to a registry queue, optionally delayed (0..900 s). */
export async function sendJob<S extends z.ZodMiniType>(
  queue: QueueName,
  schema: S,
  job: z.input<S>,
  delaySeconds = 0,
): Promise<void> {
  await sqsClient().send(
    new SendMessageCommand({
      QueueUrl: queueUrl(queue),
      MessageBody: JSON.stringify(schema.parse(job)),
      DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))),
    }),
  );
}
