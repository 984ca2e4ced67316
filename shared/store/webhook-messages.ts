import { gunzipSync, gzipSync } from 'node:zlib';
import { BatchGetCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { messageIdOf, newId } from '#shared/delivery/ids.js';
import type { DomainEvent } from '#shared/delivery/types.js';
import { db, isConditionFailure, type Key } from '#shared/store/client.js';
import { keys, ttlAt } from '#shared/store/keys.js';
import { writeForUser } from '#shared/store/user-guard.js';
import { ENDPOINT_PREFIX } from '#shared/store/webhook-endpoints.js';
import { type SvixPage, type SvixQuery, svixPage } from '#shared/store/webhook-paging.js';

/**
 * Outgoing messages (one per event, the body signed and sent to every matching endpoint), the delivery state of a
 * message at one endpoint, and every attempt. A message lives in its user's partition, so erasing the user erases
 * what was sent about them; all three expire after the retention (table TTL).
 */
export const MESSAGE_PARTITION = 'WHMSG';
const MESSAGE_SK = 'WHMSG#';
const ALL_MESSAGES = 'WHMSGS';
const DELIVERY_SK = 'DELIVERY#';
const ATTEMPT_SK = 'ATTEMPT#';
/** What an attempt keeps of the receiver's answer. */
export const RESPONSE_BYTES = 1_024;
const DAY_MS = 86_400_000;

export interface WebhookMessage {
  id: string;
  event_id: string;
  event_type: string;
  /** When the event became durable (ISO). */
  timestamp: string;
  user_id: string | null;
  /** `user.<id>` for a user's event (an endpoint's user filter matches it). */
  channels: string[];
  /** The wire body: the exact bytes signed and sent. */
  body: string;
  dispatched: boolean;
  /** Set on test messages only: the developer who sent it (events are everyone's). */
  owner_id?: string;
}

/** The message of an event: stable id, body `{"type", "timestamp", "data"}`. */
export function messageOf(event: DomainEvent): WebhookMessage {
  return {
    id: messageIdOf(event.id),
    event_id: event.id,
    event_type: event.type,
    timestamp: event.timestamp,
    user_id: event.userId,
    channels: event.userId ? [`user.${event.userId}`] : [],
    body: JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data }),
    dispatched: false,
  };
}

const partitionOf = (userId: string | null) => (userId ? keys.userPartition(userId) : MESSAGE_PARTITION);
const messageKey = (userId: string | null, id: string): Key => ({
  PK: partitionOf(userId),
  SK: `${MESSAGE_SK}${id}`,
});
const expiry = (now: number, retentionDays: number) => ttlAt(new Date(now + retentionDays * DAY_MS));

function fromItem(item: Record<string, unknown>): WebhookMessage {
  const { PK, SK, GSI1PK, GSI1SK, ttl, payload, ...rest } = item;
  return {
    ...(rest as Omit<WebhookMessage, 'body'>),
    body: gunzipSync(payload as Uint8Array).toString('utf8'),
  };
}

/**
 * Stores a message unless it exists (a duplicate emission of its event); true when it is new. A user's message is
 * written only while the user exists (UserGone otherwise).
 */
export async function putMessage(
  message: WebhookMessage,
  retentionDays: number,
  now = Date.now(),
): Promise<boolean> {
  const { body, ...fields } = message;
  const Item = {
    ...messageKey(message.user_id, message.id),
    GSI1PK: ALL_MESSAGES,
    GSI1SK: `${message.timestamp}#${message.id}`,
    ...fields,
    payload: gzipSync(body),
    ttl: expiry(now, retentionDays),
  };
  const { doc, table } = db();
  const put = { TableName: table, Item, ConditionExpression: 'attribute_not_exists(PK)' };
  try {
    if (message.user_id) await writeForUser(message.user_id, [{ Put: put }]);
    else await doc.send(new PutCommand(put));
    return true;
  } catch (error) {
    if (alreadyStored(error)) return false;
    throw error;
  }
}

/** The put's own condition failed (plain put, or the transaction's second item after the user guard). */
function alreadyStored(error: unknown): boolean {
  const { name, CancellationReasons } = error as {
    name?: string;
    CancellationReasons?: Array<{ Code?: string }>;
  };
  if (name === 'ConditionalCheckFailedException') return true;
  return (
    name === 'TransactionCanceledException' && CancellationReasons?.[1]?.Code === 'ConditionalCheckFailed'
  );
}

/** The message has been handed to every endpoint it matched: a re-emission of its event queues nothing more. */
export async function markDispatched(userId: string | null, id: string): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: messageKey(userId, id),
        UpdateExpression: 'SET dispatched = :yes',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
  } catch (error) {
    // An erased user's message is gone: nothing left to mark.
    if (!isConditionFailure(error)) throw error;
  }
}

export async function getMessage(userId: string | null, id: string): Promise<WebhookMessage | undefined> {
  const { doc, table } = db();
  const { Item } = await doc.send(
    new GetCommand({ TableName: table, Key: messageKey(userId, id), ConsistentRead: true }),
  );
  return Item ? fromItem(Item) : undefined;
}

