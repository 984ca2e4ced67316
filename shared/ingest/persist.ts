import { emitEvents } from '#shared/delivery/emit.js';
import { ingestedEvents } from '#shared/delivery/payloads.js';
import type { Sample, SourceRef } from '#shared/model/health-data.js';
import { isStorableSample, isStorableSpan } from '#shared/model/limits.js';
import type { SeriesType } from '#shared/model/series.js';
import { logger } from '#shared/observability.js';
import type { EventIdentity, PullResult } from '#shared/providers/types.js';
import type { ReadOptions } from '#shared/store/client.js';
import { type DataSourceRecord, saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { purgeDeletedUser } from '#shared/store/erase-user.js';
import { externalEventId, newStoredEvent, upsertEvent, upsertExternalEvent } from '#shared/store/events.js';
import { saveScores, toStoredScore } from '#shared/store/health-scores.js';
import { closeJournal, openJournal } from '#shared/store/series-journal.js';
import { recoverDeadWriters } from '#shared/store/series-recovery.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';
import { UserGone } from '#shared/store/user-guard.js';

/**
 * The one write path of health data into the store, shared by the mobile SDK push and the provider sync. Every
 * write is idempotent (the same input twice leaves the same items) and guarded by the user's profile: for a user
 * who is deleted meanwhile the writes stop with `UserGone` (see store/user-guard.ts).
 */

const SERIES_WRITE_CONCURRENCY = 8;

/** Runs one write path for a user (an SDK push, a sync unit...); if the user is deleted meanwhile, purges and rethrows. */
export async function writingFor<T>(userId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UserGone) await purgeDeletedUser(userId);
    throw error;
  }
}

/** The data sources of one write: each record points at one, registered before anything that points at it. */
export class SourceRegistry {
  private readonly sources = new Map<string, DataSourceRecord>();

  constructor(private readonly userId: string) {}

  keyOf(ref: SourceRef): string {
    const record = toDataSource(this.userId, ref);
    this.sources.set(record.key, record);
    return record.key;
  }

  async save(reads?: ReadOptions): Promise<void> {
    if (this.sources.size > 0) await saveDataSources(this.userId, [...this.sources.values()], reads);
  }
}

export interface SeriesWrite {
  series: SeriesType;
  key: string;
  samples: readonly Sample[];
}

/** What `writeSeries` did: the number of samples it was given, and the series whose stored chunks changed. */
export interface SeriesWritten<T extends SeriesWrite> {
  samples: number;
  changed: T[];
}

/**
 * Merges each series into its chunks, a few series at a time, under a journal that lets a later write repair the
 * counts should this one die midway (store/series-journal.ts).
 */
export async function writeSeries<T extends SeriesWrite>(
  userId: string,
  series: T[],
  reads: ReadOptions = {},
): Promise<SeriesWritten<T>> {
  if (series.length === 0) return { samples: 0, changed: [] };
  await recoverDeadWriters(userId);
  const journal = await openJournal(
    userId,
    series.map((s) => ({
      series: s.series,
      sourceKey: s.key,
      first: s.samples.reduce((min, x) => Math.min(min, x.timestamp), Infinity),
      last: s.samples.reduce((max, x) => Math.max(max, x.timestamp), -Infinity),
    })),
  );
  const changed = new Set<T>();
  let next = 0;
  let failed = false;
  const lanes = Array.from({ length: Math.min(SERIES_WRITE_CONCURRENCY, series.length) }, async () => {
    while (next < series.length && !failed) {
      const s = series[next++]!;
      const written = await writeSeriesSamples(userId, s.key, s.series, s.samples, reads).catch((error) => {
        failed = true;
        throw error;
      });
      // A conflict may be our own write retried by the SDK after its answer was lost: count it as a change.
      if (written.newSamples + written.changedSamples + written.conflicts > 0) changed.add(s);
    }
  });
  const outcomes = await Promise.allSettled(lanes);
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) {
    // What did land is counted now; should that fail too, the journal's marks leave it to a recount.
    await closeJournal(journal).catch(() => undefined);
    throw failure.reason;
  }
  await closeJournal(journal);
  return {
    samples: series.reduce((n, s) => n + s.samples.length, 0),
    changed: series.filter((s) => changed.has(s)),
  };
}

