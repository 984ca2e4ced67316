import {
  getCheckpoint,
  type ImportCheckpoint,
  saveCheckpoint,
  zeroCounters,
} from '#shared/imports/checkpoints.js';
import type { SdkItems } from '#shared/imports/export-mapping.js';
import { ExportStructureError } from '#shared/imports/export-splitter.js';
import { readExport } from '#shared/imports/export-stream.js';
import { importBucket } from '#shared/imports/import-bucket.js';
import { importUser, runIdOf } from '#shared/imports/upload-rules.js';
import { writingFor } from '#shared/ingest/persist.js';
import { saveBatch } from '#shared/ingest/sdk-ingest.js';
import { normaliseSdkBatch } from '#shared/ingest/sdk-normalise.js';
import { isoAt } from '#shared/model/time.js';
import { logger } from '#shared/observability.js';
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
  /** Tells a new upload under the same key from a redelivered notification. */
  etag: string;
}

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

async function start(job: ImportJob, userId: string): Promise<ImportCheckpoint | undefined> {
  const existing = await getCheckpoint(userId, job.key);
  if (existing?.etag === job.etag) return existing.status === 'running' ? existing : undefined;
  const checkpoint: ImportCheckpoint = {
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
  };
  await saveCheckpoint(checkpoint);
  await report(checkpoint, {
    stage: 'started',
    status: 'in_progress',
    message: 'Apple Health export import started',
  });
  return checkpoint;
}

async function finish(checkpoint: ImportCheckpoint, failure?: string): Promise<void> {
  checkpoint.status = failure ? 'failed' : 'completed';
  await saveCheckpoint(checkpoint);
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

/** Runs the import of `job` until it is done or `deadline` (epoch ms) has passed at a batch boundary. */
export async function runImport(
  job: ImportJob,
  deadline: number,
  batchItems = IMPORT_BATCH_ITEMS,
): Promise<ImportOutcome> {
  const userId = importUser(job.key);
  if (!userId || !(await getUser(userId))) {
    logger.warn('import object of no known user left alone', { bucket: job.bucket, key: job.key });
    return 'skipped';
  }
  const checkpoint = await start(job, userId);
  if (!checkpoint) return 'skipped';
  const read = await importBucket(job.bucket).read(job.key, checkpoint.offset);
  if (!read) {
    await finish(checkpoint, 'the uploaded object is gone');
    return 'completed';
  }
  checkpoint.size = read.size;
  let items: SdkItems = { records: [], sleep: [], workouts: [] };
  let pending = 0;
  let elements = 0;
  let end = checkpoint.offset;
  const flush = async () => {
    if (pending > 0) await saveItems(checkpoint, items);
    checkpoint.offset = end;
    checkpoint.counters.elements += elements;
    await saveCheckpoint(checkpoint);
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
        await flush();
        await report(checkpoint, {
          stage: 'processing',
          status: 'in_progress',
          message: 'Importing Apple Health export',
        });
        if (Date.now() >= deadline) return 'continue';
      }
    }
  } catch (error) {
    if (!(error instanceof ExportStructureError)) throw error;
    await flush();
    await finish(checkpoint, error.message);
    return 'completed';
  } finally {
    read.body.destroy();
  }
  await flush();
  checkpoint.offset = checkpoint.size;
  await finish(checkpoint);
  return 'completed';
}
