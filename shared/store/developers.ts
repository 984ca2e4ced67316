import { randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowIso } from '#shared/model/time.js';
import { db, isConditionFailure } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';

export interface Developer {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  password_hash: string;
  /** Bumped by every password change: older developer access and refresh tokens stop working. */
  credential_version?: number;
  created_at: string;
  updated_at: string;
}

export class EmailTaken extends Error {
  override name = 'EmailTaken';
}

const strip = ({ PK, SK, ...rest }: Record<string, unknown>) => rest as unknown as Developer;

export async function getDeveloper(id: string): Promise<Developer | undefined> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: keys.developer(id), ConsistentRead: true }),
  );
  return out.Item ? strip(out.Item) : undefined;
}

export async function getDeveloperByEmail(email: string): Promise<Developer | undefined> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: keys.developerEmail(email), ConsistentRead: true }),
  );
  return out.Item ? getDeveloper(out.Item.developer_id as string) : undefined;
}

/** Creates a developer; the email is reserved by a lock item in the same transaction (unique, case-insensitive). */
export async function createDeveloper(input: {
  email: string;
  password_hash: string;
  first_name?: string | null;
  last_name?: string | null;
}): Promise<Developer> {
  const { doc, table } = db();
  const now = nowIso();
  const developer: Developer = {
    id: randomUUID(),
    email: input.email,
    first_name: input.first_name ?? null,
    last_name: input.last_name ?? null,
    password_hash: input.password_hash,
    created_at: now,
    updated_at: now,
  };
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: { ...keys.developerEmail(input.email), developer_id: developer.id },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          { Put: { TableName: table, Item: { ...keys.developer(developer.id), ...developer } } },
        ],
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw new EmailTaken(input.email);
    throw error;
  }
  return developer;
}

export type DeveloperChanges = Partial<
  Pick<Developer, 'email' | 'first_name' | 'last_name' | 'password_hash' | 'credential_version'>
>;

/** Applies `changes`; an email change moves the lock item atomically. */
export async function updateDeveloper(current: Developer, changes: DeveloperChanges): Promise<Developer> {
  const { doc, table } = db();
  const next: Developer = { ...current, ...changes, updated_at: nowIso() };
  const emailChanged =
    changes.email !== undefined && changes.email.toLowerCase() !== current.email.toLowerCase();
  try {
    if (!emailChanged) {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.developer(current.id),
          UpdateExpression:
            'SET email = :e, first_name = :f, last_name = :l, password_hash = :p, credential_version = :c, updated_at = :u',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: {
            ':e': next.email,
            ':f': next.first_name,
            ':l': next.last_name,
            ':p': next.password_hash,
            ':c': next.credential_version ?? 0,
            ':u': next.updated_at,
          },
        }),
      );
      return next;
    }
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: { ...keys.developerEmail(next.email), developer_id: current.id },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          { Delete: { TableName: table, Key: keys.developerEmail(current.email) } },
          {
            Put: {
              TableName: table,
              Item: { ...keys.developer(current.id), ...next },
              ConditionExpression: 'attribute_exists(PK)',
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (emailChanged && isConditionFailure(error)) throw new EmailTaken(next.email);
    throw error;
  }
  return next;
}
