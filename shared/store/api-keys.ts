import { randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowIso } from '#shared/model/time.js';
import { db, isConditionFailure, queryAll } from '#shared/store/client.js';
import { gsi1, keys } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';

/** An API key as stored: only its SHA-256 and a masked prefix, never the key. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  created_by: string | null;
  created_at: string;
}

const strip = ({ PK, SK, GSI1PK, GSI1SK, ...rest }: Record<string, unknown>) =>
  rest as unknown as ApiKeyRecord;

/** Two items per key, written together: the record (listing, management) and a hash pointer (authentication). */
function putItems(table: string, record: ApiKeyRecord) {
  return [
    {
      Put: {
        TableName: table,
        Item: {
          ...keys.apiKey(record.id),
          GSI1PK: gsi1.allApiKeys,
          GSI1SK: `${record.created_at}#${record.id}`,
          ...record,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    {
      Put: {
        TableName: table,
        Item: { ...keys.apiKeyHash(record.key_hash), key_id: record.id },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
  ];
}

export function newApiKeyRecord(input: Omit<ApiKeyRecord, 'id' | 'created_at'>): ApiKeyRecord {
  return { id: randomUUID(), created_at: nowIso(), ...input };
}

export async function insertApiKey(record: ApiKeyRecord): Promise<void> {
  const { doc, table } = db();
  await doc.send(new TransactWriteCommand({ TransactItems: putItems(table, record) }));
}

export async function listApiKeys(): Promise<ApiKeyRecord[]> {
  const items = await queryAll({
    IndexName: TABLE_KEYS.gsi1.indexName,
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': gsi1.allApiKeys },
  });
  return items.map(strip);
}

export async function getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: keys.apiKey(id), ConsistentRead: true }),
  );
  return out.Item ? strip(out.Item) : undefined;
}

/** The key id a presented key's hash belongs to (one strongly consistent read). */
export async function findApiKeyIdByHash(hash: string): Promise<string | undefined> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: keys.apiKeyHash(hash), ConsistentRead: true }),
  );
  return out.Item?.key_id as string | undefined;
}

export async function renameApiKey(id: string, name: string): Promise<ApiKeyRecord | undefined> {
  const { doc, table } = db();
  try {
    const out = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.apiKey(id),
        UpdateExpression: 'SET #n = :n',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: { ':n': name },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip(out.Attributes!);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Deletes `old` and, when given, inserts `replacement` in the same transaction. False if `old` is already gone. */
export async function deleteApiKey(old: ApiKeyRecord, replacement?: ApiKeyRecord): Promise<boolean> {
  const { doc, table } = db();
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: table,
              Key: keys.apiKey(old.id),
              ConditionExpression: 'attribute_exists(PK)',
            },
          },
          { Delete: { TableName: table, Key: keys.apiKeyHash(old.key_hash) } },
          ...(replacement ? putItems(table, replacement) : []),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
