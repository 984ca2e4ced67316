import { randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowIso } from '#shared/model/time.js';
import { db, isConditionFailure, queryAll } from '#shared/store/client.js';
import { gsi1, keys } from '#shared/store/keys.js';
import type { TransactItem } from '#shared/store/user-guard.js';

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

const strip = ({ PK, SK, GSI1PK, GSI1SK, ...rest }: Record<string, unknown>) => rest as unknown as Developer;

/** Developers are listed through GSI1 `DEVELOPERS`, oldest first. */
const listed = (developer: Pick<Developer, 'id' | 'created_at'>) => ({
  GSI1PK: gsi1.allDevelopers,
  GSI1SK: `${developer.created_at}#${developer.id}`,
});

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

/** Every developer, oldest first (a team: a handful of items). */
export async function listDevelopers(): Promise<Developer[]> {
  const items = await queryAll({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': gsi1.allDevelopers },
  });
  return items.map(strip);
}

/** Adds a developer created before the team routes existed to the list (store/developer-setup.ts finds them). */
export async function ensureListed(developer: Pick<Developer, 'id' | 'created_at'>): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.developer(developer.id),
        UpdateExpression: 'SET GSI1PK = :pk, GSI1SK = :sk',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(GSI1PK)',
        ExpressionAttributeValues: { ':pk': listed(developer).GSI1PK, ':sk': listed(developer).GSI1SK },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Creates a developer; the email is reserved by a lock item in the same transaction (unique, case-insensitive).
 * `alongside` joins more writes to that transaction (an accepted invitation, the bootstrap marker), whose failed
 * conditions read as `EmailTaken` too: the caller checks them first.
 */
export async function createDeveloper(
  input: {
    email: string;
    password_hash: string;
    first_name?: string | null;
    last_name?: string | null;
  },
  alongside: TransactItem[] = [],
): Promise<Developer> {
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
          {
            Put: {
              TableName: table,
              Item: { ...keys.developer(developer.id), ...developer, ...listed(developer) },
            },
          },
          ...alongside,
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
            'SET email = :e, first_name = :f, last_name = :l, password_hash = :p, credential_version = :c, updated_at = :u, GSI1PK = :gp, GSI1SK = :gs',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: {
            ':e': next.email,
            ':f': next.first_name,
            ':l': next.last_name,
            ':p': next.password_hash,
            ':c': next.credential_version ?? 0,
            ':u': next.updated_at,
            ':gp': listed(next).GSI1PK,
            ':gs': listed(next).GSI1SK,
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
              Item: { ...keys.developer(current.id), ...next, ...listed(next) },
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

export class LastDeveloper extends Error {
  override name = 'LastDeveloper';
}

/**
 * Deletes `target` and frees its email, provided a developer other than `target` (`keeper`: the caller, or another
 * team member when the caller removes themself) still exists when the transaction commits: two developers removing
 * each other at once conflict on these items, so one of them finds itself the last. False: `target` was gone.
 */
export async function deleteDeveloper(target: Developer, keeper: Developer | undefined): Promise<boolean> {
  if (!keeper || keeper.id === target.id) throw new LastDeveloper();
  const { doc, table } = db();
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: table,
              Key: keys.developer(target.id),
              ConditionExpression: 'attribute_exists(PK)',
            },
          },
          { Delete: { TableName: table, Key: keys.developerEmail(target.email) } },
          {
            ConditionCheck: {
              TableName: table,
              Key: keys.developer(keeper.id),
              ConditionExpression: 'attribute_exists(PK)',
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    if (!(await getDeveloper(target.id))) return false;
    throw new LastDeveloper();
  }
}
