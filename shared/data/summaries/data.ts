import type * as z from 'zod/mini';
import { anySource, END_OF_TIME, loadSources } from '#shared/data/summaries/common.js';
import type { dataSummary as dataSummarySchema } from '#shared/data/summaries/schemas.js';
import type { ProviderName } from '#shared/model/provider.js';
import type { SeriesType } from '#shared/model/series.js';
import { queryEvents } from '#shared/store/events.js';
import { currentSeriesCounts } from '#shared/store/series-counts.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { listUserSeries } from '#shared/store/series-registry.js';

/**
 * `GET /users/{id}/summaries/data` (contract 4.7): what has been stored for the user. Without a date range the
 * sample counts come from the series registry (one query); with one (either bound may be omitted) the samples of
 * every series the user has in the range are read and counted. Events count by start time. Counts are listed
 * largest first (ties by name), providers by data points + workouts + sleep events.
 */

export interface DataSummaryQuery {
  startMs?: number | undefined;
  endMs?: number | undefined;
}

export interface SeriesCount {
  series: SeriesType;
  sourceKey: string;
  count: number;
}

const byCountThenName = <K extends string>(counts: Map<K, number>): Record<K, number> =>
  Object.fromEntries([...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))) as Record<K, number>;

const add = <K>(map: Map<K, number>, key: K, n: number) => map.set(key, (map.get(key) ?? 0) + n);

async function countsInRange(userId: string, fromMs: number, toMs: number): Promise<SeriesCount[]> {
  const entries = (await listUserSeries(userId)).filter(
    (e) => e.count > 0 && e.last >= fromMs && e.first < toMs,
  );
  const series = [...new Set(entries.map((e) => e.series))];
  const reads = await Promise.all(series.map((s) => readSeriesSamples(userId, s, fromMs, toMs)));
  return reads.flatMap((read, i) =>
    read.sources.map((s) => ({ series: series[i]!, sourceKey: s.sourceKey, count: s.samples.length })),
  );
}

export interface DataSummaryInput {
  userId: string;
  seriesCounts: SeriesCount[];
  workouts: Array<{ sourceKey: string; type: string | null }>;
  sleepSourceKeys: string[];
  hasWomensHealthData: boolean;
  providerOf: (sourceKey: string) => ProviderName | 'unknown';
}

/** The response body from the counts (pure). */
export function buildDataSummary(input: DataSummaryInput): z.output<typeof dataSummarySchema> {
  const seriesTotals = new Map<SeriesType, number>();
  const workoutTypes = new Map<string, number>();
  const providers = new Map<
    string,
    { dataPoints: number; series: Map<SeriesType, number>; workouts: number; sleep: number }
  >();
  const providerEntry = (sourceKey: string) => {
    const provider = input.providerOf(sourceKey);
    const entry = providers.get(provider) ?? { dataPoints: 0, series: new Map(), workouts: 0, sleep: 0 };
    providers.set(provider, entry);
    return entry;
  };
  for (const c of input.seriesCounts) {
    if (c.count <= 0) continue;
    add(seriesTotals, c.series, c.count);
    const entry = providerEntry(c.sourceKey);
    entry.dataPoints += c.count;
    add(entry.series, c.series, c.count);
  }
  for (const w of input.workouts) {
    add(workoutTypes, w.type ?? 'unknown', 1);
    providerEntry(w.sourceKey).workouts++;
  }
  for (const key of input.sleepSourceKeys) providerEntry(key).sleep++;
  const total = (e: { dataPoints: number; workouts: number; sleep: number }) =>
    e.dataPoints + e.workouts + e.sleep;
  return {
    user_id: input.userId,
    total_data_points: [...seriesTotals.values()].reduce((a, b) => a + b, 0),
    total_workouts: input.workouts.length,
    total_sleep_events: input.sleepSourceKeys.length,
    series_type_counts: byCountThenName(seriesTotals),
    workout_type_counts: byCountThenName(workoutTypes),
    by_provider: [...providers]
      .sort(([a, x], [b, y]) => total(y) - total(x) || (a < b ? -1 : 1))
      .map(([provider, e]) => ({
        provider,
        data_points: e.dataPoints,
        series_counts: byCountThenName(e.series),
        workout_count: e.workouts,
        sleep_count: e.sleep,
      })),
    has_womens_health_data: input.hasWomensHealthData,
  };
}

export async function dataSummary(userId: string, query: DataSummaryQuery) {
  const ranged = query.startMs !== undefined || query.endMs !== undefined;
  const fromMs = query.startMs ?? 0;
  const toMs = query.endMs ?? END_OF_TIME;
  const [{ sources }, seriesCounts, workouts, sleeps, cycles] = await Promise.all([
    loadSources(userId),
    ranged ? countsInRange(userId, fromMs, toMs) : currentSeriesCounts(userId),
    queryEvents(userId, 'workout', fromMs, toMs, anySource),
    queryEvents(userId, 'sleep', fromMs, toMs, anySource),
    queryEvents(userId, 'menstrual_cycle', fromMs, toMs, anySource),
  ]);
  const inRange = (e: { start: number }) => e.start >= fromMs && e.start < toMs;
  return buildDataSummary({
    userId,
    seriesCounts,
    workouts: workouts.filter(inRange).map((w) => ({ sourceKey: w.sourceKey, type: w.type })),
    sleepSourceKeys: sleeps.filter(inRange).map((s) => s.sourceKey),
    hasWomensHealthData: cycles.some(inRange),
    providerOf: (key) => sources.get(key)?.provider ?? 'unknown',
  });
}
