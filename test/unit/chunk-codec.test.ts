import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Sample } from '#shared/model/health-data.js';
import { decodeChunk, encodeChunk, roundValue, toMilli } from '#shared/store/chunk-codec.js';

const HOUR = 3_600_000;
const MAX_MILLI = 9_999_999_999;

const sample = (
  offsetMs: number,
  milli: number,
  zoneOffset: string | null,
  isDailyTotal: boolean | null,
) => ({
  offsetMs,
  milli,
  zoneOffset,
  isDailyTotal,
});

const chunkArbitrary = fc.record({
  bucketStartMs: fc.integer({ min: 0, max: 10_000_000 }).map((hour) => hour * HOUR),
  entries: fc.uniqueArray(
    fc
      .tuple(
        fc.integer({ min: 0, max: HOUR - 1 }),
        fc.integer({ min: -MAX_MILLI, max: MAX_MILLI }),
        fc.constantFrom(null, '+00:00', '-05:00', '+05:30'),
        fc.constantFrom(null, false, true),
      )
      .map((args) => sample(...args)),
    { selector: (e) => e.offsetMs, maxLength: 400 },
  ),
});

function toSamples(bucketStartMs: number, entries: Array<ReturnType<typeof sample>>): Sample[] {
  return entries
    .map((e) => ({
      timestamp: bucketStartMs + e.offsetMs,
      value: e.milli / 1000,
      zoneOffset: e.zoneOffset,
      isDailyTotal: e.isDailyTotal,
    }))
    .sort((a, b) => a.timestamp - b.timestamp);
}

describe('chunk codec', () => {
  it('round-trips any sorted, unique chunk exactly at 3 decimals', () => {
    fc.assert(
      fc.property(chunkArbitrary, ({ bucketStartMs, entries }) => {
        const samples = toSamples(bucketStartMs, entries);
        expect(decodeChunk(bucketStartMs, encodeChunk(bucketStartMs, samples))).toEqual(samples);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips regular series with constant offset and flag (the compact path)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3600 }),
        fc.array(fc.integer({ min: 30, max: 220 }), { minLength: 1, maxLength: 60 }),
        fc.constantFrom(null, '+02:00'),
        (stepSeconds, bpm, zoneOffset) => {
          const samples = bpm.slice(0, Math.floor(HOUR / 1000 / stepSeconds)).map((value, i) => ({
            timestamp: HOUR + i * stepSeconds * 1000,
            value,
            zoneOffset,
            isDailyTotal: null,
          }));
          expect(decodeChunk(HOUR, encodeChunk(HOUR, samples))).toEqual(samples);
        },
      ),
    );
  });

  it('rounds values to 3 decimals, half away from zero, as the decimal reads', () => {
    expect(roundValue(1.0005)).toBe(1.001);
    expect(roundValue(-1.0005)).toBe(-1.001);
    expect(roundValue(72.12345)).toBe(72.123);
    expect(roundValue(9_999_999.999)).toBe(9_999_999.999);
    expect(roundValue(1e-7)).toBe(0);
    expect(Object.is(roundValue(-0.0001), 0)).toBe(true);
    expect(() => toMilli(Number.NaN)).toThrow(RangeError);
  });

  it('stores an hour of 1-minute integer heart rate in about two bytes per sample', () => {
    const samples = Array.from({ length: 60 }, (_, i) => ({
      timestamp: HOUR + i * 60_000,
      value: 60 + ((i * 7) % 15),
      zoneOffset: '+01:00',
      isDailyTotal: null,
    }));
    expect(encodeChunk(HOUR, samples).length).toBeLessThanOrEqual(2 * samples.length + 20);
  });

  it('refuses unsorted, duplicate or earlier-than-bucket samples', () => {
    const at = (timestamp: number) => ({ timestamp, value: 1, zoneOffset: null, isDailyTotal: null });
    expect(() => encodeChunk(HOUR, [at(HOUR + 2), at(HOUR + 1)])).toThrow(RangeError);
    expect(() => encodeChunk(HOUR, [at(HOUR + 1), at(HOUR + 1)])).toThrow(RangeError);
    expect(() => encodeChunk(HOUR, [at(HOUR - 1)])).toThrow(RangeError);
  });

  it('refuses truncated input and unknown format versions', () => {
    const bytes = encodeChunk(0, [
      { timestamp: 5, value: 123.456, zoneOffset: '+00:00', isDailyTotal: true },
    ]);
    expect(() => decodeChunk(0, bytes.subarray(0, bytes.length - 3))).toThrow(RangeError);
    expect(() => decodeChunk(0, Uint8Array.of(9, 0))).toThrow(/version/);
  });
});
