import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeSeries } from '#shared/ingest/persist.js';
import type { Sample } from '#shared/model/health-data.js';
import { db } from '#shared/store/client.js';
import { purgeDeletedUser } from '#shared/store/erase-user.js';
import { countSamplesByChunk } from '#shared/store/series-counts.js';
import { eraseSeries } from '#shared/store/series-erase.js';
import { closeJournal, openJournal, STALE_JOURNAL_MS } from '#shared/store/series-journal.js';
import { countChunks, listUserSeries } from '#shared/store/series-registry.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';
import { UserGone } from '#shared/store/user-guard.js';
import { tombstoneUser } from '#shared/store/users.js';
import { newUserId } from '#test/helpers/users.js';

/**
 * Issue 12: a push whose samples all fall in the open day of series the registry lists does not write the
 * registry (store/series-journal.ts); the open day is counted from its chunks when a later write moves it on.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const D0 = Date.UTC(2026, 9, 5);
const SOURCE = 'fedcba9876543210';
const MIDDLEWARE = 'test-registry-writes';

afterEach(() => {
  db().doc.middlewareStack.remove(MIDDLEWARE);
  vi.useRealTimers();
});

const minutes = (from: number, count: number, step = MIN): Sample[] =>
  Array.from({ length: count }, (_, i) => ({
    timestamp: from + i * step,
    value: 50 + (i % 30),
    zoneOffset: '+02:00',
    isDailyTotal: null,
  }));

const push = (userId: string, hr: Sample[], steps: Sample[] = []) =>
  writeSeries(
    userId,
    [
      { series: 'heart_rate' as const, key: SOURCE, samples: hr },
      { series: 'steps' as const, key: SOURCE, samples: steps },
    ].filter((s) => s.samples.length > 0),
  );

const entry = async (userId: string, series = 'heart_rate') =>
  (await listUserSeries(userId)).find((e) => e.series === series);

/** Counts the writes (Put, Update, Delete, transactions) that touch a series registry item. */
function countRegistryWrites() {
  const writes: string[] = [];
  db().doc.middlewareStack.add(
    (next, context) => async (args) => {
      const text = JSON.stringify(args.input);
      const command = context.commandName ?? '';
      if (!/^(Get|Query|BatchGet)/.test(command) && text.includes('"SERIES#@')) writes.push(command);
      return next(args);
    },
    { step: 'initialize', name: MIDDLEWARE },
  );
  return writes;
}

describe('the open day of a series', () => {
  it('a day of 15-minute pushes writes the registry once; the next day counts it exactly', async () => {
    const userId = await newUserId();
    const writes = countRegistryWrites();
    for (let t = D0; t < D0 + DAY; t += 15 * MIN) {
      await push(userId, minutes(t, 15), minutes(t, 90, 10_000));
    }
    // The first push created the registry (an update finding none, the creation, the counts); the 95 others
    // left it alone.
    expect(writes.length).toBeLessThanOrEqual(3);
    expect((await entry(userId))?.count).toBe(15);

    await push(userId, minutes(D0 + DAY, 3), minutes(D0 + DAY, 5, 10_000));
    expect(await entry(userId)).toMatchObject({ count: 96 * 15 + 3, first: D0, last: D0 + 2 * DAY - 1 });
    expect((await entry(userId, 'steps'))?.count).toBe(96 * 90 + 5);
    for (const series of ['heart_rate', 'steps'] as const) {
      const exact = await countChunks({ userId, series, sourceKey: SOURCE });
      expect((await entry(userId, series))?.count).toBe(exact.count);
    }
  });

  it('readers see the samples of quiet pushes: the newest bound is the end of the open day', async () => {
    const userId = await newUserId();
    await push(userId, minutes(D0 + HOUR, 10));
    await push(userId, minutes(D0 + 20 * HOUR, 10));

    expect((await entry(userId))?.last).toBe(D0 + DAY - 1);
    const counted = await countSamplesByChunk(userId, 'heart_rate', D0 + 19 * HOUR, D0 + DAY);
    expect(counted.reduce((n, c) => n + c.count, 0)).toBe(10);
  });

  it('samples of an earlier day, or of a series not yet listed, write the registry at once', async () => {
    const userId = await newUserId();
    await push(userId, minutes(D0 + DAY, 10));
    await push(userId, minutes(D0 + 5 * HOUR, 4));
    expect(await entry(userId)).toMatchObject({ count: 14, first: D0 + 5 * HOUR });
    await push(userId, minutes(D0 + DAY + HOUR, 2), minutes(D0 + DAY + HOUR, 7, 10_000));
    expect((await entry(userId, 'steps'))?.count).toBe(7);
  });

  it('a quiet writer whose registry was erased meanwhile gets UserGone and leaves nothing', async () => {
    const userId = await newUserId();
    await push(userId, minutes(D0, 10));
    const later = minutes(D0 + 3 * HOUR, 10);
    const journal = await openJournal(userId, [
      { series: 'heart_rate', sourceKey: SOURCE, first: later[0]!.timestamp, last: later.at(-1)!.timestamp },
    ]);

    await tombstoneUser(userId);
    expect(await eraseSeries(userId, Date.now() + 60_000)).toBe('done');
    await writeSeriesSamples(userId, SOURCE, 'heart_rate', later);
    await expect(closeJournal(journal)).rejects.toBeInstanceOf(UserGone);
    await purgeDeletedUser(userId);
    expect((await countChunks({ userId, series: 'heart_rate', sourceKey: SOURCE })).count).toBe(0);
  });

  it('a quiet writer overtaken by the recount of its open day leaves a mark, and the next write recounts', async () => {
    const userId = await newUserId();
    await push(userId, minutes(D0, 10));
    const late = minutes(D0 + 6 * HOUR, 20);
    const journal = await openJournal(userId, [
      { series: 'heart_rate', sourceKey: SOURCE, first: late[0]!.timestamp, last: late.at(-1)!.timestamp },
    ]);
    // Another writer moves the open day on (recounting D0) before the quiet writer's chunks land.
    await writeSeriesSamples(userId, SOURCE, 'heart_rate', minutes(D0 + DAY, 5));
    await writeSeriesSamples(userId, SOURCE, 'heart_rate', late);
    await closeJournal(journal);
    expect((await entry(userId))?.count).toBe(15);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + STALE_JOURNAL_MS + MIN);
    await push(userId, minutes(D0 + DAY + HOUR, 1));
    // The recount: 10 + 20 of D0 and the 5 of the open day; the quiet push's one sample waits for the open day.
    expect((await entry(userId))?.count).toBe(35);
  });
});
