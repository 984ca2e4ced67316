import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CHARS, packEvents } from '#shared/delivery/emit.js';
import {
  chunkBySize,
  SERIES_CHUNK_MAX_BYTES,
  SERIES_CHUNK_MAX_SAMPLES,
  seriesEvents,
} from '#shared/delivery/payloads-series.js';
import { type DomainEvent, eventsJob } from '#shared/delivery/types.js';
import type { SeriesSamples } from '#shared/model/health-data.js';
import { sourceRef } from '#test/helpers/health-data.js';

const USER = '5b0c3a52-8a4f-4c1e-9d3b-2f6e7a8b9c0d';
const T0 = Date.UTC(2026, 0, 1);

/** `count` heart-rate samples one second apart, from a device whose model name is `deviceLength` long. */
function batch(count: number, deviceLength: number, seed: number): SeriesSamples[] {
  const source = sourceRef('apple', 'W'.repeat(deviceLength) || null);
  return [
    {
      source,
      series: 'heart_rate',
      samples: Array.from({ length: count }, (_, i) => ({
        timestamp: T0 + i * 1000,
        value: 40 + ((i * 7919 + seed) % 160) + 0.25,
        zoneOffset: i % 2 ? '+01:00' : null,
        isDailyTotal: null,
      })),
    },
  ];
}

const groupEvents = (events: DomainEvent[]) => events.filter((e) => e.type === 'heart_rate.created');

describe('series chunking', () => {
  it('chunkBySize: consecutive chunks covering every item once, in order, within both bounds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(500), { maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 2_000 }),
        (sizes, maxCount, maxBytes) => {
          const items = sizes.map((size, index) => ({ size, index }));
          const chunks = chunkBySize(items, (i) => i.size, maxCount, maxBytes);
          expect(chunks.flat()).toEqual(items);
          for (const chunk of chunks) {
            expect(chunk.length).toBeGreaterThan(0);
            expect(chunk.length).toBeLessThanOrEqual(maxCount);
            const bytes = chunk.reduce((n, i) => n + i.size + 1, 0);
            if (chunk.length > 1) expect(bytes).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
    );
  });

  it('series events: any number of samples -> chunks covering all samples once, in order, each within bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4_500 }),
        fc.integer({ min: 0, max: 400 }),
        fc.nat(1_000),
        (count, deviceLength, seed) => {
          const input = batch(count, deviceLength, seed);
          const events = seriesEvents(USER, input);
          const groups = groupEvents(events);
          expect(events).toHaveLength(groups.length * 2);
          const samples = groups.flatMap(
            (e) => e.data.samples as Array<{ timestamp: string; value: number }>,
          );
          expect(samples.map((s) => s.value)).toEqual(input[0]!.samples.map((s) => s.value));
          expect(samples.map((s) => Date.parse(s.timestamp))).toEqual(
            input[0]!.samples.map((s) => s.timestamp),
          );
          for (const [index, event] of groups.entries()) {
            const data = event.data as { samples: unknown[]; sample_count: number };
            expect(data.samples.length).toBeLessThanOrEqual(SERIES_CHUNK_MAX_SAMPLES);
            expect(data.sample_count).toBe(data.samples.length);
            expect(Buffer.byteLength(JSON.stringify(data))).toBeLessThanOrEqual(SERIES_CHUNK_MAX_BYTES);
            if (groups.length > 1)
              expect(data).toMatchObject({ chunk_index: index, total_chunks: groups.length });
            else expect(data).not.toHaveProperty('chunk_index');
          }
          const ids = events.map((e) => e.id);
          expect(new Set(ids).size).toBe(ids.length);
          expect(seriesEvents(USER, batch(count, deviceLength, seed)).map((e) => e.id)).toEqual(ids);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('splits by size before count when samples are large, by count when they are small', () => {
    expect(groupEvents(seriesEvents(USER, batch(2_500, 0, 1))).map((e) => e.data.sample_count)).toEqual([
      1000, 1000, 500,
    ]);
    const large = groupEvents(seriesEvents(USER, batch(1_000, 400, 1)));
    expect(large.length).toBeGreaterThan(1);
    expect(large.every((e) => (e.data.sample_count as number) < 1000)).toBe(true);
  });
});

describe('events messages', () => {
  const unpack = (body: string) =>
    JSON.parse(
      gunzipSync(Buffer.from(eventsJob.parse(JSON.parse(body)).gz, 'base64')).toString(),
    ) as DomainEvent[];

  it('pack any events into bounded messages that unpack to the same events, in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6_000 }),
        fc.integer({ min: 0, max: 300 }),
        (count, deviceLength) => {
          const events = count === 0 ? [] : seriesEvents(USER, batch(count, deviceLength, count));
          const bodies = packEvents(events);
          for (const body of bodies) expect(body.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS + 16);
          expect(bodies.flatMap(unpack)).toEqual(events);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('refuses an event that cannot fit one message rather than truncating it', () => {
    const blob = randomBytes(300_000).toString('base64');
    const huge: DomainEvent = {
      id: 'x',
      type: 'workout.created',
      userId: null,
      timestamp: '',
      data: { blob },
    };
    expect(() => packEvents([huge])).toThrow(/does not fit/);
  });
});
