import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowIso } from '#shared/model/time.js';
import { db, isConditionFailure } from '#shared/store/client.js';
import { gsi1, keys, ttlAt } from '#shared/store/keys.js';
import { liveUserCheck, type TransactItem, writeForUser } from '#shared/store/user-guard.js';

/** Kept past expiry so that a replayed, already-rotated token is still recognised as reuse. */
const AUDIT_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * Who a refresh token is for, and the version of the credential that issued it (the application's secret, or the
 * developer's password): a token stops refreshing once that credential changes or goes away.
 */
export type RefreshSubject = (
  | { token_type: 'sdk'; user_id: string; app_id: string }
  | { token_type: 'developer'; developer_id: string }
) & { credential_version: number };

export type RefreshTokenRecord = RefreshSubject & {
  family_id: string;
  created_at: string;
  expires_at: string;
  rotated_at?: string;
  revoked_at?: string;
  /** The successor, sealed under a key derived from this token (see identity/tokens.ts), for the grace window. */
  successor_sealed?: string;
};

const strip = ({ PK, SK, GSI1PK, GSI1SK, ttl, ...rest }: Record<string, unknown>) =>
  rest as unknown as RefreshTokenRecord;

function tokenItem(hash: string, record: RefreshTokenRecord) {
  const owner =
    record.token_type === 'sdk'
      ? { GSI1PK: gsi1.ownedByUser(record.user_id), GSI1SK: `RT#${record.created_at}#${hash.slice(0, 12)}` }
      : {};
  return {
    ...keys.refreshToken(hash),
    ...owner,
    ...record,
    ttl: ttlAt(new Date(Date.parse(record.expires_at) + AUDIT_DAYS * DAY_MS)),
  };
}

export function newRecord(
  subject: RefreshSubject,
  familyId: string,
  lifetimeDays: number,
): RefreshTokenRecord {
  const now = new Date();
  return {
    ...subject,
    family_id: familyId,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + lifetimeDays * DAY_MS).toISOString(),
  };
}

/** Stores a new token; an SDK token only for a user who exists (UserGone otherwise). */
export async function insertRefreshToken(hash: string, record: RefreshTokenRecord): Promise<void> {
  const { doc, table } = db();
  const put = {
    TableName: table,
    Item: tokenItem(hash, record),
    ConditionExpression: 'attribute_not_exists(PK)',
  };
  if (record.token_type === 'sdk') await writeForUser(record.user_id, [{ Put: put }]);
  else await doc.send(new PutCommand(put));
}

export async function getRefreshToken(hash: string): Promise<RefreshTokenRecord | undefined> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: keys.refreshToken(hash), ConsistentRead: true }),
  );
  return out.Item ? strip(out.Item) : undefined;
}

export type RotateOutcome = 'rotated' | 'invalid';

/**
 * Single-use rotation in one transaction: the presented token is marked rotated only if it is unused,
 * unrevoked, unexpired and its family is not revoked; the successor is written in the same step. Two
 * concurrent refreshes with one token therefore yield exactly one successor.
 */
export async function rotateRefreshToken(
  presentedHash: string,
  successorHash: string,
  successor: RefreshTokenRecord,
  successorSealed: string,
): Promise<RotateOutcome> {
  const { doc, table } = db();
  const now = nowIso();
  // An SDK token of a deleted user is never rotated (the guard fails the transaction like any condition).
  const guard: TransactItem[] =
    successor.token_type === 'sdk' ? [liveUserCheck(table, successor.user_id)] : [];
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          ...guard,
          {
            Update: {
              TableName: table,
              Key: keys.refreshToken(presentedHash),
              UpdateExpression: 'SET rotated_at = :now, successor_sealed = :sealed',
              ConditionExpression:
                'attribute_exists(PK) AND attribute_not_exists(rotated_at) AND attribute_not_exists(revoked_at) AND expires_at > :now',
              ExpressionAttributeValues: { ':now': now, ':sealed': successorSealed },
            },
          },
          {
            ConditionCheck: {
              TableName: table,
              Key: keys.tokenFamily(successor.family_id),
              ConditionExpression: 'attribute_not_exists(revoked_at)',
            },
          },
          {
            Put: {
              TableName: table,
              Item: tokenItem(successorHash, successor),
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
        ],
      }),
    );
    return 'rotated';
  } catch (error) {
    if (isConditionFailure(error)) return 'invalid';
    throw error;
  }
}

/** Revokes a whole family: every token descended from one login or issuance stops working. */
export async function revokeFamily(familyId: string, expiresAt: string): Promise<void> {
  const { doc, table } = db();
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        ...keys.tokenFamily(familyId),
        revoked_at: nowIso(),
        ttl: ttlAt(new Date(Date.parse(expiresAt) + AUDIT_DAYS * DAY_MS)),
      },
    }),
  );
}

export async function isFamilyRevoked(familyId: string): Promise<boolean> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: keys.tokenFamily(familyId), ConsistentRead: true }),
  );
  return out.Item?.revoked_at !== undefined;
}

/** Marks one token revoked; false when it is unknown or already revoked. */
export async function revokeRefreshToken(hash: string): Promise<RefreshTokenRecord | undefined> {
  const { doc, table } = db();
  try {
    const out = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.refreshToken(hash),
        UpdateExpression: 'SET revoked_at = :now',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(revoked_at)',
        ExpressionAttributeValues: { ':now': nowIso() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip(out.Attributes!);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
