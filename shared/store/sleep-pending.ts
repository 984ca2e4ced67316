import { createHash, randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '#shared/delivery/types.js';
import type { SleepStage } from '#shared/model/health-data.js';
import type { ProviderName } from '#shared/model/provider.js';
import { isoAt } from '#shared/model/time.js';
import { db, isConditionFailure, queryAll } from '#shared/store/client.js';
import { replaceEventsItems, type StoredEvent } from '#shared/store/events.js';
import { keys } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { type TransactItem, writeForUser } from '#shared/store/user-guard.js';

/** A sleep stage segment not yet part of a finalised session (the reference kept these in Redis). */
export interface PendingSegment {
  stage: SleepStage;
  start: number;
  end: number;
  zoneOffset: string | null;
  externalId: string | null;
  /** The data source that recorded it (absent in a slot of one source, see `sleepSlot`). */
  sourceKey?: string;
  /** When the segment arrived; one that cannot start a session waits a day for the rest of its night. */
  receivedAt?: number;
}

/**
 * Pending segments live in one slot per (user, SDK provider), since the sources of one provider make one night.
 * Slots written before that were per data source and are named by the source key (finaliser migrates them).
 */
export const sleepSlot = (provider: ProviderName) => `sdk:${provider}`;
export const pendingSleepSk = (slot: string) => `SLEEPPENDING#${slot}`;

export interface PendingSleep {
  segments: PendingSegment[];
  version: number;
}

/** The "open sessions" index is sparse and sharded so that many sleeping users do not share one partition. */
const SHARDS = 8;
const shardOf = (userId: string) => createHash('sha256').update(userId).digest()[0]! % SHARDS;

export async function getPendingSleep(userId: string, slot: string): Promise<PendingSleep> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({
      TableName: table,
      Key: { PK: keys.userPartition(userId), SK: pendingSleepSk(slot) },
      ConsistentRead: true,
    }),
  );
  return out.Item
    ? { segments: out.Item.segments as PendingSegment[], version: out.Item.version as number }
    : { segments: [], version: 0 };
}

const versionCondition = (expectedVersion: number) =>
  expectedVersion === 0
    ? { ConditionExpression: 'attribute_not_exists(PK)' }
    : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } };

/**
 * The domain events of a committed assembly step not yet handed to the events queue (an outbox): written in the
 * step's transaction, deleted once emitted. The nights they announce may never be touched again, so nothing
 * else would emit them; the user's next sleep write and the finaliser emit what is left (sleep-sessions.ts).
 * Indexed like the open sessions, sharded, by commit time.
 */
const EMISSION_PREFIX = 'SLEEPEMIT#';

function emissionItem(table: string, userId: string, events: DomainEvent[]): TransactItem {
  const now = isoAt(Date.now());
  return {
    Put: {
      TableName: table,
      Item: {
        PK: keys.userPartition(userId),
        SK: `${EMISSION_PREFIX}${now}#${randomUUID()}`,
        user_id: userId,
        // As JSON: the exact events (ids, timestamps) go out whenever they are emitted.
        events: JSON.stringify(events),
        [TABLE_KEYS.gsi1.partitionKey]: `${EMISSION_PREFIX}${shardOf(userId)}`,
        [TABLE_KEYS.gsi1.sortKey]: `${now}#${userId}`,
      },
    },
  };
}

export interface SleepEmission {
  sk: string;
  events: DomainEvent[];
}

/** The user's committed sleep events still to be emitted, oldest first. */
export async function pendingSleepEmissions(userId: string): Promise<SleepEmission[]> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': EMISSION_PREFIX },
    ConsistentRead: true,
  });
  return items.map((item) => ({
    sk: item.SK as string,
    events: JSON.parse(item.events as string) as DomainEvent[],
  }));
}

export async function clearSleepEmission(userId: string, sk: string): Promise<void> {
  const { doc, table } = db();
  await doc.send(new DeleteCommand({ TableName: table, Key: { PK: keys.userPartition(userId), SK: sk } }));
}

