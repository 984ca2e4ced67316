import { createHash } from 'node:crypto';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { HealthEvent } from '#shared/model/health-data.js';
import { nowIso } from '#shared/model/time.js';
import { db, isConditionFailure, queryAll } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';
import { contentHash } from '#shared/store/unchanged.js';
import { type TransactItem, writeForUser } from '#shared/store/user-guard.js';

export type EventCategory = HealthEvent['category'];

/** An event as stored: the unified event plus its identity and its data source key. */
export type StoredEvent = HealthEvent & { id: string; userId: string; sourceKey: string; createdAt: string };

const eventSk = (category: EventCategory, start: number, id: string) =>
  `EVENT#${category}#${new Date(start).toISOString()}#${id}`;
const pointerSk = (id: string) => `EVENTID#${id}`;

/**
 * The reference's dedup identity for events is (data source, start, end): the id is derived from it, so a
 * re-delivered workout lands on the same key and is recognised as a duplicate without a lookup.
 */
export function eventId(userId: string, sourceKey: string, start: number, end: number): string {
  return uuidFrom(`${userId}|${sourceKey}|${start}|${end}`);
}

function uuidFrom(identity: string): string {
  const hex = createHash('sha256').update(identity).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The identity of an event a provider names (`externalId`): one per (user, provider, category, provider id), so a
 * revision whose times changed replaces it and a delete notification finds it (providers.md 6, risk 9).
 */
export function externalEventId(
  userId: string,
  provider: string,
  category: EventCategory,
  externalId: string,
): string {
  return uuidFrom(`${userId}|ext|${provider}|${category}|${externalId}`);
}

function toItem(event: StoredEvent) {
  const { source, userId, sourceKey, createdAt, ...rest } = event;
  return {
    PK: keys.userPartition(userId),
    SK: eventSk(event.category, event.start, event.id),
    ...rest,
    user_id: userId,
    source_key: sourceKey,
    provider: source.provider,
    created_at: createdAt,
  };
}

function fromItem(item: Record<string, unknown>, source: StoredEvent['source']): StoredEvent {
  const { PK, SK, user_id, source_key, provider, created_at, ...rest } = item;
  return {
    ...(rest as unknown as HealthEvent),
    source,
    id: rest.id as string,
    userId: user_id as string,
    sourceKey: source_key as string,
    createdAt: created_at as string,
  };
}

/** What a re-write of the same event would not change: everything but when this copy of it was made. */
const contentOf = (event: StoredEvent) => {
  const { created_at, ...content } = toItem(event);
  return contentHash(content);
};

const puts = (table: string, event: StoredEvent, condition: boolean) => [
  {
    Put: {
      TableName: table,
      Item: toItem(event),
      ...(condition ? { ConditionExpression: 'attribute_not_exists(PK)' } : {}),
    },
  },
  {
    Put: {
      TableName: table,
      Item: {
        PK: keys.userPartition(event.userId),
        SK: pointerSk(event.id),
        event_sk: eventSk(event.category, event.start, event.id),
        category: event.category,
        content_hash: contentOf(event),
      },
    },
  },
];

export function newStoredEvent(userId: string, sourceKey: string, event: HealthEvent): StoredEvent {
  return {
    ...event,
    id: eventId(userId, sourceKey, event.start, event.end),
    userId,
    sourceKey,
    createdAt: nowIso(),
  };
}

/** Inserts unless an event with the same identity exists; true when it was new. Never for a deleted user. */
export async function insertEvent(event: StoredEvent): Promise<boolean> {
  const { table } = db();
  try {
    await writeForUser(event.userId, puts(table, event, true));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Whether `event` is stored exactly as it is, by its id pointer (pointers written before the content hash was
 * kept never match: their event is rewritten once).
 */
const storedAsIs = (pointer: Record<string, unknown> | undefined, event: StoredEvent) =>
  pointer?.event_sk === eventSk(event.category, event.start, event.id) &&
  pointer.content_hash === contentOf(event);

const readPointer = async (event: StoredEvent) => {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({
      TableName: table,
      Key: { PK: keys.userPartition(event.userId), SK: pointerSk(event.id) },
      ConsistentRead: true,
    }),
  );
  return out.Item;
};

/**
 * Writes an event over whatever has its identity (a provider's revision replaces it), unless it is stored as it
 * is (a live sync re-reads the same hours); true when it wrote. Never for a deleted user.
 */
export async function upsertEvent(event: StoredEvent): Promise<boolean> {
  if (storedAsIs(await readPointer(event), event)) return false;
  const { table } = db();
  await writeForUser(event.userId, replaceEventsItems(table, [], [event]));
  return true;
}

const UPSERT_ATTEMPTS = 8;

/**
 * Writes an event keyed by its external identity over its previous version, which may sit under another sort
 * key (its start changed): the previous item is found through the id pointer and removed in the same transaction.
 * The pointer is written only if it still names what was read, so two concurrent revisions (a pull and an update
 * webhook) cannot leave an orphan copy behind: the loser reads again and replaces the winner's item. An event
 * stored as it is is not written again; true when it wrote.
 */
export async function upsertExternalEvent(event: StoredEvent): Promise<boolean> {
  const { table } = db();
  const partition = keys.userPartition(event.userId);
  const sk = eventSk(event.category, event.start, event.id);
  for (let attempt = 1; ; attempt++) {
    const pointer = await readPointer(event);
    if (storedAsIs(pointer, event)) return false;
    const previousSk = pointer?.event_sk as string | undefined;
    const [eventPut, pointerPut] = puts(table, event, false);
    const guardedPointer: TransactItem = {
      Put: {
        ...pointerPut!.Put,
        ConditionExpression: previousSk ? 'event_sk = :previous' : 'attribute_not_exists(PK)',
        ...(previousSk ? { ExpressionAttributeValues: { ':previous': previousSk } } : {}),
      },
    };
    const moved: TransactItem[] =
      previousSk && previousSk !== sk
        ? [{ Delete: { TableName: table, Key: { PK: partition, SK: previousSk } } }]
        : [];
    try {
      await writeForUser(event.userId, [...moved, eventPut!, guardedPointer]);
      return true;
    } catch (error) {
      if (!isConditionFailure(error) || attempt >= UPSERT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/** Transaction items replacing `removed` events by `added` ones (sleep sessions merged across batches). */
export function replaceEventsItems(table: string, removed: StoredEvent[], added: StoredEvent[]) {
  const addedIds = new Set(added.map((e) => e.id));
  const deletes = removed
    .filter((e) => !addedIds.has(e.id))
    .flatMap((e) => [
      {
        Delete: {
          TableName: table,
          Key: { PK: keys.userPartition(e.userId), SK: eventSk(e.category, e.start, e.id) },
        },
      },
      { Delete: { TableName: table, Key: { PK: keys.userPartition(e.userId), SK: pointerSk(e.id) } } },
    ]);
  return [...deletes, ...added.flatMap((e) => puts(table, e, false))];
}

/** Events of a category whose start lies in [fromMs, toMs), newest first. */
export async function queryEvents(
  userId: string,
  category: EventCategory,
  fromMs: number,
  toMs: number,
  sources: (sourceKey: string) => StoredEvent['source'],
): Promise<StoredEvent[]> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': keys.userPartition(userId),
      ':from': `EVENT#${category}#${new Date(Math.max(0, fromMs)).toISOString()}`,
      ':to': `EVENT#${category}#${new Date(toMs).toISOString()}`,
    },
    ScanIndexForward: false,
  });
  return items.map((item) => fromItem(item, sources(item.source_key as string)));
}

/** Deletes an event of the given category; false when it does not exist (or is of another category). */
export async function deleteEvent(userId: string, category: EventCategory, id: string): Promise<boolean> {
  const { doc, table } = db();
  const pointer = await doc.send(
    new GetCommand({
      TableName: table,
      Key: { PK: keys.userPartition(userId), SK: pointerSk(id) },
      ConsistentRead: true,
    }),
  );
  if (!pointer.Item || pointer.Item.category !== category) return false;
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: table,
              Key: { PK: keys.userPartition(userId), SK: pointer.Item.event_sk },
              ConditionExpression: 'attribute_exists(PK)',
            },
          },
          { Delete: { TableName: table, Key: { PK: keys.userPartition(userId), SK: pointerSk(id) } } },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
