import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Sample } from '#shared/model/health-data.js';
import { db } from '#shared/store/client.js';
import { itemSize } from '#shared/store/item-size.js';
import { deleteUserSeries } from '#shared/store/series-erase.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { listUserSeries } from '#shared/store/series-registry.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';
import { newUserId } from '#test/helpers/users.js';

/** The registry's newest bound: the end of the UTC day of the newest sample (series-registry.ts). */
const endOfDay = (t: number) => Math.floor(t / 86_400_000) * 86_400_000 + 86_399_999;
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 5, 1, 8);
const SOURCE = 'a1b2c3d4e5f60718';
const OTHER_SOURCE = 'ffeeddccbbaa9988';

const hr = (timestamp: number, value: number, zoneOffset: string | null = '+02:00'): Sample => ({
  timestamp,
  value,
  zoneOffset,
  isDailyTotal: null,
});

const everySecond = (from: number, count: number, step = 1000) =>
  Array.from({ length: count }, (_, i) => hr(from + i * step, 60 + ((i * 13) % 90) + (i % 7) / 10));

const readAll = async (userId: string, sourceKey = SOURCE) =>
  (await readSeriesSamples(userId, 'heart_rate', 0, T0 + 1000 * HOUR, { sourceKey })).sources[0]?.samples ??
  [];

afterEach(() => vi.restoreAllMocks());

