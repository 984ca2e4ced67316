import type { Sample } from '#shared/model/health-data.js';
import type { SeriesTypeInfo } from '#shared/model/series.js';
import { toMilli } from '#shared/store/chunk-codec.js';

export const RESOLUTIONS = ['raw', '1min', '5min', '15min', '1hour'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export type Aggregation = SeriesTypeInfo['aggregation'];

const BUCKET_MS: Record<Exclude<Resolution, 'raw'>, number> = {
  '1min': 60_000,
  '5min': 300_000,
  '15min': 900_000,
  '1hour': 3_600_000,
};

const total = (milli: number[]) => milli.reduce((a, b) => a + b, 0);
const roundHalfAwayFromZero = (x: number) => Math.sign(x) * Math.round(Math.abs(x)) + 0;

/** Computed in thousandths, so results are exact at 3 decimals like the stored values (numeric(10,3)). */
const AGGREGATE: Record<Aggregation, (milli: number[]) => number> = {
  sum: total,
  avg: (milli) => roundHalfAwayFromZero(total(milli) / milli.length),
  max: (milli) => milli.reduce((a, b) => Math.max(a, b)),
};

/**
 * One sample per non-empty bucket aligned to the UTC epoch, stamped with the bucket start, the series'
 * aggregation of the values, and the zone offset and daily-total flag of the first aggregated sample.
 * Input: one series of one source, sorted by timestamp (as the store returns it); output is sorted too.
 * `raw` returns the samples unchanged.
 */
export function bucketSamples(
  samples: readonly Sample[],
  resolution: Resolution,
  aggregation: Aggregation,
): readonly Sample[] {
  if (resolution === 'raw') return samples;
  const width = BUCKET_MS[resolution];
  const buckets = new Map<number, Sample[]>();
  for (const sample of samples) {
    const start = Math.floor(sample.timestamp / width) * width;
    const members = buckets.get(start);
    if (members) members.push(sample);
    else buckets.set(start, [sample]);
  }
  return [...buckets].map(([start, members]) => aggregate(start, preferIntraday(members), aggregation));
}

/**
 * A provider's daily total covers the same period as the intraday samples next to it; adding both would count
 * the day twice. A bucket with any intraday sample therefore aggregates only those; a bucket holding only daily
 * totals aggregates them and is flagged as a daily total.
 */
function preferIntraday(members: Sample[]): Sample[] {
  const intraday = members.filter((s) => s.isDailyTotal !== true);
  return intraday.length > 0 ? intraday : members;
}

function aggregate(start: number, members: Sample[], aggregation: Aggregation): Sample {
  const first = members[0]!;
  return {
    timestamp: start,
    value: AGGREGATE[aggregation](members.map((s) => toMilli(s.value))) / 1000,
    zoneOffset: first.zoneOffset,
    isDailyTotal: first.isDailyTotal,
  };
}
