import type {
  HealthEvent,
  HealthScore,
  Sample,
  SourceRef,
  WorkoutDetails,
} from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';
import { isObject, type JsonObject, numberOf, textOf } from '#shared/providers/json.js';
import type { PullResult } from '#shared/providers/types.js';
import { zoneOffsetOf } from '#shared/providers/values.js';

/**
 * Shared readers of Garmin summaries and the builder that collects their mapped output. Garmin times are UTC
 * epoch seconds with a separate offset in seconds east of UTC (`startTimeOffsetInSeconds`, ...): the reference
 * turned some of them into naive server-local datetimes; here every timestamp is UTC ms and the offset is kept
 * as `±HH:MM` (shared/providers/values.ts, like the other value readers Garmin and Strava share).
 */

export const DEFAULT_SOURCE_NAME = 'Garmin';

const DAY_MS = 86_400_000;
const NOON_MS = 12 * 3_600_000;

export const emptyResult = (): PullResult => ({ series: [], events: [], scores: [] });

/** Epoch seconds -> ms; null unless a plausible non-negative seconds value (below 1e11, i.e. not already ms). */
export function epochMs(value: unknown): number | null {
  const seconds = numberOf(value);
  if (seconds === null || seconds < 0 || seconds >= 1e11) return null;
  return Math.round(seconds * 1000);
}

/** `YYYY-MM-DD` -> UTC midnight ms; null for anything else. */
export function calendarDay(value: unknown): number | null {
  const text = textOf(value);
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(text) ? ms : null;
}

/** `calendarDate` at 12:00 UTC (the reference's stamp for day-level values without a start time). */
export const calendarNoon = (value: unknown): number | null => {
  const day = calendarDay(value);
  return day === null ? null : day + NOON_MS;
};

export const daysMs = (days: number) => days * DAY_MS;

/** `{ "<offset seconds>": value }` -> [offset seconds, value] pairs with numeric keys and values. */
export function offsetEntries(map: unknown): Array<[number, number]> {
  if (!isObject(map)) return [];
  const entries: Array<[number, number]> = [];
  for (const [key, raw] of Object.entries(map)) {
    const offset = numberOf(key);
    const value = numberOf(raw);
    if (offset !== null && offset >= 0 && value !== null) entries.push([offset, value]);
  }
  return entries;
}

/** The device that wrote a summary (`deviceName`), else "Garmin". */
export function garminSource(deviceName: unknown, sourceName?: string): SourceRef {
  const name = textOf(deviceName);
  return {
    provider: 'garmin',
    deviceModel: name ?? DEFAULT_SOURCE_NAME,
    sourceName: sourceName ?? name ?? DEFAULT_SOURCE_NAME,
    softwareVersion: null,
    originalSourceName: name,
  };
}

/** The time and offset most summaries carry. */
export function startOf(item: JsonObject): { start: number; zoneOffset: string | null } | null {
  const start = epochMs(item.startTimeInSeconds);
  return start === null ? null : { start, zoneOffset: zoneOffsetOf(item.startTimeOffsetInSeconds) };
}

/** numeric(10,3): rounded to 3 places; null when it would not fit. */
function storedValue(value: number): number | null {
  const rounded = roundTo(value, 3);
  return Number.isFinite(rounded) && Math.abs(rounded) < 1e7 ? rounded : null;
}

const sourceKey = (source: SourceRef) => JSON.stringify([source.deviceModel, source.sourceName]);

const eventKey = (event: HealthEvent) =>
  event.externalId !== null
    ? `${event.category}|id|${event.externalId}`
    : `${event.category}|span|${sourceKey(event.source)}|${event.start}|${event.end}`;

/** Fields of `next` that are set, over those of `base` (a workout seen in `activities` and `activityDetails`). */
function mergeDetails(base: WorkoutDetails, next: WorkoutDetails): WorkoutDetails {
  const merged: WorkoutDetails = { ...base };
  for (const [key, value] of Object.entries(next) as Array<[keyof WorkoutDetails, number | null]>) {
    if (value !== null && value !== undefined) merged[key] = value;
  }
  return merged;
}

/**
 * Mapped output of one batch: samples by (source, series, timestamp), events by (category, external id) and
 * scores by (category, time), a later value replacing an earlier one as the store's upserts would. A workout
 * seen twice (the `activities` summary and the `activityDetails` one) is merged into one event.
 */
export class GarminOutput {
  private readonly series = new Map<
    string,
    { source: SourceRef; series: SeriesType; samples: Map<number, Sample> }
  >();
  private readonly events = new Map<string, HealthEvent>();
  private readonly scores = new Map<string, HealthScore>();

  private samplesOf(source: SourceRef, series: SeriesType): Map<number, Sample> {
    const key = `${sourceKey(source)}|${series}`;
    const group = this.series.get(key) ?? { source, series, samples: new Map<number, Sample>() };
    this.series.set(key, group);
    return group.samples;
  }

  /** `total`: a provider daily total; intraday otherwise. The flag is null for series that are not summed. */
  sample(
    source: SourceRef,
    series: SeriesType,
    timestamp: number | null,
    value: number | null,
    zoneOffset: string | null,
    kind: 'total' | 'intraday' = 'intraday',
  ): boolean {
    if (timestamp === null || value === null) return false;
    const stored = storedValue(value);
    if (stored === null) return false;
    const isDailyTotal = SERIES_TYPES[series].aggregation === 'sum' ? kind === 'total' : null;
    this.samplesOf(source, series).set(timestamp, { timestamp, value: stored, zoneOffset, isDailyTotal });
    return true;
  }

  event(event: HealthEvent): void {
    const key = eventKey(event);
    const existing = this.events.get(key);
    if (existing?.category === 'workout' && event.category === 'workout') {
      this.events.set(key, { ...event, details: mergeDetails(existing.details, event.details) });
    } else {
      this.events.set(key, event);
    }
  }

  score(score: HealthScore): void {
    this.scores.set(`${score.category}|${score.recordedAt}`, score);
  }

  merge(result: PullResult): void {
    for (const s of result.series) {
      const samples = this.samplesOf(s.source, s.series);
      for (const sample of s.samples) samples.set(sample.timestamp, sample);
    }
    for (const event of result.events) this.event(event);
    for (const score of result.scores) this.score(score);
  }

  get isEmpty(): boolean {
    return this.series.size === 0 && this.events.size === 0 && this.scores.size === 0;
  }

  result(): PullResult {
    return {
      series: [...this.series.values()].map((group) => ({
        source: group.source,
        series: group.series,
        samples: [...group.samples.values()].sort((a, b) => a.timestamp - b.timestamp),
      })),
      events: [...this.events.values()],
      scores: [...this.scores.values()],
    };
  }
}

/** One item's output, or null when it produced nothing (the item is then counted as skipped). */
export function outputOf(build: (out: GarminOutput) => void): PullResult | null {
  const out = new GarminOutput();
  build(out);
  return out.isEmpty ? null : out.result();
}

export const countSamples = (result: PullResult) => result.series.reduce((n, s) => n + s.samples.length, 0);

/** Appends to the list of `key` in place (no copy per item: a body may hold thousands). */
export function appendTo<K>(lists: Map<K, unknown[]>, key: K, items: readonly unknown[]): void {
  const list = lists.get(key);
  if (list) for (const item of items) list.push(item);
  else lists.set(key, [...items]);
}
