import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowIso } from '#shared/model/time.js';
import { db, isConditionFailure } from '#shared/store/client.js';
import type { Connection, ConnectionStatus } from '#shared/store/connections.js';
import { keys } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';

/**
 * The refresh lease: two attributes on the connection item (`refresh_lease_owner`, `refresh_lease_until`, same
 * key as shared/store/connections.ts: `PK=USER#<id>`, `SK=CONN#<provider>`) that serialise token refreshes of
 * one connection across workers. Providers that rotate refresh tokens (Fitbit, Oura, Strava) invalidate the old
 * one on use, so two concurrent refreshes would make the second fail with invalid_grant and revoke a perfectly
 * good connection. The lease expires by itself, so a crashed holder blocks the others for at most its length.
 */
const connectionKey = (connection: Pick<Connection, 'user_id' | 'provider'>) => ({
  PK: keys.userPartition(connection.user_id),
  SK: `CONN#${connection.provider}`,
});

/** Takes the lease when nobody holds it or the holder's lease has lapsed. False: someone else is refreshing. */
export async function acquireRefreshLease(
  connection: Pick<Connection, 'user_id' | 'provider'>,
  owner: string,
  untilMs: number,
  now = Date.now(),
): Promise<boolean> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: connectionKey(connection),
        UpdateExpression: 'SET refresh_lease_owner = :owner, refresh_lease_until = :until',
        ConditionExpression:
          'attribute_exists(PK) AND (attribute_not_exists(refresh_lease_until) OR refresh_lease_until < :now)',
        ExpressionAttributeValues: { ':owner': owner, ':until': untilMs, ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Gives the lease back, only if it is still ours (a lapsed lease may have been taken over meanwhile). */
export async function releaseRefreshLease(
  connection: Pick<Connection, 'user_id' | 'provider'>,
  owner: string,
): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: connectionKey(connection),
        UpdateExpression: 'REMOVE refresh_lease_owner, refresh_lease_until',
        ConditionExpression: 'refresh_lease_owner = :owner',
        ExpressionAttributeValues: { ':owner': owner },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Marks a connection revoked or expired after a failed refresh, unless its tokens changed since `connection` was
 * read (a reconnect meanwhile must not be undone). Like `setConnectionStatus`, it takes the connection out of
 * the dispatcher's active index (the GSI1 attributes), keeping everything else; unlike it, it is conditional
 * and never overwrites the item. False: the tokens changed, nothing was written.
 */
export async function markRefreshFailure(
  connection: Connection,
  status: Exclude<ConnectionStatus, 'active'>,
): Promise<boolean> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: connectionKey(connection),
        UpdateExpression: `SET #status = :status, updated_at = :now REMOVE ${TABLE_KEYS.gsi1.partitionKey}, ${TABLE_KEYS.gsi1.sortKey}`,
        ConditionExpression: 'attribute_exists(PK) AND token_version = :version',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': status,
          ':now': nowIso(),
          ':version': connection.token_version,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
