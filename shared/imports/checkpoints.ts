import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '#shared/store/client.js';
import { keys, ttlAt } from '#shared/store/keys.js';
import { putForUser } from '#shared/store/user-guard.js';

/**
 * Where an import stands: one item per (user, object key) in the user's partition, so erasing the user erases
 * it. `offset` is the byte offset of the next top-level element to read; the counters are the run's totals so
 * far. `etag` tells a re-upload under the same key (a new import) from a redelivered notification (the same one).
 */
export interface ImportCounters {
  elements: number;
  records_saved: number;
  workouts_saved: number;
  sleep_saved: number;
  dropped_count: number;
  malformed: number;
  ignored: number;
}

export interface ImportCheckpoint {
  user_id: string;
  bucket: string;
  object_key: string;
  etag: string;
  run_id: string;
  offset: number;
  size: number;
  status: 'running' | 'completed' | 'failed';
  started_at: number;
  counters: ImportCounters;
}

export const zeroCounters = (): ImportCounters => ({
  elements: 0,
  records_saved: 0,
  workouts_saved: 0,
  sleep_saved: 0,
  dropped_count: 0,
  malformed: 0,
  ignored: 0,
});

/** Checkpoints outlive any retry of a queue message, then go. */
const CHECKPOINT_TTL_MS = 30 * 86_400_000;

const checkpointKey = (userId: string, objectKey: string) => ({
  PK: keys.userPartition(userId),
  SK: `XMLIMPORT#${createHash('sha256').update(objectKey).digest('hex').slice(0, 32)}`,
});

export async function getCheckpoint(
  userId: string,
  objectKey: string,
): Promise<ImportCheckpoint | undefined> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: checkpointKey(userId, objectKey), ConsistentRead: true }),
  );
  return out.Item?.checkpoint as ImportCheckpoint | undefined;
}

/** Never for a deleted user (UserGone). */
export async function saveCheckpoint(checkpoint: ImportCheckpoint, now = Date.now()): Promise<void> {
  await putForUser(checkpoint.user_id, [
    {
      ...checkpointKey(checkpoint.user_id, checkpoint.object_key),
      checkpoint,
      ttl: ttlAt(new Date(now + CHECKPOINT_TTL_MS)),
    },
  ]);
}