/** Messages by (user, id), 100 per request; missing ones (erased, expired) are absent from the map. */
async function getMessages(
  wanted: Array<{ userId: string | null; id: string }>,
): Promise<Map<string, WebhookMessage>> {
  const { doc, table } = db();
  const found = new Map<string, WebhookMessage>();
  const unique = [...new Map(wanted.map((w) => [w.id, messageKey(w.userId, w.id)])).values()];
  for (let i = 0; i < unique.length; i += 100) {
    let pending: Key[] = unique.slice(i, i + 100);
    while (pending.length > 0) {
      const out = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }));
      for (const item of out.Responses?.[table] ?? []) found.set(item.id as string, fromItem(item));
      pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
    }
  }
  return found;
}

export type DeliveryStatus = 'pending' | 'success' | 'failed';

/** Where the delivery of one message to one endpoint stands. */
export interface DeliveryState {
  status: DeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  /** When the next attempt is due (epoch ms); null when none is. */
  next_at: number | null;
}

const deliveryKey = (endpointId: string, messageId: string): Key => ({
  PK: `${ENDPOINT_PREFIX}${endpointId}`,
  SK: `${DELIVERY_SK}${messageId}`,
});

export async function deliveryState(
  endpointId: string,
  messageId: string,
): Promise<DeliveryState | undefined> {
  const { doc, table } = db();
  const { Item } = await doc.send(
    new GetCommand({ TableName: table, Key: deliveryKey(endpointId, messageId), ConsistentRead: true }),
  );
  return Item ? { status: Item.status, attempts: Item.attempts, next_at: Item.next_at ?? null } : undefined;
}

export async function setDeliveryState(
  endpointId: string,
  messageId: string,
  state: DeliveryState,
  retentionDays: number,
  now = Date.now(),
): Promise<void> {
  const { doc, table } = db();
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        ...deliveryKey(endpointId, messageId),
        ...state,
        updated_at: new Date(now).toISOString(),
        ttl: expiry(now, retentionDays),
      },
    }),
  );
}

/** Svix's attempt statuses (the `status` filter and field). */
export const ATTEMPT_STATUS = { success: 0, pending: 1, failed: 2, sending: 3 } as const;
export type AttemptStatus = keyof typeof ATTEMPT_STATUS;

export interface AttemptInput {
  endpoint_id: string;
  message_id: string;
  /** The message's user (where the message is found again). */
  user_id: string | null;
  event_type: string;
  url: string;
  /** Null when no answer arrived (timeout, connection refused). */
  response_status_code: number | null;
  response: string;
  response_duration_ms: number;
  status: AttemptStatus;
  trigger: 'scheduled' | 'manual';
  /** 1 for the first attempt of this message to this endpoint. */
  attempt: number;
  /** When the attempt was made (ISO). */
  timestamp: string;
}

export interface Attempt extends AttemptInput {
  id: string;
}

/** Cuts `text` to at most `bytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, bytes: number): string {
  const encoded = Buffer.from(text, 'utf8');
  if (encoded.length <= bytes) return text;
  return encoded
    .subarray(0, bytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

/** Records one attempt (its response cut to 1 KB) under the endpoint, kept for the retention. */
export async function recordAttempt(
  input: AttemptInput,
  retentionDays: number,
  now = Date.now(),
): Promise<Attempt> {
  const attempt: Attempt = {
    ...input,
    id: newId('atmpt'),
    response: truncateUtf8(input.response, RESPONSE_BYTES),
  };
  const { doc, table } = db();
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        PK: `${ENDPOINT_PREFIX}${input.endpoint_id}`,
        SK: `${ATTEMPT_SK}${input.timestamp}#${attempt.id}`,
        ...attempt,
        ttl: expiry(now, retentionDays),
      },
    }),
  );
  return attempt;
}

/** The messages a developer sees: every event's, and the test messages they sent. */
export async function listMessages(ownerId: string, query: SvixQuery): Promise<SvixPage<WebhookMessage>> {
  const page = await svixPage(
    {
      index: 'GSI1',
      partition: ALL_MESSAGES,
      prefix: '',
      filter: {
        expression: 'attribute_not_exists(owner_id) OR owner_id = :me',
        values: { ':me': ownerId },
      },
    },
    query,
  );
  return { ...page, data: page.data.map(fromItem) };
}

export interface AttemptFilter {
  status?: AttemptStatus;
  eventTypes?: string[];
}

/** An endpoint's attempts, newest first, each with its message when that still exists. */
export async function listAttempts(
  endpointId: string,
  query: SvixQuery,
  filter: AttemptFilter = {},
): Promise<SvixPage<Attempt & { message?: WebhookMessage }>> {
  const conditions: string[] = [];
  const values: Record<string, unknown> = {};
  if (filter.status) {
    conditions.push('#status = :status');
    values[':status'] = filter.status;
  }
  if (filter.eventTypes?.length) {
    const names = filter.eventTypes.map((type, i) => {
      values[`:type${i}`] = type;
      return `:type${i}`;
    });
    conditions.push(`event_type IN (${names.join(', ')})`);
  }
  const page = await svixPage(
    {
      partition: `${ENDPOINT_PREFIX}${endpointId}`,
      prefix: ATTEMPT_SK,
      ...(conditions.length > 0 && {
        filter: {
          expression: conditions.join(' AND '),
          ...(filter.status && { names: { '#status': 'status' } }),
          values,
        },
      }),
    },
    query,
  );
  const attempts = page.data.map(({ PK, SK, ttl, ...rest }) => rest as unknown as Attempt);
  const messages = await getMessages(attempts.map((a) => ({ userId: a.user_id, id: a.message_id })));
  return {
    ...page,
    data: attempts.map((attempt) => ({ ...attempt, message: messages.get(attempt.message_id) })),
  };
}
