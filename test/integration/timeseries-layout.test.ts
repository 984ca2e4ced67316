import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeSeries } from '#shared/ingest/persist.js';
import type { Sample } from '#shared/model/health-data.js';
import { encodeChunk } from '#shared/store/chunk-codec.js';
import { db, type Item } from '#shared/store/client.js';
import { purgeDeletedUser } from '#shared/store/erase-user.js';
import { eraseSeries } from '#shared/store/series-erase.js';
import { closeJournal, openJournal, pendingWrite, STALE_JOURNAL_MS } from '#shared/store/series-journal.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { countChunks, listUserSeries } from '#shared/store/series-registry.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';
import { UserGone } from '#shared/store/user-guard.js';
import { tombstoneUser } from '#shared/store/users.js';
import { newUserId } from '#test/helpers/users.js';

/**
 * The layout of issue 12 (series-chunks.ts): day chunks for sparse days, sealed into hour chunks when full; one
 * registry item per source updated once per push (series-journal.ts); data of the hourly layout still readable.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const D0 = Date.UTC(2026, 2, 3);
const SOURCE = '0123456789abcdef';
const MIDDLEWARE = 'test-layout-fault';

afterEach(() => {
  db().doc.middlewareStack.remove(MIDDLEWARE);
  vi.useRealTimers();
});

const at = (timestamp: number, value: number): Sample => ({
  timestamp,
  value,
  zoneOffset: '+01:00',
  isDailyTotal: null,
});
const every = (from: number, count: number, step: number, value = (i: number) => 60 + (i % 17)) =>
  Array.from({ length: count }, (_, i) => at(from + i * step, value(i)));

async function chunks(userId: string): Promise<Item[]> {
  const { doc, table } = db();
  const out = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': `TS#${userId}#heart_rate` },
    }),
  );
  return out.Items ?? [];
}

const readDay = async (userId: string, from = D0, to = D0 + DAY) =>
  (await readSeriesSamples(userId, 'heart_rate', from, to)).sources[0]?.samples ?? [];
const countOf = async (userId: string) =>
  (await listUserSeries(userId)).find((e) => e.series === 'heart_rate')?.count;
/** Samples the chunks hold: the registry counts the samples of a series' open day only once it moves on. */
const chunkCount = async (userId: string) =>
  (await countChunks({ userId, series: 'heart_rate', sourceKey: SOURCE })).count;
const push = (userId: string, samples: Sample[]) =>
  writeSeries(userId, [{ series: 'heart_rate', key: SOURCE, samples }]);

