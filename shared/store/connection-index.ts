import { createHash } from 'node:crypto';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mapLimited } from '#shared/model/concurrency.js';
import { logger } from '#shared/observability.js';
import { db, isConditionFailure, type Key } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { liveUserCheck, type TransactItem } from '#shared/store/user-guard.js';

/**
 * The dispatcher's index of active connections. An active connection has an entry: a small item of its own in the
 * user's partition, on GSI1 under `ACTIVECONN#<provider>#<shard>` (sharded so a dispatcher pages them without a hot
 * key). The connection item itself is not indexed: GSI1 projects every attribute, so each write of an indexed
 * connection (a sync's lease, cursor and marks, a webhook's stamp) was written to the index too, at the size of
 * the connection and its sealed tokens (over 1 KB): twice the write units.
 *
 * Connections written by an earlier release carry the index keys themselves. The dispatcher moves each one it
 * meets to an entry (`activeConnectionsPage`), an SDK push its own (connections.ts `stampSynced`); until then it is
 * found as before.
 */
export const ACTIVE_SHARDS = 16;
const shardOf = (userId: string) => createHash('sha256').update(userId).digest()[0]! % ACTIVE_SHARDS;
export const activeIndexKey = (provider: string, shard: number) => `ACTIVECONN#${provider}#${shard}`;

const ENTRY_PREFIX = 'ACTIVECONN#';
const LEGACY_PREFIX = 'CONN#';
const { gsi1 } = TABLE_KEYS;

export const activeEntryKey = (userId: string, provider: string) => ({
  PK: keys.userPartition(userId),
  SK: `${ENTRY_PREFIX}${provider}`,
});

/** The entry of an active connection, as an item to put. */
export const activeEntry = (userId: string, provider: string) => ({
  ...activeEntryKey(userId, provider),
  [gsi1.partitionKey]: activeIndexKey(provider, shardOf(userId)),
  [gsi1.sortKey]: userId,
  user_id: userId,
});

/** In a transaction that makes a connection inactive (or deletes it): its entry goes with it. */
export const dropEntry = (table: string, userId: string, provider: string): TransactItem => ({
  Delete: { TableName: table, Key: activeEntryKey(userId, provider) },
});

/** The index keys an earlier release put on the connection item, removed where it stops being active. */
export const LEGACY_INDEX_KEYS = `${gsi1.partitionKey}, ${gsi1.sortKey}`;

const MOVE_CONCURRENCY = 8;

/**
 * One page of the active connections of a provider in one shard (the dispatcher walks every shard). Connections
 * of an earlier release found here are moved to entries; the entry may show up again in a later page of the
 * same walk (it has the same index keys), so a moved connection can be dispatched twice, once.
 */
export async function activeConnectionsPage(
  provider: string,
  shard: number,
  startKey?: Record<string, unknown>,
) {
  const { doc, table } = db();
  const out = await doc.send(
    new QueryCommand({
      TableName: table,
      IndexName: gsi1.indexName,
      KeyConditionExpression: `${gsi1.partitionKey} = :pk`,
      ExpressionAttributeValues: { ':pk': activeIndexKey(provider, shard) },
      ProjectionExpression: 'user_id, PK, SK',
      ExclusiveStartKey: startKey,
    }),
  );
  const items = out.Items ?? [];
  const legacy = items.filter((i) => (i.SK as string).startsWith(LEGACY_PREFIX));
  await mapLimited(legacy, MOVE_CONCURRENCY, (i) =>
    moveToEntry({ PK: i.PK as string, SK: i.SK as string }, i.user_id as string, provider),
  );
  return { userIds: [...new Set(items.map((i) => i.user_id as string))], next: out.LastEvaluatedKey };
}

/**
 * Gives an earlier release's indexed connection an entry and takes it off the index, if it is still active (and
 * its user not being erased: the entry must not outlive the erasure).
 */
export async function moveToEntry(connection: Key, userId: string, provider: string): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table,
              Key: connection,
              UpdateExpression: `REMOVE ${LEGACY_INDEX_KEYS}`,
              ConditionExpression: `#status = :active AND attribute_exists(${gsi1.partitionKey})`,
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':active': 'active' },
            },
          },
          { Put: { TableName: table, Item: activeEntry(userId, provider) } },
          liveUserCheck(table, userId),
        ],
      }),
    );
  } catch (error) {
    // No longer active, moved meanwhile, the user being erased, or a cancelled transaction (a conflicting write,
    // throttling): it stays indexed as it was, and is moved at the next meeting. Anything else is logged.
    if (!isConditionFailure(error))
      logger.warn('an indexed connection was not moved to its entry', { error });
  }
}

/**
 * Takes a connection that is not active (or gone) out of the index: its entry, and an earlier release's index
 * keys on it. Two releases running side by side (during a deploy, after a rollback) may leave either behind; a job
 * the dispatcher queues for it finds it so (sync/worker.ts, sync/watchdog.ts). Nothing if it is active meanwhile.
 */
export async function dropStaleIndex(userId: string, provider: string, found: boolean): Promise<void> {
  const { doc, table } = db();
  const connectionKey = keys.connection(userId, provider);
  const check = found
    ? {
        Update: {
          TableName: table,
          Key: connectionKey,
          UpdateExpression: `REMOVE ${LEGACY_INDEX_KEYS}`,
          ConditionExpression: 'attribute_exists(PK) AND #status <> :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':active': 'active' },
        },
      }
    : {
        ConditionCheck: {
          TableName: table,
          Key: connectionKey,
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      };
  try {
    await doc.send(new TransactWriteCommand({ TransactItems: [check, dropEntry(table, userId, provider)] }));
  } catch (error) {
    if (!isConditionFailure(error)) logger.warn('a stale index entry was not removed', { error });
  }
}
