import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateByDay, dailyAmountOf, mergeDays, timeseriesValue } from '#shared/archival/day-aggregate.js';
import { bucketSamples } from '#shared/data/bucketing.js';
import { dailyAmount } from '#shared/data/summaries/activity.js';
import type { Sample } from '#shared/model/health-data.js';
import { decodeMonth, encodeMonth } from '#shared/store/archive-codec.js';
import { DAY_MS } from '#shared/store/series-layout.js';

const DAY = Date.UTC(2025, 2, 10);

/** Samples within `spanMs` of a UTC day start: values at 3 decimals, unique timestamps, some daily totals. */
const samplesWithin = (spanMs: number) =>
  fc
    .uniqueArray(
      fc.record({
        offset: fc.integer({ min: 0, max: spanMs - 1 }),
        milli: fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
        total: fc.boolean(),
      }),
      { minLength: 1, maxLength: 60, selector: (s) => s.offset },
    )
    .map((list) =>
      list.map(
        (s): Sample => ({
          timestamp: DAY + s.offset,
          value: s.milli / 1000,
          zoneOffset: null,
          isDailyTotal: s.total,
        }),
      ),
    );
const dayOfSamples = samplesWithin(DAY_MS);

describe('archived day aggregates', () => {
  it('aggregating in parts and merging equals aggregating at once, in any split', () => {
    fc.assert(
      fc.property(dayOfSamples, fc.nat(), (samples, cut) => {
        const at = cut % (samples.length + 1);
        const whole = aggregateByDay(samples).get(DAY)!;
        const [a, b] = [
          aggregateByDay(samples.slice(0, at)).get(DAY),
          aggregateByDay(samples.slice(at)).get(DAY),
        ];
        const merged = a && b ? mergeDays(a, b) : (a ?? b)!;
        expect(merged).toEqual(whole);
      }),
    );
  });

  it('gives the readers what the raw samples gave them', () => {
    fc.assert(
      // Within one hour, so that a `1hour` bucket of the raw samples is the whole day.
      fc.property(
        samplesWithin(3_600_000),
        fc.constantFrom('sum', 'avg', 'max') as fc.Arbitrary<'sum' | 'avg' | 'max'>,
        (samples, aggregation) => {
          const day = aggregateByDay(samples).get(DAY)!;
          const sorted = [...samples].sort((x, y) => x.timestamp - y.timestamp);
          const intraday = sorted.filter((s) => !s.isDailyTotal);
          const members = intraday.length > 0 ? intraday : sorted;
          const hourly = bucketSamples(members, '1hour', aggregation);
          expect(timeseriesValue(day, aggregation)).toBe(hourly[0]!.value);
          expect(dailyAmountOf(day)).toBeCloseTo(dailyAmount(sorted)!, 6);
        },
      ),
    );
  });

  it('a month of days survives encoding', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 31 }), { maxLength: 31 }),
        dayOfSamples,
        (days, samples) => {
          const aggregate = aggregateByDay(samples).get(DAY)!;
          const month = new Map(days.map((d) => [d, aggregate]));
          expect(decodeMonth(encodeMonth(month))).toEqual(month);
        },
      ),
    );
  });
});
