import { isActivitySeries, seriesEventOf, seriesGroupOf } from '#shared/delivery/catalogue.js';
import { contentDigest, pyIso, sourceOf } from '#shared/delivery/payloads-common.js';
import { type DomainEvent, eventIdOf } from '#shared/delivery/types.js';
import type { Sample, SeriesSamples, SourceRef } from '#shared/model/health-data.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';

/**
 * Time-series events (contract 8.1): per (user, provider, series type) of one ingestion batch, the group event
 * and the granular `series.<type>.created`, both with the samples written. A large batch is split into chunks of
 * at most 1000 samples and ~200 KB serialized (so each fits one EventBridge entry; the reference splits at 2500),
 * which then carry `chunk_index` and `total_chunks`. Ids hash the user, series, sources and samples: the same
 * batch written again (a retried job, a re-sent push) yields the same ids, which every sink dedupes on.
 */

export const SERIES_CHUNK_MAX_SAMPLES = 1000;
export const SERIES_CHUNK_MAX_BYTES = 200_000;
/** Room kept for everything of `data` besides the samples (ids, names, two timestamps, counts). */
const ENVELOPE_BYTES = 2_000;

type Written = { sample: Sample; source: SourceRef };

/**
 * Splits `items` in order into consecutive chunks of at most `maxCount` items whose sizes, plus one separator
 * byte each, add up to at most `maxBytes` (an item larger than that alone still gets a chunk of its own).
 */
export function chunkBySize<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  maxCount: number,
  maxBytes: number,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item) + 1;
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const bySourceAndTime = (a: Written, b: Written) =>
  a.sample.timestamp - b.sample.timestamp ||
  (a.source.deviceModel ?? '').localeCompare(b.source.deviceModel ?? '') ||
  (a.source.sourceName ?? '').localeCompare(b.source.sourceName ?? '') ||
  a.sample.value - b.sample.value;

/** The written samples of a batch by (provider, series type), each list in a canonical order. */
function byProviderAndSeries(batch: readonly SeriesSamples[], keep: (series: SeriesType) => boolean) {
  const groups = new Map<string, { provider: string; series: SeriesType; written: Written[] }>();
  for (const { source, series, samples } of batch) {
    if (!keep(series) || samples.length === 0) continue;
    const key = `${source.provider}|${series}`;
    const group = groups.get(key) ?? { provider: source.provider, series, written: [] };
    for (const sample of samples) group.written.push({ sample, source });
    groups.set(key, group);
  }
  for (const group of groups.values()) group.written.sort(bySourceAndTime);
  return [...groups.values()];
}

const identityOf = ({ sample, source }: Written) => [
  sample.timestamp,
  sample.value,
  sample.zoneOffset,
  sample.isDailyTotal,
  source.deviceModel,
  source.sourceName,
];

export function seriesEvents(
  userId: string,
  batch: readonly SeriesSamples[],
  at = Date.now(),
): DomainEvent[] {
  const timestamp = new Date(at).toISOString();
  return byProviderAndSeries(batch, (series) => seriesGroupOf(series) !== null).flatMap(
    ({ provider, series, written }) => {
      const types = [seriesGroupOf(series)!, seriesEventOf(series)!];
      const { unit } = SERIES_TYPES[series];
      const digest = contentDigest([userId, provider, series, written.map(identityOf)]);
      const samples = written.map(({ sample, source }) => ({
        timestamp: pyIso(sample.timestamp),
        zone_offset: sample.zoneOffset,
        type: series,
        value: sample.value,
        unit,
        source: sourceOf(source),
        is_daily_total: sample.isDailyTotal,
      }));
      const chunks = chunkBySize(
        samples.map((sample, index) => ({ sample, index })),
        ({ sample }) => Buffer.byteLength(JSON.stringify(sample)),
        SERIES_CHUNK_MAX_SAMPLES,
        SERIES_CHUNK_MAX_BYTES - ENVELOPE_BYTES,
      );
      return chunks.flatMap((chunk, chunkIndex) => {
        const first = written[chunk[0]!.index]!.sample.timestamp;
        const last = written[chunk.at(-1)!.index]!.sample.timestamp;
        const data = {
          user_id: userId,
          provider,
          series_type: series,
          sample_count: chunk.length,
          start_time: pyIso(first),
          end_time: pyIso(last),
          samples: chunk.map((c) => c.sample),
          ...(chunks.length > 1 && { chunk_index: chunkIndex, total_chunks: chunks.length }),
        };
        return types.map((type) => ({
          id: eventIdOf(type, digest, chunkIndex),
          type,
          userId,
          timestamp,
          data,
        }));
      });
    },
  );
}

/**
 * `activity.created` (issue 10): once per (user, provider, UTC date) of a batch that wrote daily-activity series
 * (steps, energy, distances...), naming the series types written that day. Its id hashes that day's samples.
 */
export function activityEvents(
  userId: string,
  batch: readonly SeriesSamples[],
  at = Date.now(),
): DomainEvent[] {
  const timestamp = new Date(at).toISOString();
  const days = new Map<string, { provider: string; date: string; series: Map<SeriesType, Written[]> }>();
  for (const { provider, series, written } of byProviderAndSeries(batch, isActivitySeries)) {
    for (const w of written) {
      const date = new Date(w.sample.timestamp).toISOString().slice(0, 10);
      const key = `${provider}|${date}`;
      const day = days.get(key) ?? { provider, date, series: new Map() };
      const samples = day.series.get(series) ?? [];
      samples.push(w);
      day.series.set(series, samples);
      days.set(key, day);
    }
  }
  return [...days.values()].map(({ provider, date, series }) => {
    const types = [...series.keys()].sort();
    const digest = contentDigest([
      userId,
      provider,
      date,
      types.map((t) => [t, series.get(t)!.map(identityOf)]),
    ]);
    return {
      id: eventIdOf('activity.created', provider, date, digest),
      type: 'activity.created',
      userId,
      timestamp,
      data: { user_id: userId, provider, date, series_types: types },
    };
  });
}
