import { gzipSync } from 'node:zlib';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { env } from '#shared/config/env.js';
import { emitEnvSchema } from '#shared/delivery/env.js';
import { type DomainEvent, eventsJob } from '#shared/delivery/types.js';
import { sqsClient } from '#shared/jobs/send.js';
import { logger } from '#shared/observability.js';

/**
 * The one way events leave a write path: onto the events queue (`EVENTS_QUEUE_URL`), from where the fan-out
 * worker feeds every sink. Called only after the write is durable; it throws when a message is not accepted,
 * so a queue-driven write path fails and its retry re-emits the same ids. Without the queue URL (delivery off)
 * it does nothing.
 */

/** Base64 gzip per message: under the queue's 256 KB and the job schema's bound. */
export const MAX_MESSAGE_CHARS = 200_000;
const MAX_BATCH_CHARS = 250_000;
const MAX_BATCH_ENTRIES = 10;

const pack = (events: readonly DomainEvent[]) => gzipSync(JSON.stringify(events)).toString('base64');

/** The events as `eventsJob` bodies of at most `MAX_MESSAGE_CHARS`, halving any group that does not fit. */
export function packEvents(events: readonly DomainEvent[]): string[] {
  if (events.length === 0) return [];
  const gz = pack(events);
  if (gz.length <= MAX_MESSAGE_CHARS) return [JSON.stringify(eventsJob.parse({ gz }))];
  if (events.length === 1) throw new Error(`event ${events[0]!.id} does not fit one events message`);
  const half = Math.ceil(events.length / 2);
  return [...packEvents(events.slice(0, half)), ...packEvents(events.slice(half))];
}

/** Consecutive runs of bodies that fit one SendMessageBatch. */
function batches(bodies: string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const body of bodies) {
    if (
      current.length >= MAX_BATCH_ENTRIES ||
      (current.length > 0 && chars + body.length > MAX_BATCH_CHARS)
    ) {
      out.push(current);
      current = [];
      chars = 0;
    }
    current.push(body);
    chars += body.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Whether events leave at all (delivery on): a write path may skip recording what it would emit. */
export const emissionEnabled = () => env(emitEnvSchema).EVENTS_QUEUE_URL !== undefined;

export async function emitEvents(events: readonly DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  const url = env(emitEnvSchema).EVENTS_QUEUE_URL;
  if (!url) return;
  for (const batch of batches(packEvents(events))) {
    const out = await sqsClient().send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: batch.map((MessageBody, i) => ({ Id: String(i), MessageBody })),
      }),
    );
    if (out.Failed?.length) {
      const [first] = out.Failed;
      throw new Error(
        `events queue refused ${out.Failed.length} message(s): ${first!.Code} ${first!.Message}`,
      );
    }
  }
}

/**
 * For writes whose retry would not emit again (a connection's state changed, the user's request is answered):
 * emits, and on failure logs the event ids instead of failing a request whose data is already committed.
 */
export async function emitCommitted(events: readonly DomainEvent[]): Promise<void> {
  try {
    await emitEvents(events);
  } catch (error) {
    logger.error('events not emitted after a committed write', {
      eventIds: events.map((e) => e.id),
      error: (error as Error).message,
    });
  }
}
