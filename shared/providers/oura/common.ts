import type { SourceRef } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { isObject, type JsonObject, numberOf } from '#shared/providers/json.js';
import type { PullOutput } from '#shared/providers/output.js';
import { calendarDay, type Instant, isoInstant } from '#shared/providers/time.js';
import { positive } from '#shared/providers/values.js';

/**
 * What the Oura mappings share: the source, the readers of Oura's times (ISO-8601 with the wearer's offset, local
 * calendar days, sampled series) and the stamping of samples and events with them.
 */

/** Oura reports no device per document: every record comes from the wearer's ring, through the Oura app. */
export const OURA_SOURCE: SourceRef = {
  provider: 'oura',
  deviceModel: 'Oura Ring',
  sourceName: 'Oura',
  softwareVersion: null,
  originalSourceName: null,
};

/** Oura writes every time with the wearer's offset: a time without one is not Oura's. */
export const instantOf = (value: unknown) => isoInstant(value, { naive: 'reject' });

/** An Oura sample at `instant`, in its offset. */
export const sampleAt = (
  out: PullOutput,
  instant: Instant,
  series: SeriesType,
  value: number | null,
  kind?: 'total' | 'intraday',
) => out.sample(OURA_SOURCE, series, instant.at, value, instant.zoneOffset, kind);

/** An event's source and times, from `start` to `end`, in the start's offset. */
export const eventSpan = (start: Instant, end: Instant) => ({
  source: OURA_SOURCE,
  start: start.at,
  end: end.at,
  zoneOffset: start.zoneOffset,
  durationSeconds: Math.round((end.at - start.at) / 1000),
});

/**
 * Where a day document is stamped: its `timestamp` (the start of the wearer's day, with the offset), else the
 * `day` at 00:00 UTC without an offset (daily SpO2 and cardiovascular age carry only the day).
 */
export function dayStamp(document: JsonObject): Instant | null {
  const instant = instantOf(document.timestamp);
  if (instant) return instant;
  const day = calendarDay(document.day);
  return day === null ? null : { at: day, zoneOffset: null };
}

/** `{interval, items[], timestamp}` (Oura's sampled series) -> timed readings; null items are skipped. */
export function sampledItems(series: unknown): Array<Instant & { value: number }> {
  if (!isObject(series) || !Array.isArray(series.items)) return [];
  const start = instantOf(series.timestamp);
  const interval = positive(series.interval);
  if (!start || interval === null) return [];
  const out: Array<Instant & { value: number }> = [];
  series.items.forEach((raw, index) => {
    const value = numberOf(raw);
    if (value !== null)
      out.push({ at: start.at + Math.round(index * interval * 1000), value, zoneOffset: start.zoneOffset });
  });
  return out;
}
