import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { type DeliveryJob, deliveryJob } from '#shared/delivery/types.js';
import { queueUrl, sqsClient } from '#shared/jobs/send.js';

/** SQS delays a message by at most 15 minutes; a later attempt is re-queued until it is due (deliver.ts). */
export const MAX_DELAY_SECONDS = 900;

export interface QueuedDelivery {
  job: DeliveryJob;
  /** Seconds before the job becomes visible (capped at MAX_DELAY_SECONDS). */
  delaySeconds?: number;
}

/** Seconds from `now` until `due_at`, as far as one SQS delay reaches. */
export const delayUntil = (dueAt: number, now: number) =>
  Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((dueAt - now) / 1000)));

const BATCH = 10;
const TRIES = 3;

/**
 * Sends delivery jobs to the deliveries queue, ten per request; entries SQS refuses are retried a few times,
 * then the call throws (the caller's job is redelivered and sends again: the receiver dedupes on the message id).
 */
export async function queueDeliveries(entries: QueuedDelivery[]): Promise<void> {
  const url = queueUrl('webhookDeliveries');
  for (let i = 0; i < entries.length; i += BATCH) {
    let pending: SendMessageBatchRequestEntry[] = entries.slice(i, i + BATCH).map((entry, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify(deliveryJob.parse(entry.job)),
      DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(entry.delaySeconds ?? 0))),
    }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const out = await sqsClient().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: pending }));
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      pending = pending.filter((entry) => failed.has(entry.Id));
      if (pending.length > 0 && attempt >= TRIES) {
        throw new Error(`${pending.length} delivery jobs could not be queued: ${out.Failed?.[0]?.Message}`);
      }
    }
  }
}
