import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { decryptTokens, encryptTokens } from '#shared/crypto/token-vault.js';
import { db } from '#shared/store/client.js';

/**
 * Secrets a provider hands this deployment once (Polar's webhook signing key, returned only when the webhook is
 * created), sealed by the token vault under the binding `app`/<name>: the table alone never reveals them.
 */
const APP = 'app';
const keyOf = (name: string) => ({ PK: `APPSECRET#${name}`, SK: 'SECRET' });

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
