import type { ObjectRead } from '#shared/imports/bucket.js';
import {
  CheckpointLost,
  type HeldCheckpoint,
  type ImportCheckpoint,
  readCheckpoint,
  saveCheckpoint,
  zeroCounters,
} from '#shared/imports/checkpoints.js';
import type { SdkItems } from '#shared/imports/export-mapping.js';
import { ExportStructureError } from '#shared/imports/export-splitter.js';
import { readExport } from '#shared/imports/export-stream.js';
import { importBucket } from '#shared/imports/import-bucket.js';
import { importUser, MAX_IMPORT_BYTES, runIdOf } from '#shared/imports/upload-rules.js';
import { writingFor } from '#shared/ingest/persist.js';
import { saveBatch } from '#shared/ingest/sdk-ingest.js';
import { normaliseSdkBatch } from '#shared/ingest/sdk-normalise.js';
import { isoAt } from '#shared/model/time.js';
import { logger } from '#shared/observability.js';
import { UserGone } from '#shared/store/user-guard.js';
import { getUser } from '#shared/store/users.js';
import { recordSyncEvent, type SyncEventInput } from '#shared/sync/status.js';

/**
 * One invocation's share of an Apple Health export import. The object is read from the checkpoint's offset on
 * (a ranged read), its elements mapped to SDK items and saved in batches by the SDK push's own `saveBatch`, so an
 * import and an SDK push of the same samples write the same items. After each batch the checkpoint moves to the
 * next element; when the invocation's time runs short the import stops there and asks to be continued. Progress
 * is a sync run (`source: "xml_import"`).
 */

/** Samples (records, sleep stages, workouts) per saved batch. */
export const IMPORT_BATCH_ITEMS = 5000;

export interface ImportJob {
  bucket: string;
  key: string;
  /** Tells a new upload under the same key from a redelivered notification; every read is of this ETag only. */
  etag: string;
  /** The object's size as notified. */
  size?: number | undefined;
  /** The worker's own continuation: it resumes the run of its ETag, never starts one. */
  continuation?: boolean;
}

/** Time the worker keeps back from the Lambda limit: the batch in flight when the deadline passes still has to be saved. */
export const DEADLINE_SAFETY_MS = 120_000;

/**
 * An invocation holds its import for its Lambda time: until the deadline (at most Lambda's 15 minutes) plus the
 * time kept back after it. It releases it when it stops; if it dies, its message comes back only after the
 * queue's visibility timeout (six times the function's), long after the lease ran out.
 */
const MAX_INVOCATION_MS = 900_000;
const CLAIM_ATTEMPTS = 3;

export type ImportOutcome = 'completed' | 'continue' | 'skipped';

const saved = (c: ImportCheckpoint['counters']) => c.records_saved + c.workouts_saved + c.sleep_saved;

function report(checkpoint: ImportCheckpoint, event: Pick<SyncEventInput, 'stage' | 'status' | 'message'>) {
  const { counters } = checkpoint;
  const ended = event.stage === 'completed' || event.stage === 'failed';
  return recordSyncEvent({
    ...event,
    run_id: checkpoint.run_id,
    user_id: checkpoint.user_id,
    provider: 'apple',
    source: 'xml_import',
    progress: checkpoint.size > 0 ? Math.min(1, checkpoint.offset / checkpoint.size) : null,
    items_processed: saved(counters),
    started_at: isoAt(checkpoint.started_at),
    ended_at: ended ? isoAt(Date.now()) : null,
    metadata: { object_key: checkpoint.object_key, bytes_read: checkpoint.offset, ...counters },
  });
}

async function saveItems(checkpoint: ImportCheckpoint, items: SdkItems): Promise<void> {
  const payload = {
    provider: 'apple',
    sdkVersion: 'xml-import',
    syncTimestamp: isoAt(Date.now()),
    data: items,
  };
  const result = normaliseSdkBatch(payload, 'apple');
  if (!result.ok) throw new Error(result.error);
  const counts = await writingFor(checkpoint.user_id, () => saveBatch(checkpoint.user_id, result.batch));
  const { counters } = checkpoint;
  counters.records_saved += counts.records_saved;
  counters.workouts_saved += counts.workouts_saved;
  counters.sleep_saved += counts.sleep_saved;
  counters.dropped_count += counts.dropped_count;
}

const freshCheckpoint = (job: ImportJob, userId: string): ImportCheckpoint => ({
  user_id: userId,
  bucket: job.bucket,
  object_key: job.key,
  etag: job.etag,
  run_id: runIdOf(job),
  offset: 0,
  size: 0,
  status: 'running',
  started_at: Date.now(),
  counters: zeroCounters(),
  lease_until: 0,
});

interface Claimed {
  held: HeldCheckpoint;
  read: ObjectRead | 'missing';
}

/**
 * Takes the import of `job` for this invocation, or nothing to do (undefined). A notification starts a run for its
 * ETag, superseding the run of an object it replaced, unless that ETag's run is done or held by another
 * invocation; a continuation only resumes its own ETag's running run. The object is opened before the checkpoint
 * is written: a notification of an object replaced since (its ETag no longer matches) changes nothing.
 */