/** Users with sleep events committed before `beforeMs` and still not emitted. */
export async function listUnemittedSleepUsers(beforeMs: number): Promise<string[]> {
  const shards = await Promise.all(
    Array.from({ length: SHARDS }, (_, shard) =>
      queryAll({
        IndexName: TABLE_KEYS.gsi1.indexName,
        KeyConditionExpression: `${TABLE_KEYS.gsi1.partitionKey} = :pk AND ${TABLE_KEYS.gsi1.sortKey} < :before`,
        ExpressionAttributeValues: { ':pk': `${EMISSION_PREFIX}${shard}`, ':before': isoAt(beforeMs) },
      }),
    ),
  );
  return [...new Set(shards.flat().map((item) => item.user_id as string))];
}

/**
 * Commits one step of sleep assembly atomically: the pending segments that stay open (only if nobody changed
 * them since `expectedVersion` was read) together with the sleep events finalised from the others, the domain
 * events announcing them (`finalised.events`, kept until emitted), and the deletion of an absorbed per-source
 * slot (`absorbed`, at the version read). False on a conflict; the caller re-reads and retries, which is safe
 * because assembly and merging are idempotent.
 */
export async function commitSleepState(
  userId: string,
  slot: string,
  open: PendingSegment[],
  expectedVersion: number,
  finalised: { removed: StoredEvent[]; added: StoredEvent[]; events?: DomainEvent[] },
  absorbed?: { slot: string; version: number },
): Promise<boolean> {
  const { table } = db();
  const key = { PK: keys.userPartition(userId), SK: pendingSleepSk(slot) };
  const condition = versionCondition(expectedVersion);
  const pending =
    open.length === 0
      ? { ConditionCheck: { TableName: table, Key: key, ...condition } }
      : {
          Put: {
            TableName: table,
            Item: {
              ...key,
              segments: open,
              version: expectedVersion + 1,
              user_id: userId,
              slot,
              [TABLE_KEYS.gsi1.partitionKey]: `SLEEPPENDING#${shardOf(userId)}`,
              [TABLE_KEYS.gsi1.sortKey]:
                `${new Date(Math.max(...open.map((s) => s.end))).toISOString()}#${userId}#${slot}`,
            },
            ...condition,
          },
        };
  const removePending =
    open.length === 0 && expectedVersion > 0
      ? [{ Delete: { TableName: table, Key: key, ...condition } }]
      : [];
  const removeAbsorbed = absorbed
    ? [
        {
          Delete: {
            TableName: table,
            Key: { PK: key.PK, SK: pendingSleepSk(absorbed.slot) },
            ...versionCondition(absorbed.version),
          },
        },
      ]
    : [];
  const items = [
    ...(removePending.length > 0 ? removePending : [pending]),
    ...removeAbsorbed,
    ...replaceEventsItems(table, finalised.removed, finalised.added),
    ...(finalised.events?.length ? [emissionItem(table, userId, finalised.events)] : []),
  ];
  try {
    await writeForUser(userId, items);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** (user, slot) pairs whose latest pending segment ended before `beforeMs`: ready to be finalised. */
export async function listStalePendingSleep(
  beforeMs: number,
): Promise<Array<{ userId: string; slot: string }>> {
  const shards = await Promise.all(
    Array.from({ length: SHARDS }, (_, shard) =>
      queryAll({
        IndexName: TABLE_KEYS.gsi1.indexName,
        KeyConditionExpression: `${TABLE_KEYS.gsi1.partitionKey} = :pk AND ${TABLE_KEYS.gsi1.sortKey} < :before`,
        ExpressionAttributeValues: {
          ':pk': `SLEEPPENDING#${shard}`,
          ':before': new Date(beforeMs).toISOString(),
        },
      }),
    ),
  );
  return shards
    .flat()
    .map((item) => ({ userId: item.user_id as string, slot: (item.slot ?? item.source_key) as string }));
}
