import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeSeries } from '#shared/ingest/persist.js';
import type { Sample } from '#shared/model/health-data.js';
import { db } from '#shared/store/client.js';
import { closeJournal, openJournal, pendingWrite, STALE_JOURNAL_MS } from '#shared/store/series-journal.js';
import { recoverDeadWriters } from '#shared/store/series-recovery.js';
import { listUserSeries, MARK_PREFIX, registryItems } from '#shared/store/series-registry.js';
import { newUserId } from '#test/helpers/users.js';

/**
 * Issue 8 item 5: a writer killed between its chunk writes and its registry update left the registry count short
 * for good (the retried push found its samples stored and added nothing). The journal lets the next write after
 * the writer's possible lifetime recount the series from its chunks.
 */

const MIDDLEWARE = 'test-crash';
afterEach(() => {
  db().doc.middlewareStack.remove(MIDDLEWARE);
  vi.useRealTimers();
});

/** Every registry count update dies, as the process would if killed right after its chunks were written. */
function dieBeforeRegistryUpdates() {
  db().doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { UpdateExpression?: string };
      if ((context.commandName ?? '').startsWith('Update') && input.UpdateExpression?.includes('ADD #c')) {
        throw new Error('process killed');
      }
      return next(args);
    },
    { step: 'build', name: MIDDLEWARE },
  );
}

const T0 = Date.UTC(2026, 4, 1, 6);
const DAY = 86_400_000;
const SOURCE = '0123456789abcdef';
const minutes = (from: number, count: number): Sample[] =>
  Array.from({ length: count }, (_, i) => ({
    timestamp: from + i * 60_000,
    value: 60 + (i % 40),
    zoneOffset: '+00:00',
    isDailyTotal: null,
  }));

const write = (userId: string, samples: Sample[]) =>
  writeSeries(userId, [{ series: 'heart_rate', key: SOURCE, samples }]);
const countOf = async (userId: string) =>
  (await listUserSeries(userId)).find((e) => e.series === 'heart_rate')?.count;

/** Moves the clock (Date only, so the SDK's own timers keep running) past the lifetime of any writer. */
function laterThanAnyWriter() {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + STALE_JOURNAL_MS + 60_000);
}

/** A writer killed before its registry update; after its lifetime, another writer of the user opens its journal. */
async function deadWriterThenLiveJournal() {
  const userId = await newUserId();
  dieBeforeRegistryUpdates();
  await expect(write(userId, minutes(T0, 20))).rejects.toThrow('process killed');
  db().doc.middlewareStack.remove(MIDDLEWARE);
  laterThanAnyWriter();
  await openJournal(userId, [{ series: 'heart_rate', sourceKey: SOURCE, first: T0, last: T0 }]);
  return userId;
}

describe('a writer that dies between chunks and registry', () => {
  it('leaves the count short only until a later write, which recounts from the chunks', async () => {
    const userId = await newUserId();
    await write(userId, minutes(T0, 30));
    dieBeforeRegistryUpdates();
    // The next day: a write that moves the open day on, so it writes the registry (series-journal.ts).
    await expect(write(userId, minutes(T0 + DAY, 90))).rejects.toThrow('process killed');
    db().doc.middlewareStack.remove(MIDDLEWARE);

    await write(userId, minutes(T0 + DAY, 90));
    expect(await countOf(userId)).toBe(30);

    laterThanAnyWriter();
    await write(userId, minutes(T0 + 10 * 3_600_000, 5));
    expect(await countOf(userId)).toBe(125);
    const [entry] = await listUserSeries(userId);
    // `last` ends the open day: the day of the newest sample (series-registry.ts).
    expect(entry).toMatchObject({ first: T0, last: Date.UTC(2026, 4, 2, 23, 59, 59, 999) });
  });

  it('does not recount while another writer of the user may still be running', async () => {
    const userId = await deadWriterThenLiveJournal();
    // The living writer is about to write its first chunk: its mark is on the registry.
    await pendingWrite(userId, 'heart_rate', SOURCE)!.prepare();

    expect(await recoverDeadWriters(userId)).toBe(0);
    expect(await countOf(userId)).toBe(0);
  });

  it('a writer that has not written a chunk yet does not hold recovery back', async () => {
    const userId = await deadWriterThenLiveJournal();

    expect(await recoverDeadWriters(userId)).toBe(1);
    expect(await countOf(userId)).toBe(20);
  });

  it('a write that fails midway counts what landed and leaves no mark behind', async () => {
    const userId = await newUserId();
    const failSteps = 'test-fail-steps';
    db().doc.middlewareStack.add(
      (next, context) => async (args) => {
        const put = (context.commandName ?? '').startsWith('Put');
        if (put && JSON.stringify(args.input).includes('#steps"')) {
          throw new Error('throttled');
        }
        return next(args);
      },
      { step: 'build', name: failSteps },
    );
    try {
      await expect(
        writeSeries(userId, [
          { series: 'heart_rate', key: SOURCE, samples: minutes(T0, 30) },
          { series: 'steps', key: SOURCE, samples: minutes(T0, 10) },
        ]),
      ).rejects.toThrow('throttled');
    } finally {
      db().doc.middlewareStack.remove(failSteps);
    }
    expect(await countOf(userId)).toBe(30);
    const [registry] = await registryItems(userId);
    expect(Object.keys(registry!).filter((name) => name.startsWith(MARK_PREFIX))).toEqual([]);
  });

  it('a journal is seen by other writers only once it is open', async () => {
    const userId = await newUserId();
    await write(userId, minutes(T0, 5));
    const opening = openJournal(userId, [{ series: 'heart_rate', sourceKey: SOURCE, first: T0, last: T0 }]);
    expect(pendingWrite(userId, 'heart_rate', SOURCE)).toBeUndefined();
    const journal = await opening;
    expect(pendingWrite(userId, 'heart_rate', SOURCE)).toBeDefined();
    await closeJournal(journal);
  });

  it('recovery is idempotent: counts that are right are left alone and the journals are gone', async () => {
    const userId = await newUserId();
    dieBeforeRegistryUpdates();
    await expect(write(userId, minutes(T0, 20))).rejects.toThrow('process killed');
    db().doc.middlewareStack.remove(MIDDLEWARE);
    laterThanAnyWriter();

    expect(await recoverDeadWriters(userId)).toBe(1);
    expect(await recoverDeadWriters(userId)).toBe(0);
    expect(await countOf(userId)).toBe(20);
  });
});
