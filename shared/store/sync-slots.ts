import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailure } from '#shared/store/client.js';
import { keys, ttlAt } from '#shared/store/keys.js';
import { writeForUser } from '#shared/store/user-guard.js';

/**
 * At most one pending run of each kind per connection (user + provider): a `backfill` (historical sync), a
 * `manual` sync and a `catchup` (the freshness watchdog's poll). Requesting another while one is pending returns the pending run instead of queueing more work.
 * The slot is released when its run ends; it also lapses on its own (a lost job cannot block the connection for
 * more than SLOT_TTL_MS after its last invocation).
 */
export type SlotKind = 'backfill' | 'manual' | 'catchup';

export interface SyncSlot {
  run_id: string;
  window: { start: number; end: number };
  until: number;
}

export const SLOT_TTL_MS = 6 * 3_600_000;

const slotKey = (userId: string, provider: string, kind: SlotKind) => ({
  PK: keys.userPartition(userId),
  SK: `SYNCSLOT#${provider}#${kind}`,
});

/**
 * Takes the slot for `run`, or resolves to the run already holding it. Never for a deleted user (UserGone).
 */
export async function claimSlot(
  userId: string,
  provider: string,
  kind: SlotKind,
  run: Omit<SyncSlot, 'until'>,
  now = Date.now(),
): Promise<SyncSlot | undefined> {
  const { doc, table } = db();
  const key = slotKey(userId, provider, kind);
  const until = now + SLOT_TTL_MS;
  for (;;) {
    try {
      await writeForUser(userId, [
        {
          Put: {
            TableName: table,
            Item: { ...key, ...run, until, ttl: ttlAt(new Date(until)) },
            ConditionExpression: 'attribute_not_exists(PK) OR #until < :now',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':now': now },
          },
        },
      ]);
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const held = await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
    // Released between the two calls: try again.
    if (held.Item) return { run_id: held.Item.run_id, window: held.Item.window, until: held.Item.until };
  }
}

/** A run still going (continued, deferred) keeps its slot from lapsing. */
export async function extendSlot(
  userId: string,
  provider: string,
  kind: SlotKind,
  runId: string,
  now = Date.now(),
): Promise<void> {
  const { doc, table } = db();
  const until = now + SLOT_TTL_MS;
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: slotKey(userId, provider, kind),
        UpdateExpression: 'SET #until = :until, #ttl = :ttl',
        ConditionExpression: 'run_id = :run',
        ExpressionAttributeNames: { '#until': 'until', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':until': until, ':ttl': ttlAt(new Date(until)), ':run': runId },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** The run ended: its slot is free (only if it is still this run's). */
export async function releaseSlot(userId: string, provider: string, kind: SlotKind, runId: string) {
  const { doc, table } = db();
  try {
    await doc.send(
      new DeleteCommand({
        TableName: table,
        Key: slotKey(userId, provider, kind),
        ConditionExpression: 'run_id = :run',
        ExpressionAttributeValues: { ':run': runId },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
