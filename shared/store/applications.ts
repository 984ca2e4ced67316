import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowIso } from '#shared/model/time.js';
import { db, isConditionFailure, queryAll } from '#shared/store/client.js';
import { gsi1, keys } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';

export interface Application {
  id: string;
  app_id: string;
  name: string;
  developer_id: string;
  secret_hash: string;
  /** Bumped by every secret rotation: SDK refresh tokens issued under an older secret stop working. */
  secret_version?: number;
  created_at: string;
}

const strip = ({ PK, SK, GSI1PK, GSI1SK, ...rest }: Record<string, unknown>) =>
  rest as unknown as Application;

export async function insertApplication(input: Omit<Application, 'id' | 'created_at'>): Promise<Application> {
  const { doc, table } = db();
  const app: Application = { id: randomUUID(), created_at: nowIso(), ...input };
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        ...keys.application(app.app_id),
        GSI1PK: gsi1.developerApps(app.developer_id),
        GSI1SK: `${app.created_at}#${app.app_id}`,
        ...app,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    }),
  );
  return app;
}

export async function getApplication(appId: string): Promise<Application | undefined> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: keys.application(appId), ConsistentRead: true }),
  );
  return out.Item ? strip(out.Item) : undefined;
}

export async function listApplications(developerId: string): Promise<Application[]> {
  const items = await queryAll({
    IndexName: TABLE_KEYS.gsi1.indexName,
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': gsi1.developerApps(developerId) },
  });
  return items.map(strip);
}

/** Only the owner may delete; false when the app is missing or belongs to someone else. */
export async function deleteApplication(appId: string, developerId: string): Promise<boolean> {
  const { doc, table } = db();
  try {
    await doc.send(
      new DeleteCommand({
        TableName: table,
        Key: keys.application(appId),
        ConditionExpression: 'developer_id = :d',
        ExpressionAttributeValues: { ':d': developerId },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function replaceApplicationSecret(
  appId: string,
  developerId: string,
  secretHash: string,
): Promise<Application | undefined> {
  const { doc, table } = db();
  try {
    const out = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.application(appId),
        UpdateExpression: 'SET secret_hash = :s ADD secret_version :one',
        ConditionExpression: 'developer_id = :d',
        ExpressionAttributeValues: { ':d': developerId, ':s': secretHash, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip(out.Attributes!);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
