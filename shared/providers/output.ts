import type {
  HealthEvent,
  HealthScore,
  Sample,
  SourceRef,
  WorkoutDetails,
} from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';
import { textOf } from '#shared/providers/json.js';
import type { PullResult } from '#shared/providers/types.js';
import type { HandledNotification, NotificationContext } from '#shared/providers/webhook-types.js';

/** numeric(10,3), as the store keeps values: rounded to 3 places; null when it would not fit. */
function storedValue(value: number): number | null {
  const rounded = roundTo(value, 3);
  return Number.isFinite(rounded) && Math.abs(rounded) < 1e7 ? rounded : null;
}

const sourceKey = (source: SourceRef) => JSON.stringify([source.deviceModel, source.sourceName]);

const eventKey = (event: HealthEvent) =>
  event.externalId !== null
    ? `${event.category}|id|${event.externalId}`
    : `${event.category}|span|${sourceKey(event.source)}|${event.start}|${event.end}`;

/** Fields of `next` that are set, over those of `base` (one workout seen in two summaries). */
function mergeDetails(base: WorkoutDetails, next: WorkoutDetails): WorkoutDetails {
  const merged: WorkoutDetails = { ...base };
  for (const [key, value] of Object.entries(next) as Array<[keyof WorkoutDetails, number | null]>) {
    if (value !== null && value !== undefined) merged[key] = value;
  }
  return merged;
}

/**
 * What one pull unit or one notification mapped to, in every provider: samples by (source, series, timestamp),
 * events by (category, external id or span) and scores by (source, category, time), a later one replacing an
 * earlier one as the store's upserts would; a workout seen twice is merged. `skipped` counts the provider items
 * that mapped to nothing (malformed, unscored, ...), for the run's counts.
 */
export class PullOutput {
  private readonly series = new Map<
    string,
    { source: SourceRef; series: SeriesType; samples: Map<number, Sample> }
  >();
  private readonly events = new Map<string, HealthEvent>();
  private readonly scores = new Map<string, HealthScore>();
  skipped = 0;

  private samplesOf(source: SourceRef, series: SeriesType): Map<number, Sample> {
    const key = `${sourceKey(source)}|${series}`;
    const group = this.series.get(key) ?? { source, series, samples: new Map<number, Sample>() };
    this.series.set(key, group);
    return group.samples;
  }

  /**
   * `total`: a provider daily total; intraday otherwise (the flag is null for series that are not summed). False
   * when nothing was kept: no time or value, or a value the store cannot hold.
   */
  sample(
    source: SourceRef,
    series: SeriesType,
    timestamp: number | null,
    value: number | null,
    zoneOffset: string | null,
    kind: 'total' | 'intraday' = 'intraday',
  ): boolean {
    if (timestamp === null || value === null || !Number.isFinite(timestamp)) return false;
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
    this.scores.set(`${sourceKey(score.source)}|${score.category}|${score.recordedAt}`, score);
  }

  /** Counts `count` provider items that produced nothing. */
  skip(count = 1): void {
    this.skipped += count;
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

  /** What a webhook handler reports: the counts kept and skipped. */
  get counts(): HandledNotification {
    let samples = 0;
    for (const group of this.series.values()) samples += group.samples.size;
    return { samples, events: this.events.size, scores: this.scores.size, skipped: this.skipped };
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

export const emptyResult = (): PullResult => ({ series: [], events: [], scores: [] });

/** A webhook handler's counts, zero unless given. */
export const handled = (counts: Partial<HandledNotification> = {}): HandledNotification => ({
  samples: 0,
  events: 0,
  scores: 0,
  skipped: 0,
  ...counts,
});

/** The end of a webhook handler: saves what `out` holds (no call when nothing) and answers its counts. */
export async function saveOutput(
  context: NotificationContext,
  out: PullOutput,
): Promise<HandledNotification> {
  if (!out.isEmpty) await context.save(out.result());
  return out.counts;
}

/** One item's output, or null when it produced nothing (the item is then counted as skipped). */
export function outputOf(build: (out: PullOutput) => void): PullResult | null {
  const out = new PullOutput();
  build(out);
  return out.isEmpty ? null : out.result();
}

export const countSamples = (result: PullResult) => result.series.reduce((n, s) => n + s.samples.length, 0);

/** A provider's account-level source (no device named): `{provider, sourceName}`, as the reference writes it. */
export const accountSource = (provider: SourceRef['provider'], sourceName: string): SourceRef => ({
  provider,
  deviceModel: null,
  sourceName,
  softwareVersion: null,
  originalSourceName: null,
});

/**
 * The recording device a record names (`device`) as its source: device model and source name. Without one, the
 * account source named `defaultName` (the app is not a device).
 */
export function deviceSource(
  provider: SourceRef['provider'],
  device: unknown,
  defaultName: string,
): SourceRef {
  const name = textOf(device);
  if (name === null) return accountSource(provider, defaultName);
  return { provider, deviceModel: name, sourceName: name, softwareVersion: null, originalSourceName: name };
}

/** Score components from named values, the missing ones left out; null when none is known. */
export function componentsOf(values: Record<string, number | null | undefined>): HealthScore['components'] {
  const entries = Object.entries(values).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number',
  );
  return entries.length > 0 ? Object.fromEntries(entries.map(([name, value]) => [name, { value }])) : null;
}

/** Workout details from `[field, value, decimal places]` (3 places unless given), the unknown ones left out. */
export function detailsOf(
  fields: ReadonlyArray<readonly [keyof WorkoutDetails, number | null, number?]>,
): WorkoutDetails {
  const details: WorkoutDetails = {};
  for (const [key, value, places = 3] of fields) if (value !== null) details[key] = roundTo(value, places);
  return details;
}
