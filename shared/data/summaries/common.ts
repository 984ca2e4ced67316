import type { CursorPage } from '#shared/data/paging.js';
import { compareSourcePriority, localDate, offsetMs } from '#shared/data/source-metadata.js';
import type { Sample, SourceRef } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { type SourcePriorities, UNKNOWN_SOURCE } from '#shared/model/sources.js';
import { apiDateTime } from '#shared/model/time.js';
import { type DataSourceRecord, dataSourcesByKey, sourceRefOf } from '#shared/store/data-sources.js';
import { loadSourcePriorities } from '#shared/store/priorities.js';
import { readSeriesSamples } from '#shared/store/series-read.js';

/** Query of the cursor-paged summaries (activity, sleep, recovery); bounds are parsed instants (contract 1.4). */
export interface SummaryQuery {
  startMs: number;
  endMs: number;
  cursor?: string | undefined;
  limit: number;
}

/** The user's data sources by key, with the priorities in force when they were loaded (defaults when absent). */
export type Sources = Map<string, DataSourceRecord> & { priorities?: SourcePriorities };

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Zone offsets span -12:00..+14:00: reading this much beyond a UTC day range covers every local day in it. */
export const ZONE_MARGIN_MS = 14 * HOUR_MS;
/** Far enough in the future for "no upper bound" reads. */
export const END_OF_TIME = Date.UTC(9999, 0);

/** For store reads whose provenance is looked up by source key afterwards. */
export const anySource = (): SourceRef => UNKNOWN_SOURCE;

/** The user's data sources with the priorities in force, and the provenance lookup `queryEvents` wants. */
export async function loadSources(userId: string) {
  const [records, priorities] = await Promise.all([dataSourcesByKey(userId), loadSourcePriorities()]);
  const sources: Sources = Object.assign(records, { priorities });
  const refOf = (key: string): SourceRef => {
    const record = sources.get(key);
    return record ? sourceRefOf(record) : UNKNOWN_SOURCE;
  };
  return { sources, refOf };
}

/**
 * Summary days are whole dates: `start_date.date <= day < end_date.date` (contract 4.7), the dates taken in UTC
 * (a date-only parameter is midnight UTC). Returns the first included date and the first excluded one.
 */
export function dayRange(startMs: number, endMs: number) {
  const first = new Date(startMs).toISOString().slice(0, 10);
  const end = new Date(endMs).toISOString().slice(0, 10);
  return {
    first,
    end,
    includes: (day: string) => day >= first && day < end,
    /** Instants that can fall on an included local day, whatever the zone offset. */
    fromMs: Date.parse(first) - ZONE_MARGIN_MS,
    toMs: Date.parse(end) + ZONE_MARGIN_MS,
  };
}

/** The UTC instants [from, to) of a local date in a `±HH:MM` zone. */
export function localDayBounds(day: string, zoneOffset: string | null) {
  const from = Date.parse(day) - offsetMs(zoneOffset);
  return { fromMs: from, toMs: from + DAY_MS };
}

export const sampleDay = (s: Sample) => localDate(s.timestamp, s.zoneOffset);

/** The source of `keys` that wins by contract 10.1 priority (ties broken by key for determinism). */
export function bestSource(keys: Iterable<string>, sources: Sources): string | undefined {
  let best: string | undefined;
  for (const key of keys) {
    if (best === undefined) {
      best = key;
      continue;
    }
    const order = compareSourcePriority(sources.get(key), sources.get(best), sources.priorities);
    if (order < 0 || (order === 0 && key < best)) best = key;
  }
  return best;
}

/** Samples of one series per source key, [fromMs, toMs). */
export async function readBySource(
  userId: string,
  series: SeriesType,
  fromMs: number,
  toMs: number,
): Promise<Map<string, Sample[]>> {
  const { sources } = await readSeriesSamples(userId, series, fromMs, toMs);
  return new Map(sources.map((s) => [s.sourceKey, s.samples]));
}

export const mean = (values: number[]) =>
  values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;

export const intOrNull = (value: number | null | undefined) =>
  value === null || value === undefined ? null : Math.round(value);

/** The cursor envelope of the summaries: `total_count` is always null (contract 1.5). */
export function summaryEnvelope<T>(
  page: CursorPage<unknown>,
  data: T[],
  query: { startMs: number; endMs: number },
) {
  return {
    data,
    pagination: { ...page.pagination, total_count: null },
    metadata: {
      resolution: null,
      sample_count: data.length,
      start_time: apiDateTime(new Date(query.startMs)),
      end_time: apiDateTime(new Date(query.endMs)),
    },
  };
}
