import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailure, queryAll } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';

/**
 * What the webhook ingress needs of connections beyond connections.ts: who a provider account belongs to (one
 * account may be linked to several of our users, providers.md 6 risk 13), and the per-connection stamps of push
 * deliveries (the freshness watchdog's input, and which summary types have arrived for a backfill).
 */

/** Our users linked to a provider account (the `PROVACCOUNT#` items written with each connection). */
export async function accountUserIds(provider: string, providerUserId: string): Promise<string[]> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': `PROVACCOUNT#${provider}#${providerUserId}` },
    ConsistentRead: true,
  });
  return items.map((item) => item.user_id as string);
}

/** The connection item's attribute recording when data of a summary type last arrived by push. */
export const arrivalAttribute = (type: string) => `arrived_${type.replace(/[^A-Za-z0-9]/g, '_')}`;

/**
 * Stamps a push delivery on the connection: `last_webhook_at`, and the arrival time of each summary type it
 * carried. Nothing when the connection is gone.
 */
export async function stampDelivery(
  userId: string,
  provider: string,
  at: string,
  types: readonly string[] = [],
): Promise<void> {
  const { doc, table } = db();
  const names: Record<string, string> = {};
  const sets = ['last_webhook_at = :at'];
  [...new Set(types)].forEach((type, i) => {
    names[`#t${i}`] = arrivalAttribute(type);
    sets.push(`#t${i} = :at`);
  });
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.connection(userId, provider),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(PK)',
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** The permissions the user granted changed at the provider (Garmin `userPermissionsChange`). */
export async function setConnectionScope(userId: string, provider: string, scope: string): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.connection(userId, provider),
        UpdateExpression: 'SET #scope = :scope, updated_at = :now',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#scope': 'scope' },
        ExpressionAttributeValues: { ':scope': scope, ':now': new Date().toISOString() },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
