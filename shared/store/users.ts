import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailure, type Key, queryAll } from '#shared/store/client.js';
import { gsi1, keys } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';

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
  /** Computed from the user's connections when listed, never stored. */
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

export async function getUser(id: string): Promise<User | undefined> {
  const { doc, table } = db();
  const out = await doc.send(new GetCommand({ TableName: table, Key: keys.user(id), ConsistentRead: true }));
  return out.Item ? strip(out.Item) : undefined;
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
          { Put: { TableName: table, Item: profileItem(next), ConditionExpression: 'attribute_exists(PK)' } },
          ...(externalChanged && current.external_user_id
            ? [{ Delete: { TableName: table, Key: externalIdLock(current.external_user_id) } }]
            : []),
          ...(externalChanged && next.external_user_id ? [externalIdPut(table, next)] : []),
        ],
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw new ExternalIdTaken(next.external_user_id ?? '');
    throw error;
  }
}

/** Keys of every item that belongs to the user: its partition plus everything indexed as owned by it. */
export async function userItemKeys(id: string): Promise<Key[]> {
  const [own, indexed] = await Promise.all([
    queryAll<Key>({
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.userPartition(id) },
      ProjectionExpression: 'PK, SK',
    }),
    queryAll<Key>({
      IndexName: TABLE_KEYS.gsi1.indexName,
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': gsi1.ownedByUser(id) },
      ProjectionExpression: 'PK, SK',
    }),
  ]);
  return [...own, ...indexed].map(({ PK, SK }) => ({ PK, SK }));
}
