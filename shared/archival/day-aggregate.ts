import type { Sample } from '#shared/model/health-data.js';
import type { SeriesTypeInfo } from '#shared/model/series.js';
import { toMilli } from '#shared/store/chunk-codec.js';
import { dayStartOf } from '#shared/store/series-layout.js';

/**
 * The archived form of one UTC day of one (user, series, source): enough to answer both readers exactly. The
 * intraday samples and the provider daily totals are kept apart, because the two readers prefer differently: the
 * activity summary takes the latest daily total over the intraday sum (summaries/activity.ts `dailyAmount`), the
 * timeseries buckets take the intraday samples over the totals (data/bucketing.ts). Every part merges (counts
 * and sums add, extremes and the latest total compare), so a day may be archived in several steps. Sums are in
 * thousandths, exact like the stored values (numeric(10,3)).
 */
export interface Stats {
  count: number;
  sumMilli: number;
  min: number;
  max: number;
}

export interface Totals extends Stats {
  /** The latest daily total and its timestamp. */
  latest: number;
  latestAt: number;
}

export interface DayAggregate {
  intraday: Stats | null;
  totals: Totals | null;
}

const mergeStats = (a: Stats, b: Stats): Stats => ({
  count: a.count + b.count,
  sumMilli: a.sumMilli + b.sumMilli,
  min: Math.min(a.min, b.min),
  max: Math.max(a.max, b.max),
});

function mergeTotals(a: Totals, b: Totals): Totals {
  const later = b.latestAt >= a.latestAt ? b : a;
  return { ...mergeStats(a, b), latest: later.latest, latestAt: later.latestAt };
}

const either = <T>(a: T | null, b: T | null, merge: (x: T, y: T) => T): T | null =>
  a && b ? merge(a, b) : (a ?? b);

export const mergeDays = (a: DayAggregate, b: DayAggregate): DayAggregate => ({
  intraday: either(a.intraday, b.intraday, mergeStats),
  totals: either(a.totals, b.totals, mergeTotals),
});

const statsOf = (s: Sample): Stats => ({ count: 1, sumMilli: toMilli(s.value), min: s.value, max: s.value });

/** The samples (any order) by UTC day start. */
export function aggregateByDay(samples: readonly Sample[]): Map<number, DayAggregate> {
  const days = new Map<number, DayAggregate>();
  for (const s of samples) {
    const part: DayAggregate =
      s.isDailyTotal === true
        ? { intraday: null, totals: { ...statsOf(s), latest: s.value, latestAt: s.timestamp } }
        : { intraday: statsOf(s), totals: null };
    const day = dayStartOf(s.timestamp);
    const known = days.get(day);
    days.set(day, known ? mergeDays(known, part) : part);
  }
  return days;
}

export const sampleCount = (day: DayAggregate) => (day.intraday?.count ?? 0) + (day.totals?.count ?? 0);

const roundHalfAwayFromZero = (x: number) => Math.sign(x) * Math.round(Math.abs(x)) + 0;

/** The series' aggregation (contract 5.2.1) of some stats, at 3 decimals like data/bucketing.ts. */
export function aggregateValue(stats: Stats, aggregation: SeriesTypeInfo['aggregation']): number {
  if (aggregation === 'sum') return stats.sumMilli / 1000;
  if (aggregation === 'max') return stats.max;
  return roundHalfAwayFromZero(stats.sumMilli / stats.count) / 1000;
}

/**
 * The day as one timeseries value: like a daily bucket of data/bucketing.ts, the intraday samples when there are
 * any, else the daily totals.
 */
export const timeseriesValue = (day: DayAggregate, aggregation: SeriesTypeInfo['aggregation']) =>
  aggregateValue((day.intraday ?? day.totals)!, aggregation);

/** The day's amount of a SUM series as the activity summary counts it: the latest daily total, else the sum. */
export const dailyAmountOf = (day: DayAggregate): number =>
  day.totals ? day.totals.latest : day.intraday!.sumMilli / 1000;
