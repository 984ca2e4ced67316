import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { QUEUES, type QueueName } from '#shared/jobs/queues.js';
import { sqsClient } from '#shared/jobs/send.js';
import { type LocalSqs, startLocalSqs } from '#shared/sandbox/sqs.js';

export interface LocalQueues {
  sqs: LocalSqs;
  urls: Record<QueueName, string>;
}

/**
 * A real local SQS with every queue of the registry, its URLs in the environment, for the test file that calls
 * it (at top level): code that queues work (erasure, syncs) then really sends. Resolves once `beforeAll` ran.
 */
export function useLocalQueues(): { get(): LocalQueues } {
  let queues: LocalQueues | undefined;
  beforeAll(async () => {
    const sqs = await startLocalSqs();
    const urls = {} as Record<QueueName, string>;
    for (const [name, spec] of Object.entries(QUEUES) as [QueueName, (typeof QUEUES)[QueueName]][]) {
      urls[name] = await sqs.ensureQueue(spec.name);
      process.env[spec.urlVariable] = urls[name];
    }
    process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
    resetEnvCache();
    queues = { sqs, urls };
  });
  afterAll(async () => {
    await queues?.sqs.stop();
  });
  return {
    get: () => {
      if (!queues) throw new Error('useLocalQueues: the queues start in beforeAll');
      return queues;
    },
  };
}

/**
 * Every message of a queue receivable now (receiving makes them invisible: each is seen once), deleted as it is
 * read, each body JSON-parsed by `parse`. Delayed messages stay.
 */
export async function drainQueue<T>(url: string, parse: (body: unknown) => T): Promise<T[]> {
  const bodies: T[] = [];
  for (;;) {
    const out = await sqsClient().send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!out.Messages?.length) return bodies;
    for (const message of out.Messages) {
      bodies.push(parse(JSON.parse(message.Body!)));
      await sqsClient().send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle! }),
      );
    }
  }
}
