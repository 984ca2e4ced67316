import type { HealthEvent, HealthScore, Sample, SourceRef } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';
import { numberOf, textOf } from '#shared/providers/json.js';
import type { PullResult } from '#shared/providers/types.js';

/**
 * What the Withings mappings share: times (UTC epoch seconds, days as `YYYY-MM-DD`, zones as IANA names), the
 * source of a record, and the collector of one unit's mapped output with its count of skipped records.
 */

export const DAY_MS = 86_400_000;
export const DEFAULT_SOURCE_NAME = 'Withings';

/** Epoch seconds -> ms; null unless a plausible non-negative seconds value (below 1e11, i.e. not already ms). */
export function epochMs(value: unknown): number | null {
  const seconds = numberOf(value);
  if (seconds === null || seconds < 0 || seconds >= 1e11) return null;
  return Math.round(seconds * 1000);
}

export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day `YYYY-MM-DD`, or null. */
export function calendarDate(value: unknown): string | null {
  const text = textOf(value);
  if (!text || !DATE.test(text)) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && isoDate(ms) === text ? text : null;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterOf(zone: string): Intl.DateTimeFormat | null {
  if (!formatters.has(zone)) {
    try {
      formatters.set(zone, new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }));
    } catch {
      formatters.set(zone, null);
    }
  }
  return formatters.get(zone) ?? null;
}

/** The offset (`±HH:MM`) of an IANA zone (`Europe/Paris`) at an instant; null for an unknown zone. */
export function zoneOffsetAt(zone: unknown, at: number): string | null {
  const name = textOf(zone);
  const formatter = name ? formatterOf(name) : null;
  if (!formatter || !Number.isFinite(at)) return null;
  const part = formatter.formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value;
  if (part === 'GMT') return '+00:00';
  const match = /^GMT([+-]\d{2}):(\d{2})$/.exec(part ?? '');
  return match ? `${match[1]}:${match[2]}` : null;
}

const offsetMinutes = (offset: string) =>
  (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));

/** Local midnight of `date` in `zone` (UTC midnight when the zone is unknown), with its offset. */
export function localMidnight(date: string, zone: unknown): { at: number; zoneOffset: string | null } {
  const utc = Date.parse(`${date}T00:00:00Z`);
  // The offset at UTC midnight is the right one except across a change that night; one correction settles it.
  let offset = zoneOffsetAt(zone, utc);
  if (offset === null) return { at: utc, zoneOffset: null };
  let at = utc - offsetMinutes(offset) * 60_000;
  const corrected = zoneOffsetAt(zone, at);
  if (corrected !== null && corrected !== offset) {
    offset = corrected;
    at = utc - offsetMinutes(offset) * 60_000;
  }
  return { at, zoneOffset: offset };
}

/** The device that recorded a record (`model`, when Withings names it), else "Withings". */
export function withingsSource(model: unknown): SourceRef {
  const name = textOf(model);
  return {
    provider: 'withings',
    deviceModel: name,
    sourceName: name ?? DEFAULT_SOURCE_NAME,
    softwareVersion: null,
    originalSourceName: name,
  };
}

const sourceKey = (source: SourceRef) => JSON.stringify([source.deviceModel, source.sourceName]);

/**
 * Mapped output of one unit: samples by (source, series, timestamp) (a later one replaces an earlier, as the
 * store's upsert would), events and scores, and the number of records skipped as unusable.
 */
export class WithingsOutput {
  private readonly groups = new Map<
    string,
    { source: SourceRef; series: SeriesType; samples: Map<number, Sample> }
  >();
  private readonly events: HealthEvent[] = [];
  private readonly scores: HealthScore[] = [];
  skipped = 0;

  /** `total`: a provider daily total. Values are kept to 3 decimals; non-finite ones are dropped. */
  sample(
    source: SourceRef,
    series: SeriesType,
    timestamp: number | null,
    value: number | null,
    zoneOffset: string | null,
    kind: 'total' | 'intraday' = 'intraday',
  ): boolean {
    if (timestamp === null || value === null || !Number.isFinite(value)) return false;
    const key = `${sourceKey(source)}|${series}`;
    const group = this.groups.get(key) ?? { source, series, samples: new Map<number, Sample>() };
    this.groups.set(key, group);
    const isDailyTotal = SERIES_TYPES[series].aggregation === 'sum' ? kind === 'total' : null;
    group.samples.set(timestamp, { timestamp, value: roundTo(value, 3), zoneOffset, isDailyTotal });
    return true;
  }

  event(event: HealthEvent): void {
    this.events.push(event);
  }

  score(score: HealthScore): void {
    this.scores.push(score);
  }

  result(): PullResult {
    return {
      series: [...this.groups.values()].map((group) => ({
        source: group.source,
        series: group.series,
        samples: [...group.samples.values()].sort((a, b) => a.timestamp - b.timestamp),
      })),
      events: this.events,
      scores: this.scores,
    };
  }
}
