import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConnectionRevokedError } from '#shared/oauth/errors.js';
import { type FreshTokens, freshTokens } from '#shared/oauth/fresh-token.js';
import { db, isConditionFailure } from '#shared/store/client.js';
import { type Connection, getConnection } from '#shared/store/connections.js';
import { keys } from '#shared/store/keys.js';

/**
 * A refresh forced by the provider: a data call answered 401 with a token we believed valid for a while yet.
 * The stored expiry is moved to "now" (only if the tokens are still the ones that were rejected, compare-and-swap
 * on `token_version`), and `freshTokens` then refreshes it under the refresh lease like any expiring token, once
 * across racing workers. If the tokens changed meanwhile (another worker refreshed, or the user reconnected),
 * nothing is written and the newer tokens are used as they are.
 */
export async function refreshRejectedTokens(rejected: Connection): Promise<FreshTokens> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.connection(rejected.user_id, rejected.provider),
        UpdateExpression: 'SET token_expires_at = :now',
        ConditionExpression: 'token_version = :version AND #status = :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':now': Date.now(),
          ':version': rejected.token_version,
          ':active': 'active',
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const latest = await getConnection(rejected.user_id, rejected.provider);
  if (!latest) {
    throw new ConnectionRevokedError(rejected.provider, `User not connected to ${rejected.provider}`);
  }
  return freshTokens(latest);
}
