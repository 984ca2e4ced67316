import { describe, expect, it } from 'vitest';
import { type Cutoffs, runUserLifecycle } from '#shared/archival/archive-user.js';
import { runArchival } from '#shared/archival/run.js';
import { activitySummaries } from '#shared/data/summaries/activity.js';
import { queryTimeseries } from '#shared/data/timeseries.js';
import type { Sample, SourceRef } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { putArchivalSettings } from '#shared/store/archival-settings.js';
import { rawItemsIn } from '#shared/store/archive-absorb.js';
import { db } from '#shared/store/client.js';
import { saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { eraseUserData } from '#shared/store/erase-user.js';
import { listArchiveItems, readArchivedDays } from '#shared/store/series-archive.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';
import { sourceRef } from '#test/helpers/health-data.js';
import { newUserId } from '#test/helpers/users.js';

const t = (iso: string) => Date.parse(iso);
const FAR = () => Date.now() + 600_000;
const WATCH = sourceRef('apple', 'Watch7,1', 'Apple Watch');
const PHONE = sourceRef('apple', 'iPhone15,2', 'iPhone');
/** Everything before 2 April 2025 is archived. */
const CUTOFF = t('2025-04-02T00:00:00Z');
const ARCHIVE: Cutoffs = { archiveBefore: CUTOFF, purgeBefore: null };
const RECENT = Date.now() - 3_600_000;

const at = (iso: string, value: number, isDailyTotal: boolean | null = null): Sample => ({
  timestamp: t(iso),
  value,
  zoneOffset: '+00:00',
  isDailyTotal,
});
const everyMinute = (iso: string, values: number[], flag: boolean | null = false) =>
  values.map((value, i) => ({ ...at(iso, value, flag), timestamp: t(iso) + i * 60_000 }));

/** A user with a watch and a phone: steps (intraday and a daily total), distance, energy, heart rate. */
async function userWithHistory() {
  const userId = await newUserId();
  const [watch, phone] = [WATCH, PHONE].map((ref: SourceRef) => toDataSource(userId, ref));
  await saveDataSources(userId, [watch!, phone!]);
  const write = (source: typeof watch, series: SeriesType, samples: Sample[]) =>
    writeSeriesSamples(userId, source!.key, series, samples);
  await write(watch, 'steps', [
    ...everyMinute('2025-03-10T10:00:00Z', [50, 10, 45, 5, 60]),
    ...everyMinute('2025-03-31T23:58:00Z', [40, 40, 40, 40]),
  ]);
  await write(phone, 'steps', [
    at('2025-03-10T23:00:00Z', 9000, true),
    at('2025-03-10T12:00:00Z', 100, false),
  ]);
  await write(watch, 'distance_walking_running', everyMinute('2025-03-10T10:00:00Z', [30.5, 8.25], false));
  await write(watch, 'energy', [
    at('2025-03-10T10:00:00Z', 250.5, false),
    at('2025-03-10T12:00:00Z', 150, false),
  ]);
  await write(watch, 'basal_energy', [at('2025-03-10T10:00:00Z', 1600, false)]);
  await write(watch, 'heart_rate', [
    ...[65, 120, 145, 90, 72].map((v, i) => ({
      ...at('2025-03-10T09:00:00Z', v),
      timestamp: t('2025-03-10T09:00:00Z') + i * 600_000,
    })),
    at('2025-03-31T23:30:00Z', 80),
    at('2025-04-01T00:30:00Z', 90),
    at('2025-04-03T08:00:00Z', 70),
    { timestamp: RECENT, value: 61, zoneOffset: null, isDailyTotal: null },
  ]);
  return { userId, watch: watch!, phone: phone! };
}

const activity = (userId: string) =>
  activitySummaries(userId, {
    startMs: t('2025-03-01T00:00:00Z'),
    endMs: t('2025-04-05T00:00:00Z'),
    limit: 50,
    sortOrder: 'asc',
  });

/** What an archived day keeps of an activity row: the daily amounts and the heart-rate figures. */
const dailyFigures = (rows: Awaited<ReturnType<typeof activity>>['data']) =>
  rows.map((r) => ({
    date: r.date,
    source: r.source,
    steps: r.steps,
    distance_meters: r.distance_meters,
    active_calories_kcal: r.active_calories_kcal,
    total_calories_kcal: r.total_calories_kcal,
    heart_rate: r.heart_rate,
  }));

const timeseries = (userId: string, resolution: 'raw' | '1hour' = 'raw') =>
  queryTimeseries(userId, {
    types: ['steps', 'heart_rate'],
    startMs: t('2025-03-10T00:00:00Z'),
    endMs: t('2025-03-11T00:00:00Z'),
    resolution,
    limit: 100,
  });

const archiveState = async (userId: string) =>
  (await listArchiveItems(userId)).map((i) => ({
    SK: i.SK,
    d: Buffer.from(i.d as Uint8Array).toString('hex'),
  }));

describe('archival', () => {
  it('rolls old samples into daily aggregates and removes them from the raw store', async () => {
    const { userId } = await userWithHistory();
    const before = await activity(userId);
    const outcome = await runUserLifecycle(userId, ARCHIVE, FAR());
    expect(outcome).toMatchObject({ done: true });
    expect(outcome.rawItemsArchived).toBeGreaterThan(0);

    for (const series of ['steps', 'heart_rate', 'energy'] as const) {
      expect(await rawItemsIn(userId, series, 0, CUTOFF)).toEqual([]);
    }
    // Samples from the cutoff on stay raw.
    const left = await readSeriesSamples(userId, 'heart_rate', CUTOFF, Date.now() + 1);
    expect(left.sources[0]!.samples.map((s) => s.value)).toEqual([70, 61]);

    // Daily totals unchanged; minute-based figures are gone with the minutes.
    const after = await activity(userId);
    expect(dailyFigures(after.data)).toEqual(dailyFigures(before.data));
    const march10 = after.data.find((r) => r.date === '2025-03-10')!;
    expect(march10).toMatchObject({
      steps: 170,
      heart_rate: { avg_bpm: 98, max_bpm: 145, min_bpm: 65 },
      total_calories_kcal: 2000.5,
      active_minutes: null,
      intensity_minutes: null,
    });
  });

  it('returns an archived day as its daily aggregate at every resolution', async () => {
    const { userId } = await userWithHistory();
    await runUserLifecycle(userId, ARCHIVE, FAR());
    for (const resolution of ['raw', '1hour'] as const) {
      const page = await timeseries(userId, resolution);
      const rows = page.data.map((r) => [r.type, r.source?.device, r.value, r.timestamp, r.is_daily_total]);
      expect(rows.sort()).toEqual([
        ['heart_rate', 'Watch7,1', 98.4, '2025-03-10T00:00:00Z', true],
        // The phone's intraday sample wins over its daily total, as in an unarchived daily bucket.
        ['steps', 'Watch7,1', 170, '2025-03-10T00:00:00Z', true],
        ['steps', 'iPhone15,2', 100, '2025-03-10T00:00:00Z', true],
      ]);
    }
  });

  it('is idempotent: a re-run changes nothing', async () => {
    const { userId } = await userWithHistory();
    await runUserLifecycle(userId, ARCHIVE, FAR());
    const [state, summary, series] = [
      await archiveState(userId),
      await activity(userId),
      await timeseries(userId),
    ];
    const again = await runUserLifecycle(userId, ARCHIVE, FAR());
    expect(again.rawItemsArchived).toBe(0);
    expect(await archiveState(userId)).toEqual(state);
    expect(await activity(userId)).toEqual(summary);
    expect(await timeseries(userId)).toEqual(series);
  });

  it('a run that dies halfway is completed by the next one, with the same result', async () => {
    const twin = await userWithHistory();
    await runUserLifecycle(twin.userId, ARCHIVE, FAR());
    const crashed = await userWithHistory();
    const { doc } = db();
    let transactions = 0;
    // The process dies right after its second archiving transaction committed.
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName?.startsWith('TransactWrite') && ++transactions === 2)
          throw new Error('SIGKILL');
        return out;
      },
      { step: 'initialize', name: 'crash' },
    );
    try {
      await expect(runUserLifecycle(crashed.userId, ARCHIVE, FAR())).rejects.toThrow('SIGKILL');
    } finally {
      doc.middlewareStack.remove('crash');
    }
    expect((await listArchiveItems(crashed.userId)).length).toBeGreaterThan(0);
    await runUserLifecycle(crashed.userId, ARCHIVE, FAR());
    expect(dailyFigures((await activity(crashed.userId)).data)).toEqual(
      dailyFigures((await activity(twin.userId)).data),
    );
    const days = async (userId: string) =>
      (await readArchivedDays(userId, 'heart_rate', 0, CUTOFF)).map(({ day, aggregate }) => ({
        day,
        aggregate,
      }));
    expect(await days(crashed.userId)).toEqual(await days(twin.userId));
  });

  it('purges aggregates older than delete_after_days, day by day', async () => {
    const { userId } = await userWithHistory();
    await runUserLifecycle(userId, ARCHIVE, FAR());
    const outcome = await runUserLifecycle(
      userId,
      { archiveBefore: CUTOFF, purgeBefore: t('2025-03-11T00:00:00Z') },
      FAR(),
    );
    expect(outcome.aggregatesPurged).toBeGreaterThan(0);
    const left = await readArchivedDays(userId, 'heart_rate', 0, CUTOFF);
    expect(left.map((d) => new Date(d.day).toISOString().slice(0, 10))).toEqual(['2025-03-31', '2025-04-01']);
    expect(await readArchivedDays(userId, 'steps', 0, t('2025-03-11T00:00:00Z'))).toEqual([]);
  });

  it('without archival, delete_after_days deletes old samples outright', async () => {
    const { userId } = await userWithHistory();
    await runUserLifecycle(userId, { archiveBefore: null, purgeBefore: CUTOFF }, FAR());
    expect(await rawItemsIn(userId, 'heart_rate', 0, CUTOFF)).toEqual([]);
    expect(await listArchiveItems(userId)).toEqual([]);
    expect(
      (await readSeriesSamples(userId, 'heart_rate', CUTOFF, Date.now() + 1)).sources[0]!.samples,
    ).toHaveLength(2);
  });

  it("erasing a user removes the user's aggregates", async () => {
    const { userId } = await userWithHistory();
    await runUserLifecycle(userId, ARCHIVE, FAR());
    expect((await listArchiveItems(userId)).length).toBeGreaterThan(0);
    expect(await eraseUserData(userId, FAR())).toBe('done');
    expect(await listArchiveItems(userId)).toEqual([]);
  });

  it('a run walks every user with the settings of its start', async () => {
    const users = [await userWithHistory(), await userWithHistory()];
    await putArchivalSettings({ archive_after_days: 30, delete_after_days: null });
    const outcome = await runArchival({ task_id: 'test' }, FAR());
    expect(outcome.continued).toBe(false);
    for (const { userId } of users) expect(await rawItemsIn(userId, 'heart_rate', 0, CUTOFF)).toEqual([]);
  });
});
