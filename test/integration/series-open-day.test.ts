import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recountSources } from '#shared/archival/registry-recount.js';
import { dataSummary } from '#shared/data/summaries/data.js';
import { writeSeries } from '#shared/ingest/persist.js';
import type { Sample } from '#shared/model/health-data.js';
import { db, deleteKeys } from '#shared/store/client.js';
import { purgeDeletedUser } from '#shared/store/erase-user.js';
import { eraseSeries } from '#shared/store/series-erase.js';
import { closeJournal, openJournal, STALE_JOURNAL_MS } from '#shared/store/series-journal.js';
import { sourceRegistryKey } from '#shared/store/series-layout.js';
import { countChunks, listUserSeries, name, OPEN } from '#shared/store/series-registry.js';
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
  }, 120_000);

  it('readers see the samples of quiet pushes, and the data summary counts them exactly', async () => {
    const userId = await newUserId();
    await push(userId, minutes(D0 + HOUR, 10), minutes(D0 + HOUR, 2, 10_000));
    await push(userId, minutes(D0 + 20 * HOUR, 10), minutes(D0 + 20 * HOUR, 4, 10_000));
    await push(userId, minutes(D0 + 21 * HOUR, 10));

    expect((await entry(userId))?.last).toBe(D0 + DAY - 1);
    // A ranged summary finds series through the registry's bounds: the quiet pushes after its `l` are in range.
    const ranged = await dataSummary(userId, { startMs: D0 + 19 * HOUR, endMs: D0 + DAY });
    expect(ranged.series_type_counts).toEqual({ heart_rate: 20, steps: 4 });
    expect((await dataSummary(userId, {})).series_type_counts).toEqual({ heart_rate: 30, steps: 6 });
  });

  it('a registry of an earlier version (no open-day count) is written, not left quiet, and counts exactly', async () => {
    const userId = await newUserId();
    await push(userId, minutes(D0, 10));
    const { doc, table } = db();
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: sourceRegistryKey(userId, SOURCE),
        UpdateExpression: 'REMOVE #d',
        ExpressionAttributeNames: { '#d': name(OPEN, 'heart_rate') },
      }),
    );
    await push(userId, minutes(D0 + HOUR, 10));
    await push(userId, minutes(D0 + 2 * HOUR, 10));
    await push(userId, minutes(D0 + DAY, 1));
    expect((await entry(userId))?.count).toBe(31);
  });

  it('a sample before the first bound moves it at once, even within the open day', async () => {
    const userId = await newUserId();
    await push(userId, minutes(D0 + 12 * HOUR, 10));
    await push(userId, minutes(D0 + 8 * HOUR, 5));
    expect((await entry(userId))?.first).toBe(D0 + 8 * HOUR);
    const ranged = await dataSummary(userId, { startMs: D0, endMs: D0 + 9 * HOUR });
    expect(ranged.series_type_counts).toEqual({ heart_rate: 5 });
  });

  it('a series recounted to zero (its raw days archived) counts what comes later from zero', async () => {
    const userId = await newUserId();
    await push(userId, minutes(D0, 10));
    await push(userId, minutes(D0 + HOUR, 10));
    const { doc, table } = db();
    const stored = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `TS#${userId}#heart_rate` },
        ProjectionExpression: 'PK, SK',
      }),
    );
    await deleteKeys((stored.Items ?? []).map((item) => ({ PK: item.PK as string, SK: item.SK as string })));
    await recountSources(userId, 'heart_rate', [SOURCE]);
    expect((await entry(userId))?.count).toBe(0);

    await push(userId, minutes(D0 + 40 * DAY, 3));
    await push(userId, minutes(D0 + 40 * DAY + HOUR, 4));
    await push(userId, minutes(D0 + 41 * DAY, 1));
    expect((await entry(userId))?.count).toBe(8);
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

  it('a quiet writer that closes while another writer recounts its open day leaves a mark, and it is recounted', async () => {
    const userId = await newUserId();
    await push(userId, minutes(D0, 10));
    const late = minutes(D0 + 6 * HOUR, 20);
    const quiet = await openJournal(userId, [
      { series: 'heart_rate', sourceKey: SOURCE, first: late[0]!.timestamp, last: late.at(-1)!.timestamp },
    ]);
    const next = minutes(D0 + DAY, 5);
    const moving = await openJournal(userId, [
      { series: 'heart_rate', sourceKey: SOURCE, first: next[0]!.timestamp, last: next.at(-1)!.timestamp },
    ]);
    await writeSeriesSamples(userId, SOURCE, 'heart_rate', next);
    // The moving writer's registry update (made after its recount of D0) waits until the quiet writer has closed.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached!: () => void;
    const updating = new Promise<void>((resolve) => {
      reached = resolve;
    });
    db().doc.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if ((context.commandName ?? '').startsWith('Update') && input.UpdateExpression?.includes('ADD #c')) {
          reached();
          await held;
        }
        return next(args);
      },
      { step: 'build', name: MIDDLEWARE },
    );
    const closing = closeJournal(moving);
    await updating;
    await writeSeriesSamples(userId, SOURCE, 'heart_rate', late);
    await closeJournal(quiet);
    release();
    await closing;
    db().doc.middlewareStack.remove(MIDDLEWARE);
    expect((await entry(userId))?.count).toBe(15);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + STALE_JOURNAL_MS + MIN);
    await push(userId, minutes(D0 + 2 * DAY, 1));
    expect((await entry(userId))?.count).toBe(10 + 20 + 5 + 1);
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