export interface SavedCounts {
  samples: number;
  events: number;
  scores: number;
}

/**
 * What of a result is saved: its samples and events within the limits, its scores. Also what a sync unit not saved
 * again because nothing changed counts (sync/worker.ts).
 */
export const storableCounts = (result: PullResult): SavedCounts => ({
  samples: result.series.reduce((n, s) => n + s.samples.filter(isStorableSample).length, 0),
  events: result.events.filter((e) => isStorableSpan(e.start, e.end)).length,
  scores: result.scores.length,
});

/**
 * Which events a write emits: of `all` it saved (the default: a retry emits the same ids again), or only of what
 * `changed` the store (a sync re-fetching hours it stored before; its caller asks for `all` while an earlier
 * attempt may have written without emitting, see shared/sync/run-support.ts `emitScopeOf`).
 */
export type EmitScope = 'all' | 'changed';

/**
 * Persists what one pull unit produced: data sources first, then samples (merged into chunks, same timestamp
 * overwrites), events and scores (both upserted by identity: a provider's later revision of a workout, night or
 * score replaces it, providers.md 6, risk 9). Provider sleep sessions are plain events; they are not merged with
 * adjacent sessions the way SDK sleep is assembled. Once all is written, emits its domain events (a failure
 * fails the unit, whose retry writes and emits the same again).
 *
 * A live sync (`changed`) reads what it compares with eventually consistently, at half the read units: what it
 * re-reads was stored an hour before and has long settled. A stale answer cannot lose a write: a chunk write is
 * conditional on the version it read, so a stale chunk costs a strong read and a retry. At worst the sync leaves
 * out rewriting what an erasure or a deletion of the provider's data removed a moment before, which stays removed.
 * Every other write path reads strongly.
 */
export async function savePullResult(
  userId: string,
  result: PullResult,
  options: { identity?: EventIdentity; emit?: EmitScope } = {},
): Promise<SavedCounts> {
  const { identity = 'span', emit = 'all' } = options;
  const sources = new SourceRegistry(userId);
  let dropped = 0;
  const series = result.series
    .map((s) => {
      const samples = s.samples.filter(isStorableSample);
      dropped += s.samples.length - samples.length;
      return { series: s.series, samples, key: sources.keyOf(s.source), source: s.source };
    })
    .filter((s) => s.samples.length > 0);
  const storable = result.events.filter((e) => isStorableSpan(e.start, e.end));
  dropped += result.events.length - storable.length;
  // A provider sending impossible values is worth a look, not a failed sync.
  if (dropped > 0) logger.warn('provider items out of range dropped', { userId, dropped });
  const events = storable.map((e) => {
    const stored = newStoredEvent(userId, sources.keyOf(e.source), e);
    return identity === 'external' && e.externalId
      ? { ...stored, id: externalEventId(userId, e.source.provider, e.category, e.externalId) }
      : stored;
  });
  // One item per score identity: a transaction refuses two writes of the same key (the last one wins).
  const scores = [
    ...new Map(
      result.scores.map((s) => toStoredScore(userId, sources.keyOf(s.source), s)).map((s) => [s.id, s]),
    ).values(),
  ];
  const reads = { consistent: emit === 'all' };
  await sources.save(reads);
  const written = await writeSeries(userId, series, reads);
  const changedEvents: typeof events = [];
  for (const event of events) {
    const wrote = await (identity === 'external' && event.externalId
      ? upsertExternalEvent(event)
      : upsertEvent(event));
    if (wrote) changedEvents.push(event);
  }
  if (scores.length > 0) await saveScores(userId, scores, reads);
  await emitEvents(
    emit === 'all'
      ? ingestedEvents(userId, series, events)
      : ingestedEvents(userId, written.changed, changedEvents),
  );
  return storableCounts(result);
}
