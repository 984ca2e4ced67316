import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { nowIso } from '#shared/model/time.js';
import { db, isConditionFailure } from '#shared/store/client.js';
import { dropEntry, LEGACY_INDEX_KEYS } from '#shared/store/connection-index.js';
import { acquireLease, releaseLease } from '#shared/store/connection-leases.js';
import type { Connection, ConnectionStatus } from '#shared/store/connections.js';
import { keys } from '#shared/store/keys.js';

/**
 * The refresh lease (`refresh_lease_owner`, `refresh_lease_until` on the connection item) serialises token
 * refreshes of one connection across workers. Providers that rotate refresh tokens (Fitbit, Oura, Strava) invalidate the old
 * one on use, so two concurrent refreshes would make the second fail with invalid_grant and revoke a perfectly
 * good connection. The lease expires by itself, so a crashed holder blocks the others for at most its length.
 */
export const acquireRefreshLease = async (
  connection: Pick<Connection, 'user_id' | 'provider'>,
  owner: string,
  untilMs: number,
  now = Date.now(),
) => (await acquireLease(connection, 'refresh', owner, untilMs, { now })) !== null;

export const releaseRefreshLease = (connection: Pick<Connection, 'user_id' | 'provider'>, owner: string) =>
  releaseLease(connection, 'refresh', owner);

/**
 * Marks a connection revoked or expired after a failed refresh, unless its tokens changed since `connection` was
 * read (a reconnect meanwhile must not be undone). Like `setConnectionStatus`, it takes the connection out of
 * the dispatcher's index (its entry, or an earlier release's index keys on the item), keeping everything else;
 * unlike it, it is conditional and never overwrites the item. False: the tokens changed, nothing was written.
 */
export async function markRefreshFailure(
  connection: Connection,
  status: Exclude<ConnectionStatus, 'active'>,
): Promise<boolean> {
  const { doc, table } = db();
  const { user_id: userId, provider } = connection;
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table,
              Key: keys.connection(userId, provider),
              UpdateExpression: `SET #status = :status, updated_at = :now REMOVE ${LEGACY_INDEX_KEYS}`,
              ConditionExpression: 'attribute_exists(PK) AND token_version = :version',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':status': status,
                ':now': nowIso(),
                ':version': connection.token_version,
              },
            },
          },
          dropEntry(table, userId, provider),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
