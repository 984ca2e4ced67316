import { randomBytes } from 'node:crypto';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { ProviderName } from '#shared/model/provider.js';
import { db, isConditionFailure } from '#shared/store/client.js';
import { gsi1 } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { writeForUser } from '#shared/store/user-guard.js';

/** An OAuth `state` is valid for 15 minutes (contract 4.4: 900 s) and only once. */
export const STATE_TTL_MS = 900_000;

export interface OAuthState {
  user_id: string;
  provider: ProviderName;
  /** Where the browser goes after a successful callback (the integrator's page); null = our success page. */
  redirect_uri: string | null;
  /** PKCE providers only. */
  code_verifier?: string;
  created_at: string;
}

const stateKey = (state: string) => ({ PK: `OAUTHSTATE#${state}`, SK: 'STATE' });

/** 32 random bytes, URL-safe base64 without padding: 43 characters. */
const STATE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Stores a new state and returns it (never for a deleted user). The item is indexed as owned by the user, so
 * erasing the user removes a pending state too; DynamoDB's TTL removes abandoned ones.
 */
export async function createState(fields: Omit<OAuthState, 'created_at'>, now = Date.now()): Promise<string> {
  const state = randomBytes(32).toString('base64url');
  const { table } = db();
  await writeForUser(fields.user_id, [
    {
      Put: {
        TableName: table,
        Item: {
          ...stateKey(state),
          [TABLE_KEYS.gsi1.partitionKey]: gsi1.ownedByUser(fields.user_id),
          [TABLE_KEYS.gsi1.sortKey]: `OAUTHSTATE#${state}`,
          user_id: fields.user_id,
          provider: fields.provider,
          redirect_uri: fields.redirect_uri,
          ...(fields.code_verifier ? { code_verifier: fields.code_verifier } : {}),
          created_at: new Date(now).toISOString(),
          created_ms: now,
          [TABLE_KEYS.ttlAttribute]: Math.ceil((now + STATE_TTL_MS) / 1000),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
  ]);
  return state;
}

/**
 * Takes a state: a single atomic conditional delete, so of two concurrent callbacks with the same state exactly
 * one gets it. Unknown, already consumed and expired states all yield undefined (TTL deletion is lazy, so age
 * is checked in the condition).
 */
export async function consumeState(state: string, now = Date.now()): Promise<OAuthState | undefined> {
  if (!STATE_PATTERN.test(state)) return undefined;
  const { doc, table } = db();
  try {
    const out = await doc.send(
      new DeleteCommand({
        TableName: table,
        Key: stateKey(state),
        ConditionExpression: 'attribute_exists(PK) AND created_ms > :oldest',
        ExpressionAttributeValues: { ':oldest': now - STATE_TTL_MS },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const item = out.Attributes;
    if (!item) return undefined;
    return {
      user_id: item.user_id as string,
      provider: item.provider as ProviderName,
      redirect_uri: (item.redirect_uri as string | null | undefined) ?? null,
      ...(item.code_verifier ? { code_verifier: item.code_verifier as string } : {}),
      created_at: item.created_at as string,
    };
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
