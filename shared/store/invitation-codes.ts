import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowIso } from '#shared/model/time.js';
import { db, isConditionFailure, queryAll } from '#shared/store/client.js';
import { gsi1, keys, ttlAt } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { writeForUser } from '#shared/store/user-guard.js';

/** A user invitation code as stored: only its keyed digest, never the code. */
export interface InvitationCode {
  id: string;
  code_hash: string;
  user_id: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  redeemed_at?: string;
  revoked_at?: string;
}

const strip = ({ PK, SK, GSI1PK, GSI1SK, ttl, ...rest }: Record<string, unknown>) =>
  rest as unknown as InvitationCode;

/** Revokes every still-usable code of the user (a new code replaces the old ones). */
export async function revokeActiveCodes(userId: string): Promise<void> {
  const { doc, table } = db();
  const now = nowIso();
  const codes = (
    await queryAll({
      IndexName: TABLE_KEYS.gsi1.indexName,
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
      ExpressionAttributeValues: { ':pk': gsi1.ownedByUser(userId), ':sk': 'INVCODE#' },
    })
  ).map(strip);
  const active = codes.filter((c) => !c.redeemed_at && !c.revoked_at && c.expires_at > now);
  await Promise.all(
    active.map((c) =>
      doc
        .send(
          new UpdateCommand({
            TableName: table,
            Key: keys.invitationCode(c.code_hash),
            UpdateExpression: 'SET revoked_at = :now',
            ConditionExpression: 'attribute_not_exists(redeemed_at) AND attribute_not_exists(revoked_at)',
            ExpressionAttributeValues: { ':now': now },
          }),
        )
        .catch((error) => {
          if (!isConditionFailure(error)) throw error;
        }),
    ),
  );
}

/** Inserts a code (never for a deleted user); false on the (astronomically rare) collision with another. */
export async function insertInvitationCode(code: InvitationCode): Promise<boolean> {
  const { table } = db();
  try {
    await writeForUser(code.user_id, [
      {
        Put: {
          TableName: table,
          Item: {
            ...keys.invitationCode(code.code_hash),
            GSI1PK: gsi1.ownedByUser(code.user_id),
            GSI1SK: `INVCODE#${code.created_at}`,
            ...code,
            ttl: ttlAt(new Date(Date.parse(code.expires_at) + 86_400_000)),
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    ]);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Marks the code redeemed if it is still usable; the code otherwise (unknown, used, revoked, expired) is refused. */
export async function redeemInvitationCode(codeHash: string): Promise<InvitationCode | undefined> {
  const { doc, table } = db();
  const now = nowIso();
  try {
    const out = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.invitationCode(codeHash),
        UpdateExpression: 'SET redeemed_at = :now',
        ConditionExpression:
          'attribute_exists(PK) AND attribute_not_exists(redeemed_at) AND attribute_not_exists(revoked_at) AND expires_at > :now',
        ExpressionAttributeValues: { ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip(out.Attributes!);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