describe('time-series layout', () => {
  it('keeps a sparse day in one day chunk, read back whole or by any window', async () => {
    const userId = await newUserId();
    const samples = every(D0, 288, 5 * 60_000);
    for (let h = 0; h < 24; h++) await push(userId, samples.slice(h * 12, h * 12 + 12));

    const items = await chunks(userId);
    expect(items.map((i) => i.SK)).toEqual([`${D0 / 1000}#${SOURCE}#d`]);
    expect(await readDay(userId)).toEqual(samples);
    const window = [D0 + 10 * HOUR + 60_000, D0 + 13 * HOUR];
    expect(await readDay(userId, window[0], window[1])).toEqual(
      samples.filter((s) => s.timestamp >= window[0]! && s.timestamp < window[1]!),
    );
    expect(await chunkCount(userId)).toBe(288);
    const read = await readSeriesSamples(userId, 'heart_rate', D0, D0 + DAY);
    expect(read.consumedRcu).toBeLessThan(10);
  });

  it('seals a day that fills up and continues in hour chunks, each sample in exactly one item', async () => {
    const userId = await newUserId();
    const samples = every(D0 + 6 * HOUR, 12 * 360, 10_000, (i) => (i * 7) % 23);
    for (let i = 0; i < samples.length; i += 90) await push(userId, samples.slice(i, i + 90));

    const items = await chunks(userId);
    const day = items.find((i) => (i.SK as string).endsWith('#d'))!;
    const hours = items.filter((i) => i !== day);
    expect(day.s).toBeGreaterThan(D0 + 6 * HOUR);
    expect(hours.length).toBeGreaterThan(0);
    for (const hour of hours) expect(hour.f as number).toBeGreaterThanOrEqual(day.s as number);
    expect((day.l as number) < (day.s as number)).toBe(true);
    expect(items.reduce((n, i) => n + (i.n as number), 0)).toBe(samples.length);
    expect(await readDay(userId)).toEqual(samples);
    expect(await chunkCount(userId)).toBe(samples.length);
  });

  it('reads data of the hourly layout and keeps extending such a day in hour chunks', async () => {
    const userId = await newUserId();
    const { doc, table } = db();
    const legacy = every(D0 + 8 * HOUR, 60, 60_000);
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          PK: `TS#${userId}#heart_rate`,
          SK: `${(D0 + 8 * HOUR) / 1000}#${SOURCE}`,
          d: encodeChunk(D0 + 8 * HOUR, legacy),
          n: 60,
          v: 1,
          f: legacy[0]!.timestamp,
          l: legacy.at(-1)!.timestamp,
        },
      }),
    );
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          PK: `USER#${userId}`,
          SK: `SERIES#heart_rate#${SOURCE}`,
          series: 'heart_rate',
          source_key: SOURCE,
          count: 60,
          first: legacy[0]!.timestamp,
          last: legacy.at(-1)!.timestamp,
        },
      }),
    );
    const later = every(D0 + 10 * HOUR, 6, 600_000);
    await push(userId, [...legacy.slice(0, 5), ...later]);

    expect((await chunks(userId)).map((i) => i.SK)).toEqual([
      `${(D0 + 8 * HOUR) / 1000}#${SOURCE}`,
      `${(D0 + 10 * HOUR) / 1000}#${SOURCE}`,
    ]);
    expect(await readDay(userId)).toEqual([...legacy, ...later]);
    expect(await listUserSeries(userId)).toEqual([
      {
        series: 'heart_rate',
        sourceKey: SOURCE,
        count: 66,
        first: legacy[0]!.timestamp,
        last: D0 + DAY - 1,
        open: { day: D0, counted: 6 },
      },
    ]);
  });

  it('converges to the last value per timestamp whatever the order, duplication or retry of pushes', async () => {
    const pool = every(D0 + 20 * HOUR, 240, 60_000);
    const pushes = fc.array(
      fc.record({
        picks: fc.uniqueArray(fc.integer({ min: 0, max: pool.length - 1 }), { minLength: 1, maxLength: 80 }),
        bump: fc.integer({ min: 0, max: 2 }),
        twice: fc.boolean(),
      }),
      { minLength: 1, maxLength: 5 },
    );
    await fc.assert(
      fc.asyncProperty(pushes, async (list) => {
        const userId = await newUserId();
        const expected = new Map<number, Sample>();
        for (const { picks, bump, twice } of list) {
          const samples = picks.map((i) => ({ ...pool[i]!, value: pool[i]!.value + bump }));
          await push(userId, samples);
          if (twice) await push(userId, [...samples].reverse());
          for (const s of samples) expected.set(s.timestamp, s);
        }
        const want = [...expected.values()].sort((a, b) => a.timestamp - b.timestamp);
        expect(await readSeriesSamples(userId, 'heart_rate', 0, D0 + 3 * DAY)).toMatchObject({
          sources: [{ sourceKey: SOURCE, samples: want }],
        });
        expect(await chunkCount(userId)).toBe(want.length);
        expect(await countOf(userId)).toBeLessThanOrEqual(want.length);
        const again = await writeSeriesSamples(userId, SOURCE, 'heart_rate', want);
        expect(again).toMatchObject({ newSamples: 0, changedSamples: 0, itemsWritten: 0, consumedWcu: 0 });
      }),
      { numRuns: 12 },
    );
  });

  it('a push that dies after sealing a day but before its hour chunks loses nothing once retried', async () => {
    const userId = await newUserId();
    const samples = every(D0 + 3 * HOUR, 4 * 360, 10_000, (i) => (i * 11) % 31);
    db().doc.middlewareStack.add(
      (next, context) => async (args) => {
        const sk = ((args.input as { Item?: Item }).Item?.SK as string | undefined) ?? '';
        if ((context.commandName ?? '').startsWith('Put') && sk.startsWith('1') && !sk.endsWith('#d')) {
          throw new Error('process killed');
        }
        return next(args);
      },
      { step: 'initialize', name: MIDDLEWARE },
    );
    await expect(push(userId, samples)).rejects.toThrow('process killed');
    db().doc.middlewareStack.remove(MIDDLEWARE);
    expect((await chunks(userId)).map((i) => i.SK)).toEqual([`${D0 / 1000}#${SOURCE}#d`]);

    await push(userId, samples);
    expect(await readDay(userId)).toEqual(samples);
    // The samples the dead push stored were not counted by the retry; the next write after any writer's lifetime
    // recounts them.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + STALE_JOURNAL_MS + 60_000);
    await push(userId, [at(D0 + DAY + HOUR, 70)]);
    expect(await countOf(userId)).toBe(samples.length + 1);
  });

  it('erases every item of the layout, and a writer that outlives the erasure gets UserGone', async () => {
    const userId = await newUserId();
    await push(userId, every(D0, 300, 5 * 60_000));
    await push(userId, every(D0 + DAY + 6 * HOUR, 3 * 360, 10_000));
    const journal = await openJournal(userId, [
      { series: 'heart_rate', sourceKey: SOURCE, first: D0 + 2 * DAY, last: D0 + 2 * DAY + 9 * 60_000 },
    ]);
    // Marked before erasure: about to write its first chunk.
    await pendingWrite(userId, 'heart_rate', SOURCE)!.prepare();

    await tombstoneUser(userId);
    expect(await eraseSeries(userId, Date.now() + 60_000)).toBe('done');
    expect(await chunks(userId)).toEqual([]);
    expect(await listUserSeries(userId)).toEqual([]);

    // The writer's chunks land after erasure's scan; its registry update finds the registry gone.
    await writeSeriesSamples(userId, SOURCE, 'heart_rate', every(D0 + 2 * DAY, 10, 60_000));
    await expect(closeJournal(journal)).rejects.toBeInstanceOf(UserGone);
    await purgeDeletedUser(userId);
    expect(await chunks(userId)).toEqual([]);
    await expect(push(userId, every(D0, 5, 60_000))).rejects.toBeInstanceOf(UserGone);
    expect(await chunks(userId)).toEqual([]);
  });
});
