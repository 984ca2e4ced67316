import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Aggregation, bucketSamples, RESOLUTIONS } from '#shared/data/bucketing.js';
import type { Sample } from '#shared/model/health-data.js';

const WIDTH_MS = { '1min': 60_000, '5min': 300_000, '15min': 900_000, '1hour': 3_600_000 };
const AGGREGATIONS: Aggregation[] = ['sum', 'avg', 'max'];
const T0 = Date.UTC(2025, 2, 30, 22);

/** Sorted, unique timestamps over four hours (negative values and mixed flags included), as the store returns. */
const samplesArbitrary = fc
  .uniqueArray(
    fc.record({
      timestamp: fc.integer({ min: T0, max: T0 + 4 * 3_600_000 }),
      value: fc.integer({ min: -5_000_000, max: 5_000_000 }).map((milli) => milli / 1000),
      zoneOffset: fc.constantFrom(null, '+01:00', '+02:00'),
      isDailyTotal: fc.constantFrom(null, false, true),
    }),
    { selector: (s) => s.timestamp, maxLength: 300 },
  )
  .map((samples) => samples.sort((a, b) => a.timestamp - b.timestamp));

/** Bucket by bucket, straight from the definition. */
function reference(samples: Sample[], width: number, aggregation: Aggregation): Sample[] {
  const starts = [...new Set(samples.map((s) => s.timestamp - (s.timestamp % width)))].sort((a, b) => a - b);
  return starts.map((start) => {
    const inBucket = samples.filter((s) => s.timestamp >= start && s.timestamp < start + width);
    const intraday = inBucket.filter((s) => !s.isDailyTotal);
    const chosen = intraday.length > 0 ? intraday : inBucket;
    const milli = chosen.map((s) => Math.round(s.value * 1000));
    const sum = milli.reduce((a, b) => a + b, 0);
    const mean = sum / milli.length;
    const value = { sum, max: Math.max(...milli), avg: Math.sign(mean) * Math.round(Math.abs(mean)) + 0 }[
      aggregation
    ];
    return {
      timestamp: start,
      value: value / 1000,
      zoneOffset: chosen[0]!.zoneOffset,
      isDailyTotal: chosen[0]!.isDailyTotal,
    };
  });
}

const sample = (timestamp: number, value: number, isDailyTotal: boolean | null): Sample => ({
  timestamp,
  value,
  zoneOffset: '+00:00',
  isDailyTotal,
});

describe('bucketSamples', () => {
  it('matches the reference for every resolution and aggregation', () => {
    fc.assert(
      fc.property(
        samplesArbitrary,
        fc.constantFrom(...RESOLUTIONS.filter((r) => r !== 'raw')),
        fc.constantFrom(...AGGREGATIONS),
        (samples, resolution, aggregation) => {
          expect(bucketSamples(samples, resolution, aggregation)).toEqual(
            reference(samples, WIDTH_MS[resolution], aggregation),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('returns raw samples unchanged', () => {
    fc.assert(
      fc.property(samplesArbitrary, fc.constantFrom(...AGGREGATIONS), (samples, aggregation) => {
        expect(bucketSamples(samples, 'raw', aggregation)).toEqual(samples);
      }),
    );
  });

  it('prefers intraday samples over a daily total in the same bucket, and flags total-only buckets', () => {
    const midnight = Date.UTC(2025, 0, 2);
    const steps = [
      sample(midnight - 86_400_000, 9000, true),
      sample(midnight, 12000, true),
      sample(midnight + 60_000, 40, false),
      sample(midnight + 120_000, 60, false),
    ];
    expect(bucketSamples(steps, '1hour', 'sum')).toEqual([
      sample(midnight - 86_400_000, 9000, true),
      sample(midnight, 100, false),
    ]);
  });

  it('averages and sums exactly at 3 decimals', () => {
    const values = [0.1, 0.2, 0.2].map((v, i) => sample(i * 1000, v, null));
    expect(bucketSamples(values, '1min', 'sum')[0]!.value).toBe(0.5);
    expect(bucketSamples(values, '1min', 'avg')[0]!.value).toBe(0.167);
    expect(bucketSamples(values, '1min', 'max')[0]!.value).toBe(0.2);
  });
});
