import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { HttpError } from '#shared/http/errors.js';
import { CAP, cappedString } from '#shared/http/validation.js';
import type { SyncType } from '#shared/ingest/sdk-payload.js';
import { canonicalProvider, type SdkProvider } from '#shared/model/provider.js';
import { isoAt } from '#shared/model/time.js';
import { logger } from '#shared/observability.js';
import { isIntegrated, PROVIDER_INFO } from '#shared/providers/registry.js';
import { UserGone } from '#shared/store/user-guard.js';
import { recordSyncEvent, type SyncEventInput } from '#shared/sync/status.js';
import { runProgress } from '#shared/sync/status-read.js';

/**
 * Sync status of mobile SDK pushes (contract 4.12, 6.3.5), visible in `/users/{id}/sync/recent` and `/sync/runs`.
 * A batch without a sync session is a run of its own; the batches of a session (`syncSessionId`, iOS 0.15) are
 * one run, `sdk_<session id>`, counting the items of all of them. A historical session ends when the SDK's log
 * events say every data type it announced has finished; its batches leave it in progress until then.
 * One event per batch, written when the batch is stored or failed: the push is synchronous, so a `started`
 * event would be superseded within the same request and only double the write cost.
 */

export interface PushRun {
  runId: string;
  batchId: string;
  sessionId: string | null;
  syncType: SyncType | null;
}

export const sessionRunId = (sessionId: string) => `sdk_${sessionId}`;

export function pushRun(sync: { sessionId: string | null; type: SyncType | null }): PushRun {
  const batchId = randomUUID();
  const runId = sync.sessionId ? sessionRunId(sync.sessionId) : batchId;
  return { runId, batchId, sessionId: sync.sessionId, syncType: sync.type };
}

/**
 * Status is bookkeeping: failing to write it never fails the push it describes (a deleted user aside). Its
 * `sync.*` event cannot fail it either: recordSyncEvent logs a failed emission of a recorded status.
 */
async function record(input: SyncEventInput): Promise<void> {
  try {
    await recordSyncEvent(input);
  } catch (error) {
    if (error instanceof UserGone) throw error;
    logger.warn('sdk sync status not recorded', { runId: input.run_id, error: String(error) });
  }
}

export interface PushCounts {
  records_saved: number;
  workouts_saved: number;
  sleep_saved: number;
  dropped_count: number;
}

export function recordPushSaved(
  userId: string,
  provider: SdkProvider,
  run: PushRun,
  counts: PushCounts,
  startedAt: number,
) {
  const dropped = counts.dropped_count;
  const openSession = run.sessionId !== null && run.syncType === 'historical';
  return record({
    run_id: run.runId,
    user_id: userId,
    provider,
    source: 'sdk',
    stage: openSession ? 'processing' : 'completed',
    status: openSession ? 'in_progress' : 'success',
    message: `${PROVIDER_INFO[provider].name} batch saved${dropped > 0 ? ` (${dropped} record(s) dropped by validation)` : ''}`,
    items_processed: counts.records_saved + counts.workouts_saved + counts.sleep_saved,
    started_at: isoAt(startedAt),
    ended_at: openSession ? null : isoAt(Date.now()),
    metadata: { batch_id: run.batchId, ...counts, sync_type: run.syncType, sync_session_id: run.sessionId },
    ...(run.sessionId !== null && { accumulate: {} }),
  });
}

export function recordPushFailed(
  userId: string,
  provider: SdkProvider | 'unknown',
  run: PushRun,
  error: unknown,
  startedAt: number,
) {
  const detail =
    error instanceof HttpError ? error.detail : 'The batch could not be saved; it can be sent again';
  return record({
    run_id: run.runId,
    user_id: userId,
    provider,
    source: 'sdk',
    stage: 'failed',
    status: 'failed',
    message: `${provider === 'unknown' ? 'SDK' : PROVIDER_INFO[provider].name} batch failed`,
    error: detail,
    started_at: isoAt(startedAt),
    ended_at: isoAt(Date.now()),
    metadata: { batch_id: run.batchId, sync_type: run.syncType, sync_session_id: run.sessionId },
    // A session's failed batch keeps the counts the session's other batches added.
    ...(run.sessionId !== null && { accumulate: {} }),
  });
}

