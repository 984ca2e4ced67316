import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { db, isConditionFailure } from '#shared/store/client.js';
import { keys, ttlAt } from '#shared/store/keys.js';
import { writeForUser } from '#shared/store/user-guard.js';

/**
 * Where an import stands: one item per (user, object key) in the user's partition, so erasing the user erases
 * it. `offset` is the byte offset of the next top-level element to read; the counters are the run's totals so
 * far. `etag` tells a re-upload under the same key (a new import) from a redelivered notification (the same one).
 *
 * Every write is conditional on the `version` read (and bumps it): of two invocations working on one import (a
 * notification delivered twice, a re-upload superseding a run), only one can move the checkpoint; the other's
 * next write fails with CheckpointLost and it stops. `lease_until` keeps a second copy of the same job from even
 * starting while an invocation runs it (its Lambda time, released when it stops).
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
  /** Epoch ms until which an invocation holds the import; 0 when none does. */
  lease_until: number;
}

/** A checkpoint as read, with the version its next write is conditional on (0: there is none yet). */
export interface HeldCheckpoint {
  checkpoint: ImportCheckpoint;
  version: number;
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

/** Another invocation wrote the checkpoint since this one read it: this one must stop. */
export class CheckpointLost extends Error {
  override name = 'CheckpointLost';
}

/** Checkpoints outlive any retry of a queue message, then go. */
const CHECKPOINT_TTL_MS = 30 * 86_400_000;

const checkpointKey = (userId: string, objectKey: string) => ({
  PK: keys.userPartition(userId),
  SK: `XMLIMPORT#${createHash('sha256').update(objectKey).digest('hex').slice(0, 32)}`,
});

export async function readCheckpoint(userId: string, objectKey: string): Promise<HeldCheckpoint | undefined> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: checkpointKey(userId, objectKey), ConsistentRead: true }),
  );
  if (!out.Item) return undefined;
  const checkpoint = out.Item.checkpoint as ImportCheckpoint;
  return {
    checkpoint: { ...checkpoint, lease_until: checkpoint.lease_until ?? 0 },
    version: out.Item.version ?? 0,
  };
}

export async function getCheckpoint(
  userId: string,
  objectKey: string,
): Promise<ImportCheckpoint | undefined> {
  return (await readCheckpoint(userId, objectKey))?.checkpoint;
}

/**
 * Writes `held.checkpoint` if the item is still at `held.version`, and moves `held` to the new version. Never for
 * a deleted user (UserGone); CheckpointLost when another invocation wrote it meanwhile.
 */
export async function saveCheckpoint(held: HeldCheckpoint, now = Date.now()): Promise<void> {
  const { table } = db();
  const { checkpoint } = held;
  const item = {
    ...checkpointKey(checkpoint.user_id, checkpoint.object_key),
    checkpoint,
    version: held.version + 1,
    ttl: ttlAt(new Date(now + CHECKPOINT_TTL_MS)),
  };
  try {
    await writeForUser(checkpoint.user_id, [
      {
        Put: {
          TableName: table,
          Item: item,
          ...(held.version === 0
            ? { ConditionExpression: 'attribute_not_exists(PK) OR attribute_not_exists(version)' }
            : {
                ConditionExpression: 'version = :version',
                ExpressionAttributeValues: { ':version': held.version },
              }),
        },
      },
    ]);
  } catch (error) {
    if (isConditionFailure(error))
      throw new CheckpointLost(`checkpoint of ${checkpoint.object_key} moved on`);
    throw error;
  }
  held.version += 1;
}
