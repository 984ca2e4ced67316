import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailure, queryAll } from '#shared/store/client.js';
import { gsi1, keys, ttlAt } from '#shared/store/keys.js';
import type { TransactItem } from '#shared/store/user-guard.js';

/** InvitationStatus (contract 5.2.3). */
export type InvitationStatus = 'pending' | 'sent' | 'failed' | 'accepted' | 'expired' | 'revoked';

/** Team invitations (contract 4.16). The token is a secret: only its SHA-256 is kept, with a hint to recognise it. */
export interface Invitation {
  id: string;
  email: string;
  token_hash: string;
  token_hint: string;
  status: InvitationStatus;
  expires_at: string;
  created_at: string;
  invited_by_id: string | null;
}

/** Decided invitations (accepted, revoked, expired) are kept this long after they lapse, then the table drops them. */
const KEEP_DAYS = 30;
const DAY_MS = 86_400_000;
const ttlOf = (invitation: Invitation) =>
  ttlAt(new Date(Date.parse(invitation.expires_at) + KEEP_DAYS * DAY_MS));

const strip = ({ PK, SK, GSI1PK, GSI1SK, ttl, ...rest }: Record<string, unknown>) =>
  rest as unknown as Invitation;

const invitationItem = (invitation: Invitation) => ({
  ...keys.invitation(invitation.id),
  GSI1PK: gsi1.allInvitations,
  GSI1SK: `${invitation.created_at}#${invitation.id}`,
  ttl: ttlOf(invitation),
  ...invitation,
});

/** The token's lookup item: kept while the invitation is (a decided one answers "Invitation is <status>"), replaced by a resend. */
const tokenItem = (invitation: Invitation) => ({
  ...keys.invitationToken(invitation.token_hash),
  invitation_id: invitation.id,
  ttl: ttlOf(invitation),
});

export async function insertInvitation(invitation: Invitation): Promise<void> {
  const { doc, table } = db();
  await doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: table,
            Item: invitationItem(invitation),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Put: {
            TableName: table,
            Item: tokenItem(invitation),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ],
    }),
  );
}

export async function getInvitation(id: string): Promise<Invitation | undefined> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: keys.invitation(id), ConsistentRead: true }),
  );
  return out.Item ? strip(out.Item) : undefined;
}

export async function getInvitationByTokenHash(hash: string): Promise<Invitation | undefined> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: keys.invitationToken(hash), ConsistentRead: true }),
  );
  const invitation = out.Item && (await getInvitation(out.Item.invitation_id as string));
  return invitation?.token_hash === hash ? invitation : undefined;
}

/** Every invitation still kept, newest first (a team's handful). */
export async function listInvitations(): Promise<Invitation[]> {
  const items = await queryAll({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': gsi1.allInvitations },
    ScanIndexForward: false,
  });
  return items.map(strip);
}

export class InvitationChanged extends Error {
  override name = 'InvitationChanged';
}

/**
 * Writes `next` over `current` if nobody changed it meanwhile (same status and token); a new token replaces the old
 * one's lookup item, so the old token stops working.
 */
export async function replaceInvitation(
  current: Invitation,
  next: Invitation,
  alongside: TransactItem[] = [],
) {
  const { doc, table } = db();
  const tokenMoves = next.token_hash !== current.token_hash;
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: invitationItem(next),
              ConditionExpression: '#status = :status AND token_hash = :hash',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':status': current.status, ':hash': current.token_hash },
            },
          },
          { Put: { TableName: table, Item: tokenItem(next) } },
          ...(tokenMoves
            ? [{ Delete: { TableName: table, Key: keys.invitationToken(current.token_hash) } }]
            : []),
          ...alongside,
        ],
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw new InvitationChanged();
    throw error;
  }
}

/** The writes that mark `invitation` accepted, for the transaction that creates its developer. */
export function acceptanceWrites(invitation: Invitation): TransactItem[] {
  const { table } = db();
  return [
    {
      Put: {
        TableName: table,
        Item: invitationItem({ ...invitation, status: 'accepted' }),
        ConditionExpression: '#status = :status AND token_hash = :hash',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': invitation.status, ':hash': invitation.token_hash },
      },
    },
  ];
}
