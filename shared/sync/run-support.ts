import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailure } from '#shared/store/client.js';
import { type Connection, releaseLease, stampSynced } from '#shared/store/connections.js';
import { keys } from '#shared/store/keys.js';
import { LIVE_USER } from '#shared/store/user-guard.js';

/** What a sync run needs besides its own logic: a deadline around a unit's work, and the cursor stamps. */

export class DeadlineReached extends Error {}

/** `work`, unless the deadline comes first: then a DeadlineReached (the work goes on unobserved, errors swallowed). */
export async function beforeDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineReached()), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    work.catch(() => {});
  }
}

/** Denormalises the newest sync onto the user profile (`last_synced_at`, `last_synced_provider` of GET /users). */
async function stampUser(userId: string, provider: string, at: string): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.user(userId),
        UpdateExpression: 'SET last_synced_at = :at, last_synced_provider = :provider',
        ConditionExpression: `${LIVE_USER} AND (attribute_not_exists(last_synced_at) OR attribute_type(last_synced_at, :null) OR last_synced_at < :at)`,
        ExpressionAttributeValues: { ':at': at, ':provider': provider, ':null': 'NULL' },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Advances the connection's cursor and the user's `last_synced_at` (both only forward). With the owner of the
 * connection's sync lease, gives the lease back in the same write; resolves to whether it did (not when the lease
 * lapsed and was taken over: the cursor is stamped all the same).
 */
export async function stampCursor(connection: Connection, at: string, leaseOwner?: string): Promise<boolean> {
  const released = leaseOwner !== undefined && (await releaseLease(connection, 'sync', leaseOwner, at));
  if (!released) {
    try {
      await stampSynced(connection.user_id, connection.provider, at);
    } catch (error) {
      // Disconnected and deleted meanwhile: nothing left to stamp.
      if (!isConditionFailure(error)) throw error;
    }
  }
  await stampUser(connection.user_id, connection.provider, at);
  return released;
}
