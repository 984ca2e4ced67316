import {
  aggregateValue,
  dailyAmountOf,
  type Stats,
  timeseriesValue,
} from '#shared/archival/day-aggregate.js';
import type { Sample } from '#shared/model/health-data.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';
import { readArchivedDays } from '#shared/store/series-archive.js';
import { readSeriesSamples } from '#shared/store/series-read.js';

/**
 * Archived days as the readers see them (contract 10.2: transparently). An archived day of a (series, source) is
 * one sample stamped at its UTC day start and flagged as a daily total: the timeseries returns it so
 * (`is_daily_total: true`, at any resolution), and the activity summary, which prefers daily totals, takes it as
 * the day's amount. Its stats ride along for what one value cannot carry (a day's heart-rate minimum and maximum).
 */

export interface ArchivedSample extends Sample {
  archived: Stats;
}

export const isArchived = (sample: Sample): sample is ArchivedSample => 'archived' in sample;

/** Archived days of a series as timeseries samples, per source: fromMs <= day start < toMs. */
export async function archivedTimeseries(userId: string, series: SeriesType, fromMs: number, toMs: number) {
  const { aggregation } = SERIES_TYPES[series];
  return (await readArchivedDays(userId, series, fromMs, toMs)).map(({ sourceKey, day, aggregate }) => ({
    sourceKey,
    sample: {
      timestamp: day,
      value: timeseriesValue(aggregate, aggregation),
      zoneOffset: null,
      isDailyTotal: true,
    },
  }));
}

/**
 * Samples of one series per source key, [fromMs, toMs), with each archived day as one ArchivedSample: a SUM
 * series' amount as the activity summary counts it (the latest daily total, else the sum), otherwise the series'
 * aggregation of the day's intraday samples (else of its daily totals).
 */
export async function readBySourceWithArchive(
  userId: string,
  series: SeriesType,
  fromMs: number,
  toMs: number,
): Promise<Map<string, Sample[]>> {
  const { aggregation } = SERIES_TYPES[series];
  const [live, archived] = await Promise.all([
    readSeriesSamples(userId, series, fromMs, toMs),
    readArchivedDays(userId, series, fromMs, toMs),
  ]);
  const bySource = new Map(live.sources.map((s) => [s.sourceKey, [...s.samples]]));
  for (const { sourceKey, day, aggregate } of archived) {
    const stats = (aggregate.intraday ?? aggregate.totals)!;
    const sample: ArchivedSample = {
      timestamp: day,
      value: aggregation === 'sum' ? dailyAmountOf(aggregate) : aggregateValue(stats, aggregation),
      zoneOffset: null,
      isDailyTotal: true,
      archived: stats,
    };
    bySource.set(sourceKey, [...(bySource.get(sourceKey) ?? []), sample]);
  }
  return bySource;
}
