import * as z from 'zod/mini';

/**
 * Outgoing delivery: what every write path emits (emit.ts) and every sink consumes (fanout.ts). One fact is one
 * event with a stable `id`, so a write retried after a crash emits the same ids and every sink dedupes on them.
 */
export const domainEvent = z.object({
  /** Idempotency key (the reference's Svix `eventId`): `workout.created.<record id>`, `sync.completed.<run id>`... */
  id: z.string().check(z.minLength(1), z.maxLength(256)),
  /** A catalogue name (catalogue.ts): `workout.created`, `heart_rate.created`, `series.steps.created`... */
  type: z.string().check(z.minLength(1), z.maxLength(128)),
  /** The user the event concerns (endpoint user filter, lake partition); null for none. */
  userId: z.nullable(z.uuid()),
  /** When the fact became durable (ISO-8601 UTC). */
  timestamp: z.iso.datetime({ offset: true }),
  /** The reference's `data` object of this event type (contract 8.1). */
  data: z.record(z.string(), z.unknown()),
});
export type DomainEvent = z.infer<typeof domainEvent>;

/** Event ids keep to the reference's alphabet: anything outside `[A-Za-z0-9-_.]` becomes `_`. */
export const eventIdOf = (...parts: Array<string | number>) =>
  parts
    .join('.')
    .replace(/[^A-Za-z0-9\-_.]/g, '_')
    .slice(0, 256);

/** A message of the events queue: a batch of events, gzipped JSON in base64 (series events carry samples). */
export const eventsJob = z.object({ gz: z.string().check(z.minLength(1), z.maxLength(240_000)) });
export type EventsJob = z.infer<typeof eventsJob>;

/** Standard Webhooks retry schedule: the delay before attempt n+1 after attempt n failed (attempt 1 is immediate). */
export const RETRY_DELAYS_SECONDS = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/** A message of the deliveries queue: one attempt of one message to one endpoint, not before `due_at`. */
export const deliveryJob = z.object({
  endpoint_id: z.string().check(z.minLength(1), z.maxLength(64)),
  message_id: z.string().check(z.minLength(1), z.maxLength(64)),
  /** The message's user: messages live in the user's partition, so an erased user's payloads go with it. */
  user_id: z.nullable(z.uuid()),
  attempt: z.number().check(z.int(), z.gte(1), z.lte(MAX_ATTEMPTS)),
  /** Epoch ms; SQS delays at most 15 minutes, so a longer wait is re-queued until it is due. */
  due_at: z.number().check(z.int(), z.nonnegative()),
  /** `scheduled` for event deliveries and their retries, `manual` for `POST .../test`. */
  trigger: z.enum(['scheduled', 'manual']),
});
export type DeliveryJob = z.infer<typeof deliveryJob>;
