import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailure, type Key, queryAll } from '#shared/store/client.js';
import { gsi1, keys, ttlAt } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { LIVE_USER, UserGone } from '#shared/store/user-guard.js';

export interface User {
  id: string;
  created_at: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  external_user_id: string | null;
  /** Denormalised from the user's connections by the sync engine. */
  last_synced_at?: string | null;
  last_synced_provider?: string | null;
  /** Computed from the user's connections for every response, never stored. */
  has_active_connection?: boolean;
}

export class ExternalIdTaken extends Error {
  override name = 'ExternalIdTaken';
}

const externalIdLock = (value: string) => ({ PK: `USEREXT#${value}`, SK: 'EXT' });
const strip = ({ PK, SK, GSI1PK, GSI1SK, ...rest }: Record<string, unknown>) => rest as unknown as User;

function profileItem(user: User) {
  return { ...keys.user(user.id), GSI1PK: gsi1.allUsers, GSI1SK: `${user.created_at}#${user.id}`, ...user };
}

function externalIdPut(table: string, user: User) {
  return {
    Put: {
      TableName: table,
      Item: {
        ...externalIdLock(user.external_user_id!),
        GSI1PK: gsi1.ownedByUser(user.id),
        GSI1SK: 'EXTID',
        user_id: user.id,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

export async function insertUser(user: User): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: profileItem(user),
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...(user.external_user_id ? [externalIdPut(table, user)] : []),
        ],
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw new ExternalIdTaken(user.external_user_id ?? '');
    throw error;
  }
}

/** The user, unless missing or deleted (a deleted user's profile is a tombstone until erasure's last pass). */
export async function getUser(id: string): Promise<User | undefined> {
  const { doc, table } = db();
  const out = await doc.send(new GetCommand({ TableName: table, Key: keys.user(id), ConsistentRead: true }));
  return out.Item && out.Item.deleted_at === undefined ? strip(out.Item) : undefined;
}

export type ProfileState = 'live' | 'deleted' | 'missing';

export async function profileState(id: string): Promise<ProfileState> {
  const { doc, table } = db();
  const out = await doc.send(new GetCommand({ TableName: table, Key: keys.user(id), ConsistentRead: true }));
  if (!out.Item) return 'missing';
  return out.Item.deleted_at === undefined ? 'live' : 'deleted';
}

/** How long a tombstone outlives its user if erasure's last pass never ran (it normally removes it). */
const TOMBSTONE_DAYS = 30;

/**
 * Marks a live user deleted, in one conditional write: from this moment every guarded write for the user fails
 * (store/user-guard.ts). The profile keeps only its key and `deleted_at`: no personal field, out of the user list.
 * Resolves to the user as it was; UserGone when already deleted or missing.
 */
export async function tombstoneUser(id: string, now = Date.now()): Promise<User> {
  const { doc, table } = db();
  try {
    const out = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.user(id),
        UpdateExpression:
          'SET deleted_at = :now, #ttl = :ttl REMOVE GSI1PK, GSI1SK, first_name, last_name, email, external_user_id, last_synced_at, last_synced_provider',
        ConditionExpression: LIVE_USER,
        ExpressionAttributeNames: { '#ttl': TABLE_KEYS.ttlAttribute },
        ExpressionAttributeValues: {
          ':now': new Date(now).toISOString(),
          ':ttl': ttlAt(new Date(now + TOMBSTONE_DAYS * 86_400_000)),
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return strip(out.Attributes!);
  } catch (error) {
    if (isConditionFailure(error)) throw new UserGone(id);
    throw error;
  }
}

/** Erasure's last step: the tombstone goes (never a live profile). */
export async function removeTombstone(id: string): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new DeleteCommand({
        TableName: table,
        Key: keys.user(id),
        ConditionExpression: 'attribute_exists(deleted_at)',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** Every user profile (the list endpoint sorts, searches and pages in memory; see README "Scale notes"). */
export async function listUsers(): Promise<User[]> {
  const items = await queryAll({
    IndexName: TABLE_KEYS.gsi1.indexName,
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': gsi1.allUsers },
  });
  return items.map(strip);
}

/** Writes `next` over `current`; a changed external id moves its uniqueness lock in the same transaction. */
export async function replaceUser(current: User, next: User): Promise<void> {
  const { doc, table } = db();
  const externalChanged = current.external_user_id !== next.external_user_id;
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table, Item: profileItem(next), ConditionExpression: LIVE_USER } },
          ...(externalChanged && current.external_user_id
            ? [{ Delete: { TableName: table, Key: externalIdLock(current.external_user_id) } }]
            : []),
          ...(externalChanged && next.external_user_id ? [externalIdPut(table, next)] : []),
        ],
      }),
    );
  } catch (error) {
    const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
    if (reasons?.[0]?.Code === 'ConditionalCheckFailed') throw new UserGone(current.id);
    if (isConditionFailure(error)) throw new ExternalIdTaken(next.external_user_id ?? '');
    throw error;
  }
}

/** Keys of the items in the user's partition (strongly consistent). */
export async function userPartitionKeys(id: string): Promise<Key[]> {
  const items = await queryAll<Key>({
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.userPartition(id) },
    ProjectionExpression: 'PK, SK',
    ConsistentRead: true,
  });
  return items.map(({ PK, SK }) => ({ PK, SK }));
}

/** Keys of every item that belongs to the user: its partition plus everything indexed as owned by it. */
export async function userItemKeys(id: string): Promise<Key[]> {
  const [own, indexed] = await Promise.all([
    userPartitionKeys(id),
    queryAll<Key>({
      IndexName: TABLE_KEYS.gsi1.indexName,
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': gsi1.ownedByUser(id) },
      ProjectionExpression: 'PK, SK',
    }),
  ]);
  return [...own, ...indexed].map(({ PK, SK }) => ({ PK, SK }));
}
