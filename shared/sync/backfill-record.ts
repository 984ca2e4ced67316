import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';
import { writeForUser } from '#shared/store/user-guard.js';
import type { SyncStatusEvent } from '#shared/sync/status.js';

/**
 * The durable record of a connection's latest push backfill (source `backfill`: Garmin's data arrives later by
 * webhook): sync status events expire after 24 h, while a backfill's state is asked for days later
 * (`GET /providers/garmin/users/{id}/backfill/status`). One item per (user, provider), overwritten by each event
 * of the run.
 */
export interface BackfillRecord {
  run_id: string;
  status: SyncStatusEvent['status'];
  stage: SyncStatusEvent['stage'];
  /** Backfill requests made so far (the sync units done, in order) and in all. */
  requested: number;
  total: number;
  window_start: number;
  window_end: number;
  started_at: string;
  updated_at: string;
  error: string | null;
}

const recordKey = (userId: string, provider: string) => ({
  PK: keys.userPartition(userId),
  SK: `BACKFILL#${provider}`,
});

/** Written for a live user only (a deleted user's items never come back); one backfill runs at a time (its slot). */
export async function saveBackfillRecord(userId: string, provider: string, record: BackfillRecord) {
  const { table } = db();
  await writeForUser(userId, [
    { Put: { TableName: table, Item: { ...recordKey(userId, provider), ...record } } },
  ]);
}

export async function getBackfillRecord(
  userId: string,
  provider: string,
): Promise<BackfillRecord | undefined> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: recordKey(userId, provider), ConsistentRead: true }),
  );
  if (!out.Item) return undefined;
  const { PK, SK, ...record } = out.Item;
  return record as BackfillRecord;
}
