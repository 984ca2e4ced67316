import { badRequest } from '#shared/http/errors.js';
import { type NormalisedBatch, normaliseSdkBatch, type SleepSegment } from '#shared/ingest/sdk-normalise.js';
import { assembleSleep } from '#shared/ingest/sleep-sessions.js';
import type { SourceRef } from '#shared/model/health-data.js';
import type { SdkProvider } from '#shared/model/provider.js';
import { getConnection, stampSynced, upsertConnection } from '#shared/store/connections.js';
import { type DataSourceRecord, saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { insertEvent, newStoredEvent } from '#shared/store/events.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';

/** The SDK's `UploadDataResponse` counts, reported for real (the reference always answers zeros). */
export interface IngestCounts {
  records_saved: number;
  workouts_saved: number;
  sleep_saved: number;
  dropped_count: number;
}

const SERIES_WRITE_CONCURRENCY = 8;

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

function groupSleep(segments: SleepSegment[], keyOf: (source: SourceRef) => string) {
  const groups = new Map<string, { source: SourceRef; segments: SleepSegment[] }>();
  for (const segment of segments) {
    const key = keyOf(segment.source);
    const group = groups.get(key) ?? { source: segment.source, segments: [] };
    group.segments.push(segment);
    groups.set(key, group);
  }
  return groups;
}

/** Persists a normalised batch; every write is idempotent, so a retried or duplicated batch changes nothing. */
export async function saveBatch(
  userId: string,
  batch: NormalisedBatch,
  now = Date.now(),
): Promise<IngestCounts> {
  const sources = new Map<string, DataSourceRecord>();
  const keyOf = (ref: SourceRef) => {
    const record = toDataSource(userId, ref);
    sources.set(record.key, record);
    return record.key;
  };
  const series = batch.series.map((s) => ({ ...s, key: keyOf(s.source) }));
  const workouts = batch.workouts.map((w) => newStoredEvent(userId, keyOf(w.source), w));
  const sleep = groupSleep(batch.sleepSegments, keyOf);
  await saveDataSources([...sources.values()]);

  await inParallel(series, SERIES_WRITE_CONCURRENCY, async (s) => {
    await writeSeriesSamples(userId, s.key, s.series, s.samples);
  });
  let workoutsSaved = 0;
  for (const workout of workouts) if (await insertEvent(workout)) workoutsSaved++;
  for (const [key, group] of sleep) {
    const segments = group.segments.map(({ source: _source, ...segment }) => segment);
    await assembleSleep(userId, key, group.source, segments, now);
  }
  return {
    records_saved: series.reduce((n, s) => n + s.samples.length, 0),
    workouts_saved: workoutsSaved,
    sleep_saved: batch.received.sleep,
    dropped_count: batch.dropped,
  };
}

/** The user's connection to the SDK provider exists and is active after a push (contract 6.3.5), with no tokens. */
async function markSdkConnection(userId: string, provider: SdkProvider): Promise<void> {
  const connection = await getConnection(userId, provider);
  if (connection?.status !== 'active') {
    const none = {
      provider_user_id: null,
      provider_username: null,
      scope: null,
      tokens: null,
      token_expires_at: null,
    };
    await upsertConnection(userId, provider, none);
  }
  await stampSynced(userId, provider, new Date().toISOString());
}

/** Mobile SDK push: validate the envelope (400 if broken), salvage good records, persist, count. */
export async function ingestSdkPush(
  userId: string,
  provider: SdkProvider,
  body: unknown,
): Promise<IngestCounts> {
  const result = normaliseSdkBatch(body, provider);
  if (!result.ok) throw badRequest(result.error);
  const counts = await saveBatch(userId, result.batch);
  await markSdkConnection(userId, provider);
  return counts;
}
