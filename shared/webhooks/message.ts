import { randomBytes, randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { env } from '#shared/config/env.js';
import { WEBHOOK_PROVIDERS, WEBHOOK_QUEUES } from '#shared/jobs/queues.js';
import { sendJob } from '#shared/jobs/send.js';
import { objectStore } from '#shared/store/objects.js';

/** Where webhook bodies too large for a queue message are kept until handled (S3 on AWS, a folder locally). */
export const webhookBodiesEnv = z.object({
  WEBHOOK_BODIES_BUCKET: z.string().check(z.minLength(3), z.maxLength(63)),
});

/**
 * Messages up to this size (the envelope with the body, JSON-escaped) travel as they are (SQS takes 256 KB; some
 * local SQS servers no more); larger bodies go to the bucket and the message carries the key.
 */
export const INLINE_BYTES = 200_000;

/** One of our users still to be handled for a notification (absent: every linked user). */
export const pendingItem = z.object({
  notification: z.object({
    providerUserId: z.string().check(z.minLength(1), z.maxLength(256)),
    kind: z.string().check(z.minLength(1), z.maxLength(256)),
    payload: z.unknown(),
  }),
  user_ids: z.optional(z.array(z.guid()).check(z.maxLength(100))),
});
export type PendingItem = z.infer<typeof pendingItem>;

/**
 * A webhook stored for the worker: first the verified body as received (`raw`), later (after a partial failure)
 * only the notifications still to do (`pending`, JSON of PendingItem[]). `trace_id` names the delivery in the
 * sync status (`wh_<hex>`, as the reference names webhook runs).
 */
export const webhookMessage = z
  .object({
    provider: z.enum(WEBHOOK_PROVIDERS),
    trace_id: z.string().check(z.minLength(1), z.maxLength(64)),
    received_at: z.number().check(z.int(), z.gte(0)),
    form: z.enum(['raw', 'pending']),
    content: z.optional(z.string()),
    object_key: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
    /** Re-queues after a transient failure (bounded), and after a rate limit (bounded separately). */
    attempt: z._default(z.number().check(z.int(), z.gte(0)), 0),
    deferrals: z._default(z.number().check(z.int(), z.gte(0)), 0),
  })
  .check(
    z.refine((m) => (m.content === undefined) !== (m.object_key === undefined), {
      message: 'exactly one of content and object_key',
    }),
  );
export type WebhookMessage = z.output<typeof webhookMessage>;

export const newTraceId = () => `wh_${randomBytes(8).toString('hex')}`;

const bucket = () => env(webhookBodiesEnv).WEBHOOK_BODIES_BUCKET;

/** Queues `content` for the provider's worker: inline, or in the bucket when large. Durable once it resolves. */
export async function storeWebhook(
  message: Omit<WebhookMessage, 'content' | 'object_key'>,
  content: string,
  delaySeconds = 0,
): Promise<void> {
  let stored: Pick<WebhookMessage, 'content' | 'object_key'> = { content };
  // Escaping can double a body (a string of quotes): what counts is the message as sent.
  if (Buffer.byteLength(JSON.stringify({ ...message, content })) > INLINE_BYTES) {
    const key = `${message.provider}/${new Date(message.received_at).toISOString().slice(0, 10)}/${randomUUID()}`;
    await objectStore().put(bucket(), key, Buffer.from(content, 'utf8'));
    stored = { object_key: key };
  }
  await sendJob(WEBHOOK_QUEUES[message.provider], webhookMessage, { ...message, ...stored }, delaySeconds);
}

/** The stored content of a message; undefined when its object is gone (handled and deleted before). */
export async function loadWebhook(message: WebhookMessage): Promise<string | undefined> {
  if (message.content !== undefined) return message.content;
  const bytes = await objectStore().get(bucket(), message.object_key!);
  return bytes?.toString('utf8');
}

/** Removes a handled message's object (inline content has nothing to remove). */
export async function discardWebhook(message: WebhookMessage): Promise<void> {
  if (message.object_key) await objectStore().delete(bucket(), message.object_key);
}
