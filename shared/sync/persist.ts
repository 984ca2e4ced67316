import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SourceRef } from '#shared/model/health-data.js';
import type { PullResult } from '#shared/providers/types.js';
import { db } from '#shared/store/client.js';
import { type DataSourceRecord, saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { newStoredEvent, replaceEventsItems, type StoredEvent } from '#shared/store/events.js';
import { saveScores, toStoredScore } from '#shared/store/health-scores.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';

export interface SavedCounts {
  samples: number;
  events: number;
  scores: number;
}

const SERIES_WRITE_CONCURRENCY = 8;

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

/**
 * Writes an event under its identity (data source, start, end), replacing what is there: a provider's later
 * revision of the same workout or night overwrites it (providers.md 6, risk 9), a re-read of an unchanged one
 * rewrites the same item. Provider sleep sessions are plain events like workouts; they are not merged with
 * adjacent sessions the way SDK sleep is assembled.
 */
async function upsertEvent(event: StoredEvent): Promise<void> {
  const { doc, table } = db();
  await doc.send(new TransactWriteCommand({ TransactItems: replaceEventsItems(table, [], [event]) }));
}

/**
 * Persists what one pull unit produced, idempotently (the same unit saved twice leaves the same items): data
 * sources first (every record points at one), then samples (merged into chunks, same timestamp overwrites),
 * events and scores (both upserted by identity).
 */
export async function savePullResult(userId: string, result: PullResult): Promise<SavedCounts> {
  const sources = new Map<string, DataSourceRecord>();
  const keyOf = (ref: SourceRef) => {
    const record = toDataSource(userId, ref);
    sources.set(record.key, record);
    return record.key;
  };
  const series = result.series
    .filter((s) => s.samples.length > 0)
    .map((s) => ({ ...s, key: keyOf(s.source) }));
  const events = result.events.map((e) => newStoredEvent(userId, keyOf(e.source), e));
  // One item per score identity: a batch write refuses two writes of the same key (the last one wins).
  const scores = [
    ...new Map(
      result.scores.map((s) => toStoredScore(userId, keyOf(s.source), s)).map((s) => [s.id, s]),
    ).values(),
  ];
  if (sources.size > 0) await saveDataSources([...sources.values()]);

  await inParallel(series, SERIES_WRITE_CONCURRENCY, async (s) => {
    await writeSeriesSamples(userId, s.key, s.series, s.samples);
  });
  for (const event of events) await upsertEvent(event);
  if (scores.length > 0) await saveScores(scores);
  return {
    samples: series.reduce((n, s) => n + s.samples.length, 0),
    events: events.length,
    scores: scores.length,
  };
}
