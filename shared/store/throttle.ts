import { BatchGetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, deleteKeys, isConditionFailure } from '#shared/store/client.js';
import { ttlAt } from '#shared/store/keys.js';

/**
 * Failure counters of guessable credentials (passwords, invitation codes): one item per (scope, subject), e.g.
 * `THROTTLE#login-account#<email digest>` or `THROTTLE#login-ip#<address>`. Failures older than the window are
 * forgotten (the item expires by TTL, and a stale counter restarts at 1).
 */
export interface ThrottleCounter {
  failures: number;
  last_failure: number;
  blocked_until?: number;
}

export const throttleKey = (scope: string, subject: string) => ({
  PK: `THROTTLE#${scope}#${subject}`,
  SK: 'T',
});

type Key = ReturnType<typeof throttleKey>;

export async function readCounters(itemKeys: Key[]): Promise<ThrottleCounter[]> {
  const { doc, table } = db();
  const out = await doc.send(
    new BatchGetCommand({ RequestItems: { [table]: { Keys: itemKeys, ConsistentRead: true } } }),
  );
  return (out.Responses?.[table] ?? []) as unknown as ThrottleCounter[];
}

/** Counts one failure (restarting a counter older than `windowMs`); returns the new count. */
export async function addFailure(key: Key, now: number, windowMs: number): Promise<number> {
  const { doc, table } = db();
  const ttl = ttlAt(new Date(now + windowMs));
  try {
    const out = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'ADD failures :one SET last_failure = :now, #ttl = :ttl',
        ConditionExpression: 'last_failure > :since',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':now': now, ':ttl': ttl, ':since': now - windowMs },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return out.Attributes?.failures as number;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  await doc.send(new PutCommand({ TableName: table, Item: { ...key, failures: 1, last_failure: now, ttl } }));
  return 1;
}

/** Blocks until `until`, unless a later block is already set. */
export async function blockUntil(key: Key, until: number): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET blocked_until = :until',
        ConditionExpression:
          'attribute_exists(PK) AND (attribute_not_exists(blocked_until) OR blocked_until < :until)',
        ExpressionAttributeValues: { ':until': until },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

export const clearCounter = (key: Key) => deleteKeys([key]);
