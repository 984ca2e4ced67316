import { gunzipSync } from 'node:zlib';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, vi } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { type DomainEvent, eventsJob } from '#shared/delivery/types.js';
import { sqsClient } from '#shared/jobs/send.js';
import { drainQueue, useLocalQueues } from '#test/helpers/local-queues.js';

const unpack = (body: unknown) =>
  JSON.parse(gunzipSync(Buffer.from(eventsJob.parse(body).gz, 'base64')).toString()) as DomainEvent[];

/**
 * A real local SQS (useLocalQueues) whose events queue is emptied before each test, and a watch on what is handed
 * to SQS: `onSend` gets the events of each message about to be sent (accepted or not), and is awaited first.
 * `emitted()` drains the events queue: the events it accepted since the last drain.
 */
export function useEventsQueue(onSend: (events: DomainEvent[]) => void | Promise<void>) {
  const queues = useLocalQueues();
  const emitted = async () => (await drainQueue(queues.get().urls.deliveryEvents, unpack)).flat();
  beforeEach(async () => {
    await emitted();
    const client = sqsClient();
    const original = client.send.bind(client) as (command: unknown) => Promise<unknown>;
    vi.spyOn(client, 'send').mockImplementation((async (command: unknown) => {
      if (command instanceof SendMessageBatchCommand) {
        for (const entry of command.input.Entries ?? []) await onSend(unpack(JSON.parse(entry.MessageBody!)));
      }
      return original(command);
    }) as never);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return { emitted };
}

/** The events queue's URL while it is down (setEventsQueueDown): every message is refused. */
let liveUrl: string | undefined;

/** Takes the events queue down (its URL names a queue that does not exist) or brings it back. */
export function setEventsQueueDown(down: boolean): void {
  if (down) {
    liveUrl ??= process.env.EVENTS_QUEUE_URL!;
    process.env.EVENTS_QUEUE_URL = liveUrl.replace(/[^/]+$/, 'no-such-queue');
  } else if (liveUrl) {
    process.env.EVENTS_QUEUE_URL = liveUrl;
    liveUrl = undefined;
  }
  resetEnvCache();
}

/** Runs `work` with the events queue down. */
export async function queueDown<T>(work: () => Promise<T>): Promise<T> {
  setEventsQueueDown(true);
  try {
    return await work();
  } finally {
    setEventsQueueDown(false);
  }
}