const timestamp = z.pipe(cappedString(CAP.datetime), z.iso.datetime({ offset: true, local: true }));
const word = cappedString(CAP.id);
const count = z.number().check(z.int(), z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));
const logEvent = z.discriminatedUnion('eventType', [
  z.object({
    eventType: z.literal('historical_data_sync_start'),
    timestamp,
    dataTypeCounts: z._default(z.array(z.object({ type: word, count })).check(z.maxLength(200)), []),
    timeRange: z.nullish(z.object({ startDate: z.nullish(timestamp), endDate: timestamp })),
  }),
  z.object({
    eventType: z.literal('historical_data_type_sync_end'),
    timestamp,
    dataType: word,
    success: z.boolean(),
    recordCount: z.nullish(count),
    durationMs: z.nullish(count),
  }),
  z.object({
    eventType: z.literal('device_state'),
    timestamp,
    batteryLevel: z.nullish(z.number().check(z.gte(0), z.lte(1))),
    batteryState: z.nullish(word),
    isLowPowerMode: z.nullish(z.boolean()),
    thermalState: z.nullish(word),
    taskType: z.nullish(word),
    availableRamBytes: z.nullish(count),
    totalRamBytes: z.nullish(count),
  }),
]);

export const sdkLogsBody = z.object({
  sdkVersion: word,
  provider: z.nullish(word),
  syncSessionId: z.nullish(word),
  events: z.array(logEvent).check(z.minLength(1), z.maxLength(100)),
});
export type SdkLogs = z.infer<typeof sdkLogsBody>;

/**
 * The session events of an SDK log upload: the start opens the session's run and names the data types it will
 * sync; each type's end is recorded; once every announced type has ended the run is completed (`partial` when
 * some failed, `failed` when all did). Without a session id, log events are only logged.
 */
export async function recordSessionLogs(userId: string, logs: SdkLogs): Promise<void> {
  if (!logs.syncSessionId) return;
  const named = logs.provider?.trim().toLowerCase() ?? '';
  const provider = isIntegrated(named) ? canonicalProvider(named) : 'unknown';
  const base = {
    run_id: sessionRunId(logs.syncSessionId),
    user_id: userId,
    provider,
    source: 'sdk',
  } as const;
  let ended = false;
  for (const event of logs.events) {
    if (event.eventType === 'historical_data_sync_start') {
      await record({
        ...base,
        stage: 'started',
        status: 'in_progress',
        message: 'Historical sync started',
        items_total: event.dataTypeCounts.reduce((sum, t) => sum + t.count, 0),
        started_at: isoAt(Date.parse(event.timestamp)),
        metadata: { data_type_counts: event.dataTypeCounts, time_range: event.timeRange ?? null },
        accumulate: { sets: { expected_types: event.dataTypeCounts.map((t) => t.type) } },
      });
    } else if (event.eventType === 'historical_data_type_sync_end') {
      ended = true;
      await record({
        ...base,
        stage: 'processing',
        status: 'in_progress',
        message: `${event.dataType} ${event.success ? 'synced' : 'failed'}`,
        metadata: {
          data_type: event.dataType,
          success: event.success,
          record_count: event.recordCount ?? null,
          duration_ms: event.durationMs ?? null,
        },
        accumulate: {
          sets: { done_types: [event.dataType], failed_types: event.success ? [] : [event.dataType] },
        },
      });
    }
  }
  if (ended) await completeSession(userId, base);
}

async function completeSession(
  userId: string,
  base: Pick<SyncEventInput, 'run_id' | 'user_id' | 'provider' | 'source'>,
): Promise<void> {
  const progress = await runProgress(userId, base.run_id);
  if (!progress) return;
  const { expected_types: expected, done_types: done, failed_types: failed } = progress.sets;
  if (expected.size === 0 || ![...expected].every((type) => done.has(type))) return;
  const status = failed.size === 0 ? 'success' : failed.size >= expected.size ? 'failed' : 'partial';
  await record({
    ...base,
    stage: status === 'failed' ? 'failed' : 'completed',
    status,
    message:
      failed.size === 0
        ? 'Historical sync completed'
        : `Historical sync ended; failed: ${[...failed].join(', ')}`,
    items_total: progress.summary.items_total,
    ended_at: isoAt(Date.now()),
    accumulate: {},
  });
}
