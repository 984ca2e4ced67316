import {
  aggregateValue,
  dailyAmountOf,
  type Stats,
  timeseriesValue,
} from '#shared/archival/day-aggregate.js';
import type { Sample } from '#shared/model/health-data.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';
import { type ArchivedDay, latestArchivedDay, readArchivedDays } from '#shared/store/series-archive.js';
import { DAY_MS, dayStartOf, type SeriesTarget } from '#shared/store/series-layout.js';
import { readSeriesSamples } from '#shared/store/series-read.js';

/**
 * Archived days as the readers see them (contract 10.2: transparently). An archived day of a (series, source) is
 * authoritative: it is served from its aggregate only, and raw samples of that day (sent again after it was
 * archived, until the next run discards them) are ignored. It reads as one sample stamped at its UTC day start and
 * flagged as a daily total: the timeseries returns it so (`is_daily_total: true`, at any resolution), and the
 * activity summary, which prefers daily totals, takes it as the day's amount. Its stats ride along for what one
 * value cannot carry (a day's heart-rate minimum and maximum, the weight of a day in a mean).
 */

export interface ArchivedSample extends Sample {
  archived: Stats;
}

export const isArchived = (sample: Sample): sample is ArchivedSample => 'archived' in sample;

/** The identity of one UTC day of one source: an archived day shadows the raw samples of the same one. */
export const dayId = (sourceKey: string, day: number) => `${sourceKey}\n${day}`;

/**
 * Raw samples per source with those of archived days left out, and the archived days starting in [fromMs, toMs)
 * (a day archived across `fromMs` shadows its raw samples but is not returned: its start is outside the range).
 */
async function readLiveAndArchived(userId: string, series: SeriesType, fromMs: number, toMs: number) {
  const [live, archived] = await Promise.all([
    readSeriesSamples(userId, series, fromMs, toMs),
    readArchivedDays(userId, series, dayStartOf(fromMs), toMs),
  ]);
  const shadowed = new Set(archived.map((d) => dayId(d.sourceKey, d.day)));
  const sources = live.sources
    .map(({ sourceKey, samples }) => ({
      sourceKey,
      samples: samples.filter((s) => !shadowed.has(dayId(sourceKey, dayStartOf(s.timestamp)))),
    }))
    .filter(({ samples }) => samples.length > 0);
  return { sources, archived: archived.filter((d) => d.day >= fromMs) };
}

/**
 * A series for the timeseries, [fromMs, toMs): the raw samples per source outside archived days, and each archived
 * day as one sample, its daily aggregate like a daily bucket.
 */
export async function readTimeseriesWithArchive(
  userId: string,
  series: SeriesType,
  fromMs: number,
  toMs: number,
) {
  const { aggregation } = SERIES_TYPES[series];
  const { sources, archived } = await readLiveAndArchived(userId, series, fromMs, toMs);
  return {
    sources,
    archived: archived.map(({ sourceKey, day, aggregate }) => ({
      sourceKey,
      sample: {
        timestamp: day,
        value: timeseriesValue(aggregate, aggregation),
        zoneOffset: null,
        isDailyTotal: true,
      } satisfies Sample,
    })),
  };
}

/**
 * An archived day as one ArchivedSample: a SUM series' amount as the activity summary counts it (the latest daily
 * total, else the sum), otherwise the series' aggregation of the day's intraday samples (else of its daily totals).
 */
function archivedSample(series: SeriesType, { day, aggregate }: ArchivedDay): ArchivedSample {
  const { aggregation } = SERIES_TYPES[series];
  const stats = (aggregate.intraday ?? aggregate.totals)!;
  return {
    timestamp: day,
    value: aggregation === 'sum' ? dailyAmountOf(aggregate) : aggregateValue(stats, aggregation),
    zoneOffset: null,
    isDailyTotal: true,
    archived: stats,
  };
}

/** Samples of one series per source key, [fromMs, toMs), each archived day as one ArchivedSample (by time). */
export async function readBySourceWithArchive(
  userId: string,
  series: SeriesType,
  fromMs: number,
  toMs: number,
): Promise<Map<string, Sample[]>> {
  const { sources, archived } = await readLiveAndArchived(userId, series, fromMs, toMs);
  const bySource = new Map<string, Sample[]>(sources.map((s) => [s.sourceKey, [...s.samples]]));
  for (const day of archived) {
    bySource.set(day.sourceKey, [...(bySource.get(day.sourceKey) ?? []), archivedSample(series, day)]);
  }
  for (const samples of bySource.values()) samples.sort((a, b) => a.timestamp - b.timestamp);
  return bySource;
}

/** The mean of the samples an archive-aware read stands for: an archived day weighs as its samples. */
export function meanWithArchive(samples: readonly Sample[]): number | null {
  let count = 0;
  let sum = 0;
  for (const s of samples) {
    count += isArchived(s) ? s.archived.count : 1;
    sum += isArchived(s) ? s.archived.sumMilli / 1000 : s.value;
  }
  return count === 0 ? null : sum / count;
}

/**
 * The latest sample of one (series, source) at or before `now`: of its raw samples after its latest archived day
 * up to `now`, else that archived day (as an ArchivedSample). `readLatestRaw(from)` reads the latest raw sample in
 * [from, now]; raw samples of archived days are older than or shadowed by the latest archived day, so never read.
 */
export async function latestWithArchive(
  target: SeriesTarget,
  now: number,
  readLatestRaw: (fromMs: number) => Promise<Sample | undefined>,
): Promise<Sample | undefined> {
  const day = await latestArchivedDay(target, now + 1);
  const raw = await readLatestRaw(day === undefined ? 0 : day.day + DAY_MS);
  return raw ?? (day && archivedSample(target.series, day));
}
