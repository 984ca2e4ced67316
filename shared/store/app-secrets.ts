import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { decryptTokens, encryptTokens } from '#shared/crypto/token-vault.js';
import { db } from '#shared/store/client.js';

/**
 * Secrets a provider hands this deployment once (Polar's webhook signing key, returned only when the webhook is
 * created), sealed by the token vault under the binding `app`/<name>: the table alone never reveals them.
 */
/** The pseudo-user the vault binds app secrets to (the KMS encryption context the ingress may decrypt under). */
export const APP_SECRET_OWNER = 'app';
/** Partition-key prefix of the app secrets. */
export const APP_SECRET_PREFIX = 'APPSECRET#';
const APP = APP_SECRET_OWNER;
const keyOf = (name: string) => ({ PK: `${APP_SECRET_PREFIX}${name}`, SK: 'SECRET' });

export async function storeAppSecret(name: string, value: string): Promise<void> {
  const sealed = await encryptTokens(
    { accessToken: value, refreshToken: null, expiresAt: 0, scope: null, extras: {} },
    { userId: APP, provider: name },
  );
  const { doc, table } = db();
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: { ...keyOf(name), sealed, updated_at: new Date().toISOString() },
    }),
  );
}

export async function readAppSecret(name: string): Promise<string | undefined> {
  const { doc, table } = db();
  const { Item } = await doc.send(
    new GetCommand({ TableName: table, Key: keyOf(name), ConsistentRead: true }),
  );
  if (typeof Item?.sealed !== 'string') return undefined;
  return (await decryptTokens(Item.sealed, { userId: APP, provider: name })).accessToken;
}