describe('time-series store', () => {
  it('writes a dense hour into an hour chunk (the day chunk records the seal) and reads back the requested range', async () => {
    const userId = await newUserId();
    const samples = everySecond(T0 + 10_000, 600, 5000);
    const result = await writeSeriesSamples(userId, SOURCE, 'heart_rate', samples);
    expect(result).toMatchObject({ received: 600, newSamples: 600, changedSamples: 0, itemsWritten: 2 });
    expect(result.consumedWcu).toBeGreaterThan(0);

    expect(await readAll(userId)).toEqual(samples);
    const window = await readSeriesSamples(userId, 'heart_rate', T0 + 60_000, T0 + 120_000);
    expect(window.sources).toEqual([
      {
        sourceKey: SOURCE,
        samples: samples.filter((s) => s.timestamp >= T0 + 60_000 && s.timestamp < T0 + 120_000),
      },
    ]);
    expect(window.consumedRcu).toBeGreaterThan(0);
    expect((await readSeriesSamples(userId, 'heart_rate', T0 + HOUR, T0 + 2 * HOUR)).sources).toEqual([]);
  });

  it('upserts: a new value on the same timestamp overwrites, values are kept at 3 decimals', async () => {
    const userId = await newUserId();
    await writeSeriesSamples(userId, SOURCE, 'heart_rate', [hr(T0, 70), hr(T0 + 1000, 71)]);
    const result = await writeSeriesSamples(userId, SOURCE, 'heart_rate', [
      hr(T0 + 1000, 75.12345),
      hr(T0 + 2000, 72),
    ]);
    expect(result).toMatchObject({ newSamples: 1, changedSamples: 1, itemsWritten: 1 });
    expect(await readAll(userId)).toEqual([hr(T0, 70), hr(T0 + 1000, 75.123), hr(T0 + 2000, 72)]);
    expect((await listUserSeries(userId))[0]).toMatchObject({ count: 3, first: T0, last: endOfDay(T0) });
  });

  it('widens the registry bounds for appends and backfills, an append costing one chunk and one registry write', async () => {
    const userId = await newUserId();
    await writeSeriesSamples(userId, SOURCE, 'heart_rate', [hr(T0 + HOUR, 60)]);
    const append = await writeSeriesSamples(userId, SOURCE, 'heart_rate', [hr(T0 + 2 * HOUR, 61)]);
    expect(append.consumedWcu).toBe(2);
    await writeSeriesSamples(userId, SOURCE, 'heart_rate', [hr(T0 - HOUR, 59), hr(T0, 58)]);
    expect(await listUserSeries(userId)).toEqual([
      {
        series: 'heart_rate',
        sourceKey: SOURCE,
        count: 4,
        first: T0 - HOUR,
        last: endOfDay(T0 + 2 * HOUR),
        open: { day: endOfDay(T0) + 1 - 86_400_000, counted: 4 },
      },
    ]);
  });

  it('re-pushing identical data writes nothing and costs reads only', async () => {
    const userId = await newUserId();
    const samples = everySecond(T0 - HOUR / 2, 3 * 360, 5000);
    expect((await writeSeriesSamples(userId, SOURCE, 'heart_rate', samples)).itemsWritten).toBeGreaterThan(1);
    const again = await writeSeriesSamples(userId, SOURCE, 'heart_rate', [...samples].reverse());
    expect(again).toMatchObject({ newSamples: 0, changedSamples: 0, itemsWritten: 0, consumedWcu: 0 });
    expect(again.consumedRcu).toBeGreaterThan(0);
    expect((await listUserSeries(userId))[0]!.count).toBe(samples.length);
  });

  it('keeps two sources of one series apart', async () => {
    const userId = await newUserId();
    await writeSeriesSamples(userId, SOURCE, 'heart_rate', [hr(T0, 60), hr(T0 + 1000, 61)]);
    await writeSeriesSamples(userId, OTHER_SOURCE, 'heart_rate', [hr(T0, 90)]);
    const { sources } = await readSeriesSamples(userId, 'heart_rate', T0, T0 + HOUR);
    expect(sources).toEqual([
      { sourceKey: SOURCE, samples: [hr(T0, 60), hr(T0 + 1000, 61)] },
      { sourceKey: OTHER_SOURCE, samples: [hr(T0, 90)] },
    ]);
    expect(await readAll(userId, OTHER_SOURCE)).toEqual([hr(T0, 90)]);
    expect((await listUserSeries(userId)).map((e) => [e.sourceKey, e.count]).sort()).toEqual([
      [SOURCE, 2],
      [OTHER_SOURCE, 1],
    ]);
  });

  it('ten concurrent writers to one hour lose nothing and duplicate nothing', async () => {
    const userId = await newUserId();
    const shared = everySecond(T0, 100);
    const writers = Array.from({ length: 10 }, (_, w) => [
      ...shared,
      ...everySecond(T0 + 200_000 + w * 100_000, 50),
    ]);
    const results = await Promise.all(
      writers.map((s) => writeSeriesSamples(userId, SOURCE, 'heart_rate', s)),
    );

    const expected = new Map(writers.flat().map((s) => [s.timestamp, s]));
    expect(await readAll(userId)).toEqual([...expected.values()].sort((a, b) => a.timestamp - b.timestamp));
    expect(results.reduce((n, r) => n + r.newSamples, 0)).toBe(expected.size);
    expect(results.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThan(0);
    expect(await listUserSeries(userId)).toEqual([
      {
        series: 'heart_rate',
        sourceKey: SOURCE,
        count: expected.size,
        first: T0,
        last: endOfDay(T0),
        open: { day: endOfDay(T0) + 1 - 86_400_000, counted: expected.size },
      },
    ]);
  });

  it('retries when another writer changes the chunk between read and write', async () => {
    const userId = await newUserId();
    await writeSeriesSamples(userId, SOURCE, 'heart_rate', [hr(T0, 60)]);
    const { doc } = db();
    const send = doc.send.bind(doc);
    let interfered = false;
    vi.spyOn(doc, 'send').mockImplementation((async (command: unknown) => {
      if (command instanceof PutCommand && !interfered) {
        interfered = true;
        await writeSeriesSamples(userId, SOURCE, 'heart_rate', [hr(T0 + 1000, 61)]);
      }
      return send(command as PutCommand);
    }) as never);

    const result = await writeSeriesSamples(userId, SOURCE, 'heart_rate', [hr(T0 + 2000, 62)]);
    expect(result).toMatchObject({ conflicts: 1, newSamples: 1, itemsWritten: 1 });
    expect(await readAll(userId)).toEqual([hr(T0, 60), hr(T0 + 1000, 61), hr(T0 + 2000, 62)]);
    expect((await listUserSeries(userId))[0]!.count).toBe(3);
  });

  it('keeps the densest realistic hour (1 Hz, millisecond jitter, mixed offsets) far below 400 KB', async () => {
    const userId = await newUserId();
    const samples = everySecond(T0, 3600).map((s, i) => ({
      ...s,
      timestamp: s.timestamp + ((i * 37) % 200),
      zoneOffset: i < 1800 ? '+01:00' : '+02:00',
    }));
    await writeSeriesSamples(userId, SOURCE, 'heart_rate', samples);
    const { doc, table } = db();
    const chunks = await doc.send(
      new GetCommand({
        TableName: table,
        Key: { PK: `TS#${userId}#heart_rate`, SK: `${T0 / 1000}#${SOURCE}` },
      }),
    );
    expect(itemSize(chunks.Item!)).toBeLessThan(40_000);
    expect(await readAll(userId)).toEqual(samples);
  });

  it('deletes a source, a series or everything, idempotently (chunks and registry entries counted)', async () => {
    const userId = await newUserId();
    const samples = everySecond(T0, 30, 10 * 60_000);
    await writeSeriesSamples(userId, SOURCE, 'heart_rate', samples);
    await writeSeriesSamples(userId, OTHER_SOURCE, 'heart_rate', samples);
    await writeSeriesSamples(userId, SOURCE, 'steps', [{ ...hr(T0, 100), isDailyTotal: false }]);

    // Five hours of 10-minute samples: one day chunk.
    expect(await deleteUserSeries(userId, 'heart_rate', OTHER_SOURCE)).toBe(1 + 1);
    expect(await readAll(userId, OTHER_SOURCE)).toEqual([]);
    expect(await readAll(userId)).toEqual(samples);

    expect(await deleteUserSeries(userId)).toBe(1 + 1 + 1 + 1);
    expect(await deleteUserSeries(userId)).toBe(0);
    expect(await listUserSeries(userId)).toEqual([]);
    expect((await readSeriesSamples(userId, 'steps', 0, T0 + HOUR)).sources).toEqual([]);
    expect(await readAll(userId)).toEqual([]);
  });
});
