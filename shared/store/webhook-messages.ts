import { gunzipSync, gzipSync } from 'node:zlib';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { messageIdOf } from '#shared/delivery/ids.js';
import type { DomainEvent } from '#shared/delivery/types.js';
import { isoAt } from '#shared/model/time.js';
import { db, isConditionFailure, type Key } from '#shared/store/client.js';
import { keys, ttlAt } from '#shared/store/keys.js';
import { type TransactItem, writeForUser } from '#shared/store/user-guard.js';
import { ENDPOINT_PREFIX } from '#shared/store/webhook-endpoints.js';
import { type SvixPage, type SvixQuery, svixPage } from '#shared/store/webhook-paging.js';

/**
 * Outgoing messages (one per event, the body signed and sent to every matching endpoint) and the delivery state of
 * a message at one endpoint. A message is two items in its user's partition, so erasing the user erases what was
 * sent about them: a small indexed one (`WHMSG#<id>`, listed through GSI1) and its gzip body (`WHMSGBODY#<id>`,
 * never indexed, read only when the body is needed). All expire after the retention (table TTL).
 */
export const MESSAGE_PARTITION = 'WHMSG';
const MESSAGE_SK = 'WHMSG#';
const BODY_SK = 'WHMSGBODY#';
const ALL_MESSAGES = 'WHMSGS';
const DELIVERY_SK = 'DELIVERY#';
const DAY_MS = 86_400_000;

/** A message without its body: what listings show. */
export interface MessageSummary {
  id: string;
  event_id: string;
  event_type: string;
  /** When the event became durable (ISO). */
  timestamp: string;
  user_id: string | null;
  /** `user.<id>` for a user's event (an endpoint's user filter matches it). */
  channels: string[];
  dispatched: boolean;
  /** Set on test messages only: the developer who sent it (events are everyone's). */
  owner_id?: string;
}

export interface WebhookMessage extends MessageSummary {
  /** The wire body: the exact bytes signed and sent. */
  body: string;
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
const bodyKey = (userId: string | null, id: string): Key => ({
  PK: partitionOf(userId),
  SK: `${BODY_SK}${id}`,
});

/** The TTL of an outgoing-delivery item written at `now`. */
export const retainedUntil = (now: number, retentionDays: number) =>
  ttlAt(new Date(now + retentionDays * DAY_MS));

const summaryOf = ({ PK, SK, GSI1PK, GSI1SK, ttl, ...rest }: Record<string, unknown>) =>
  rest as unknown as MessageSummary;

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
  const ttl = retainedUntil(now, retentionDays);
  const { doc, table } = db();
  const items: TransactItem[] = [
    {
      Put: {
        TableName: table,
        Item: {
          ...messageKey(message.user_id, message.id),
          GSI1PK: ALL_MESSAGES,
          GSI1SK: `${message.timestamp}#${message.id}`,
          ...fields,
          ttl,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    {
      Put: {
        TableName: table,
        Item: { ...bodyKey(message.user_id, message.id), payload: gzipSync(body), ttl },
      },
    },
  ];
  try {
    if (message.user_id) await writeForUser(message.user_id, items);
    else await doc.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    if (alreadyStored(error, message.user_id ? 1 : 0)) return false;
    throw error;
  }
}

/** The summary put's own condition (item `at` of the transaction) failed. */
function alreadyStored(error: unknown, at: number): boolean {
  const { name, CancellationReasons } = error as {
    name?: string;
    CancellationReasons?: Array<{ Code?: string }>;
  };
  return (
    name === 'TransactionCanceledException' && CancellationReasons?.[at]?.Code === 'ConditionalCheckFailed'
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
  return (await getMessages([{ userId, id }])).get(id);
}

/** Messages with their bodies by (user, id); missing ones (erased, expired) are absent from the map. */
export async function getMessages(
  wanted: Array<{ userId: string | null; id: string }>,
): Promise<Map<string, WebhookMessage>> {
  const { doc, table } = db();
  const unique = [...new Map(wanted.map((w) => [w.id, w])).values()];
  const itemKeys = unique.flatMap((w) => [messageKey(w.userId, w.id), bodyKey(w.userId, w.id)]);
  const summaries = new Map<string, MessageSummary>();
  const bodies = new Map<string, string>();
  for (let i = 0; i < itemKeys.length; i += 100) {
    let pending: Key[] = itemKeys.slice(i, i + 100);
    while (pending.length > 0) {
      const out = await doc.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of out.Responses?.[table] ?? []) {
        const sk = item.SK as string;
        if (sk.startsWith(BODY_SK)) {
          bodies.set(sk.slice(BODY_SK.length), gunzipSync(item.payload as Uint8Array).toString('utf8'));
        } else summaries.set(item.id as string, summaryOf(item));
      }
      pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
    }
  }
  const found = new Map<string, WebhookMessage>();
  for (const [id, summary] of summaries) {
    const body = bodies.get(id);
    if (body !== undefined) found.set(id, { ...summary, body });
  }
  return found;
}

/** The messages a developer sees, without their bodies: every event's, and the test messages they sent. */
export async function listMessages(ownerId: string, query: SvixQuery): Promise<SvixPage<MessageSummary>> {
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
  return { ...page, data: page.data.map(summaryOf) };
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
        updated_at: isoAt(now),
        ttl: retainedUntil(now, retentionDays),
      },
    }),
  );
}
