import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SleepStage } from '#shared/model/health-data.js';
import type { ProviderName } from '#shared/model/provider.js';
import { db, isConditionFailure, queryAll } from '#shared/store/client.js';
import { replaceEventsItems, type StoredEvent } from '#shared/store/events.js';
import { keys } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { writeForUser } from '#shared/store/user-guard.js';

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
 * Commits one step of sleep assembly atomically: the pending segments that stay open (only if nobody changed
 * them since `expectedVersion` was read) together with the sleep events finalised from the others, and the
 * deletion of an absorbed per-source slot (`absorbed`, at the version read). False on a conflict; the caller
 * re-reads and retries, which is safe because assembly and merging are idempotent.
 */
export async function commitSleepState(
  userId: string,
  slot: string,
  open: PendingSegment[],
  expectedVersion: number,
  finalised: { removed: StoredEvent[]; added: StoredEvent[] },
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