async function claim(job: ImportJob, userId: string, leaseUntil: number): Promise<Claimed | undefined> {
  const existing = await readCheckpoint(userId, job.key);
  const same = existing?.checkpoint.etag === job.etag ? existing : undefined;
  if (same ? same.checkpoint.status !== 'running' : job.continuation) return undefined;
  if (same && same.checkpoint.lease_until > Date.now()) return undefined;
  const read = await (await importBucket(job.bucket)).read(job.key, same?.checkpoint.offset ?? 0, job.etag);
  if (read === 'changed' || (read === 'missing' && !same)) return undefined;
  const release = () => (read === 'missing' ? undefined : read.body.destroy());
  if (read !== 'missing' && read.size > MAX_IMPORT_BYTES) {
    release();
    logger.warn('import object over the import size cap left alone', { key: job.key, size: read.size });
    return undefined;
  }
  const held = same ?? { version: existing?.version ?? 0, checkpoint: freshCheckpoint(job, userId) };
  held.checkpoint.lease_until = leaseUntil;
  try {
    await saveCheckpoint(held);
    if (existing && !same && existing.checkpoint.status === 'running') {
      await report(existing.checkpoint, {
        stage: 'failed',
        status: 'failed',
        message: 'Apple Health export import stopped: the upload was replaced',
      });
    }
    if (!same) {
      await report(held.checkpoint, {
        stage: 'started',
        status: 'in_progress',
        message: 'Apple Health export import started',
      });
    }
  } catch (error) {
    release();
    throw error;
  }
  return { held, read };
}

async function claimWithRetry(job: ImportJob, userId: string, leaseUntil: number) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await claim(job, userId, leaseUntil);
    } catch (error) {
      // Another invocation wrote the checkpoint between the read and the write: look again.
      if (!(error instanceof CheckpointLost) || attempt >= CLAIM_ATTEMPTS) throw error;
    }
  }
}

async function finish(held: HeldCheckpoint, failure?: string): Promise<void> {
  const { checkpoint } = held;
  checkpoint.status = failure ? 'failed' : 'completed';
  checkpoint.lease_until = 0;
  await saveCheckpoint(held);
  const { malformed, dropped_count: dropped } = checkpoint.counters;
  const notes = [
    malformed && `${malformed} malformed element(s) skipped`,
    dropped && `${dropped} item(s) dropped`,
  ];
  const detail = notes.filter(Boolean).join(', ');
  await report(
    checkpoint,
    failure
      ? { stage: 'failed', status: 'failed', message: `Apple Health export import failed: ${failure}` }
      : {
          stage: 'completed',
          status: 'success',
          message: `Apple Health export imported${detail ? ` (${detail})` : ''}`,
        },
  );
}

/**
 * Runs the import of `job` until it is done or `deadline` (epoch ms) has passed at a batch boundary. Skipped: a
 * key of no (live) user, an object over the size cap, a notification or continuation with nothing to do (see
 * `claim`), a run another invocation took over, a user deleted meanwhile (nothing more is written for them).
 */
export async function runImport(
  job: ImportJob,
  deadline: number,
  batchItems = IMPORT_BATCH_ITEMS,
): Promise<ImportOutcome> {
  const userId = importUser(job.key);
  if (!userId || !job.etag || !(await getUser(userId))) {
    logger.warn('import object of no known user left alone', { bucket: job.bucket, key: job.key });
    return 'skipped';
  }
  if ((job.size ?? 0) > MAX_IMPORT_BYTES) {
    logger.warn('import object over the import size cap left alone', { key: job.key, size: job.size });
    return 'skipped';
  }
  const now = Date.now();
  const leaseUntil = now + Math.min(Math.max(deadline - now, 0), MAX_INVOCATION_MS) + DEADLINE_SAFETY_MS;
  try {
    const claimed = await claimWithRetry(job, userId, leaseUntil);
    if (!claimed) return 'skipped';
    if (claimed.read === 'missing') {
      await finish(claimed.held, 'the uploaded object is gone');
      return 'completed';
    }
    return await importFrom(claimed.held, claimed.read, deadline, batchItems);
  } catch (error) {
    if (error instanceof UserGone || error instanceof CheckpointLost) {
      logger.warn('import stopped', { key: job.key, reason: error.name });
      return 'skipped';
    }
    throw error;
  }
}

async function importFrom(
  held: HeldCheckpoint,
  read: ObjectRead,
  deadline: number,
  batchItems: number,
): Promise<ImportOutcome> {
  const { checkpoint } = held;
  checkpoint.size = read.size;
  let items: SdkItems = { records: [], sleep: [], workouts: [] };
  let pending = 0;
  let elements = 0;
  let end = checkpoint.offset;
  const flush = async () => {
    if (pending > 0) await saveItems(checkpoint, items);
    checkpoint.offset = end;
    checkpoint.counters.elements += elements;
    await saveCheckpoint(held);
    items = { records: [], sleep: [], workouts: [] };
    pending = elements = 0;
  };
  try {
    for await (const element of readExport(read.body, checkpoint.offset)) {
      end = element.end;
      elements++;
      if (element.outcome === 'malformed') checkpoint.counters.malformed++;
      else if (element.outcome === 'ignored') checkpoint.counters.ignored++;
      items.records.push(...element.items.records);
      items.sleep.push(...element.items.sleep);
      items.workouts.push(...element.items.workouts);
      pending = items.records.length + items.sleep.length + items.workouts.length;
      if (pending >= batchItems || elements >= batchItems * 4) {
        const stop = Date.now() >= deadline;
        // The last write of an invocation that stops here lets its continuation take the import.
        if (stop) checkpoint.lease_until = 0;
        await flush();
        await report(checkpoint, {
          stage: 'processing',
          status: 'in_progress',
          message: 'Importing Apple Health export',
        });
        if (stop) return 'continue';
      }
    }
  } catch (error) {
    if (!(error instanceof ExportStructureError)) throw error;
    await flush();
    await finish(held, error.message);
    return 'completed';
  } finally {
    read.body.destroy();
  }
  await flush();
  checkpoint.offset = checkpoint.size;
  await finish(held);
  return 'completed';
}
