import { describe, expect, it } from 'vitest';
import { type Cutoffs, runUserLifecycle } from '#shared/archival/archive-user.js';
import { activitySummaries } from '#shared/data/summaries/activity.js';
import { queryTimeseries } from '#shared/data/timeseries.js';
import type { Sample } from '#shared/model/health-data.js';
import { rawItemsIn } from '#shared/store/archive-absorb.js';
import { db } from '#shared/store/client.js';
import { saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { listArchiveItems, readArchivedDays } from '#shared/store/series-archive.js';
import { listUserSeries } from '#shared/store/series-registry.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';
import { sourceRef } from '#test/helpers/health-data.js';
import { newUserId } from '#test/helpers/users.js';

const t = (iso: string) => Date.parse(iso);
const FAR = () => Date.now() + 600_000;
const ARCHIVE: Cutoffs = { archiveBefore: t('2025-04-02T00:00:00Z'), purgeBefore: null };
const RECENT = Date.now() - 3_600_000;

const at = (iso: string, value: number, isDailyTotal: boolean | null = false): Sample => ({
  timestamp: t(iso),
  value,
  zoneOffset: '+00:00',
  isDailyTotal,
});

const HEART_RATE = [
  ...[65, 120, 145, 90, 72].map((v, i) => ({
    ...at('2025-03-10T09:00:00Z', v),
    timestamp: t('2025-03-10T09:00:00Z') + i * 600_000,
  })),
  at('2025-03-12T08:00:00Z', 80),
  at('2025-03-12T20:00:00Z', 84),
  { timestamp: RECENT, value: 61, zoneOffset: null, isDailyTotal: null },
];
const STEPS = [
  at('2025-03-10T10:00:00Z', 50),
  at('2025-03-10T10:01:00Z', 70),
  at('2025-03-10T23:00:00Z', 9000, true),
];

async function userWithHistory() {
  const userId = await newUserId();
  const watch = toDataSource(userId, sourceRef('apple', 'Watch7,1', 'Apple Watch'))!;
  await saveDataSources(userId, [watch]);
  const push = async () => {
    await writeSeriesSamples(userId, watch.key, 'heart_rate', HEART_RATE);
    await writeSeriesSamples(userId, watch.key, 'steps', STEPS);
  };
  await push();
  return { userId, sourceKey: watch.key, push };
}

const reads = async (userId: string) => ({
  timeseries: await queryTimeseries(userId, {
    types: ['steps', 'heart_rate'],
    startMs: t('2025-03-10T06:00:00Z'),
    endMs: t('2025-03-13T00:00:00Z'),
    resolution: 'raw',
    limit: 100,
  }),
  activity: await activitySummaries(userId, {
    startMs: t('2025-03-01T00:00:00Z'),
    endMs: t('2025-04-05T00:00:00Z'),
    limit: 50,
    sortOrder: 'asc',
  }),
});

const samplesPerDay = async (userId: string) =>
  (await readArchivedDays(userId, 'heart_rate', 0, ARCHIVE.archiveBefore!)).map(({ day, aggregate }) => [
    new Date(day).toISOString().slice(0, 10),
    aggregate.intraday?.count,
  ]);

describe('archival integrity', () => {
  it('aggregates exactly the raw items it deletes, even when a writer adds an item meanwhile', async () => {
    const { userId, sourceKey } = await userWithHistory();
    const { doc } = db();
    let injected = false;
    // Right after the run read the raw items of March, a sync adds a day inside the range it read.
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const input = args.input as {
          ConsistentRead?: boolean;
          ExpressionAttributeValues?: Record<string, unknown>;
        };
        const values = input.ExpressionAttributeValues ?? {};
        if (
          !injected &&
          context.commandName === 'QueryCommand' &&
          input.ConsistentRead &&
          values[':pk'] === `TS#${userId}#heart_rate` &&
          values[':from'] !== undefined
        ) {
          injected = true;
          await writeSeriesSamples(userId, sourceKey, 'heart_rate', [at('2025-03-11T12:00:00Z', 100)]);
        }
        return out;
      },
      { step: 'initialize', name: 'late-writer' },
    );
    try {
      await runUserLifecycle(userId, ARCHIVE, FAR());
    } finally {
      doc.middlewareStack.remove('late-writer');
    }
    expect(injected).toBe(true);
    await runUserLifecycle(userId, ARCHIVE, FAR());
    expect(await rawItemsIn(userId, 'heart_rate', 0, ARCHIVE.archiveBefore!)).toEqual([]);
    expect(await samplesPerDay(userId)).toEqual([
      ['2025-03-10', 5],
      ['2025-03-11', 1],
      ['2025-03-12', 2],
    ]);
  });

  it('an archived day is authoritative: re-sent samples change no read, and the next run discards them', async () => {
    const { userId, push } = await userWithHistory();
    await runUserLifecycle(userId, ARCHIVE, FAR());
    const archived = await reads(userId);
    const state = await listArchiveItems(userId, 'SK, d');

    await push();
    expect((await rawItemsIn(userId, 'heart_rate', 0, ARCHIVE.archiveBefore!)).length).toBeGreaterThan(0);
    expect(await reads(userId)).toEqual(archived);

    const again = await runUserLifecycle(userId, ARCHIVE, FAR());
    expect(again).toMatchObject({ done: true, rawItemsArchived: 0 });
    expect(again.rawItemsDiscarded).toBeGreaterThan(0);
    expect(await rawItemsIn(userId, 'heart_rate', 0, ARCHIVE.archiveBefore!)).toEqual([]);
    expect(await reads(userId)).toEqual(archived);
    expect(await listArchiveItems(userId, 'SK, d')).toEqual(state);
    expect(await samplesPerDay(userId)).toEqual([
      ['2025-03-10', 5],
      ['2025-03-12', 2],
    ]);
  });

  it('the registry counts drop to the samples left raw', async () => {
    const { userId } = await userWithHistory();
    const counts = async () =>
      (await listUserSeries(userId)).map((e) => [e.series, e.count, e.first, e.last]);
    // The registry's newest bound ends the UTC day of the newest sample (store/series-registry.ts).
    const endOfDay = (t: number) => Math.floor(t / 86_400_000) * 86_400_000 + 86_399_999;
    expect(await counts()).toEqual([
      ['heart_rate', 8, HEART_RATE[0]!.timestamp, endOfDay(RECENT)],
      ['steps', 3, STEPS[0]!.timestamp, endOfDay(STEPS[2]!.timestamp)],
    ]);
    await runUserLifecycle(userId, ARCHIVE, FAR());
    expect((await counts()).map(([series, count]) => [series, count])).toEqual([
      ['heart_rate', 1],
      ['steps', 0],
    ]);
    expect((await counts())[0]!.slice(2)).toEqual([RECENT, endOfDay(RECENT)]);
  });
});
