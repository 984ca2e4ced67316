import * as z from 'zod/mini';
import { dayId } from '#shared/archival/archived-reads.js';
import { sampleCount } from '#shared/archival/day-aggregate.js';
import { anySource } from '#shared/data/summaries/common.js';
import { badRequest } from '#shared/http/errors.js';
import { mapLimited } from '#shared/model/concurrency.js';
import { canonicalProvider, type ProviderName } from '#shared/model/provider.js';
import type { SeriesType } from '#shared/model/series.js';
import { dataSourcesByKey } from '#shared/store/data-sources.js';
import { queryEvents } from '#shared/store/events.js';
import { readArchivedDays } from '#shared/store/series-archive.js';
import { countSamplesByChunk } from '#shared/store/series-counts.js';
import { DAY_MS, dayStartOf } from '#shared/store/series-layout.js';
import { listUserSeries } from '#shared/store/series-registry.js';

/**
 * `GET /users/{id}/summaries/data/timeline` (the newest reference): how much data the user has over time, for a
 * density heatmap. Per UTC day or ISO week (Monday) bucket, the stored samples of each provider or series type
 * (`data_points`, archived days counted with the samples they aggregate), or the workouts of each workout type
 * (`workouts`, by start). Sparse: empty buckets are left out; series are listed largest first (ties by key), their
 * buckets oldest first. Samples count in [start_date, end_date); an archived day is indivisible, so it counts
 * when its date is in the window (a window opening mid-day keeps it). The window defaults to the last 365 UTC days
 * (to the end of today) and spans at most 400: the reads grow with it.
 */

export const TIMELINE_BUCKETS = ['day', 'week'] as const;
export const TIMELINE_GROUPS = ['provider', 'series_type', 'workout_type'] as const;
export const DEFAULT_TIMELINE_DAYS = 365;
export const MAX_TIMELINE_DAYS = 400;
/** Series read at once: each is a chunk query (plus its edge reads) and an archive query. */
export const TIMELINE_SERIES_CONCURRENCY = 4;

export const timelineSeries = z
  .object({
    key: z.string().check(z.describe('The provider, series type or workout type')),
    metric: z.enum(['data_points', 'workouts']),
    buckets: z
      .array(z.tuple([z.iso.date(), z.number().check(z.int())]))
      .check(z.describe('`[bucket start date, count]` pairs, oldest first; empty buckets are left out')),
  })
  .check(z.meta({ id: 'TimelineSeries' }));

export const dataTimelineSchema = z
  .object({
    bucket: z.enum(TIMELINE_BUCKETS),
    group_by: z.enum(TIMELINE_GROUPS),
    series: z.array(timelineSeries),
  })
  .check(z.meta({ id: 'DataTimeline' }));

export interface TimelineQuery {
  startMs?: number | undefined;
  endMs?: number | undefined;
  bucket: (typeof TIMELINE_BUCKETS)[number];
  groupBy: (typeof TIMELINE_GROUPS)[number];
  /** Only this provider's data. */
  provider?: ProviderName | undefined;
}

/** The date a bucket starts on: the UTC day, or the Monday of its ISO week. */
export function bucketDate(ms: number, bucket: TimelineQuery['bucket']): string {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  const start = bucket === 'day' ? day : day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
  return new Date(start).toISOString().slice(0, 10);
}

/**
 * [fromMs, toMs) of a query: without end_date to the end of today (UTC), without start_date DEFAULT_TIMELINE_DAYS
 * before the end; a 400 beyond MAX_TIMELINE_DAYS.
 */
export function timelineWindow(query: Pick<TimelineQuery, 'startMs' | 'endMs'>, now = Date.now()) {
  const toMs = query.endMs ?? dayStartOf(now) + DAY_MS;
  const fromMs = query.startMs ?? Math.max(0, toMs - DEFAULT_TIMELINE_DAYS * DAY_MS);
  if (toMs - fromMs > MAX_TIMELINE_DAYS * DAY_MS) {
    throw badRequest(
      `The timeline spans at most ${MAX_TIMELINE_DAYS} days: narrow start_date..end_date (default: the last ${DEFAULT_TIMELINE_DAYS} days)`,
    );
  }
  return { fromMs, toMs };
}

type Tally = Map<string, Map<string, number>>;

const add = (tally: Tally, key: string, date: string, n: number) => {
  const buckets = tally.get(key) ?? new Map<string, number>();
  tally.set(key, buckets.set(date, (buckets.get(date) ?? 0) + n));
};

/** The response body from the counts (pure). */
export function timelineOf(tally: Tally, query: TimelineQuery): z.output<typeof dataTimelineSchema> {
  const total = (buckets: Map<string, number>) => [...buckets.values()].reduce((a, b) => a + b, 0);
  return {
    bucket: query.bucket,
    group_by: query.groupBy,
    series: [...tally]
      .filter(([, buckets]) => total(buckets) > 0)
      .sort(([a, x], [b, y]) => total(y) - total(x) || (a < b ? -1 : 1))
      .map(([key, buckets]) => ({
        key,
        metric: query.groupBy === 'workout_type' ? 'workouts' : 'data_points',
        buckets: [...buckets].filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : 1)),
      })),
  };
}

export async function dataTimeline(userId: string, query: TimelineQuery) {
  const { fromMs, toMs } = timelineWindow(query);
  const tally: Tally = new Map();
  const workoutsOnly = query.groupBy === 'workout_type';
  const [sources, workouts, registry] = await Promise.all([
    dataSourcesByKey(userId),
    workoutsOnly ? queryEvents(userId, 'workout', fromMs, toMs, anySource) : [],
    workoutsOnly ? [] : listUserSeries(userId),
  ]);
  const providerOf = (key: string) => sources.get(key)?.provider ?? 'unknown';
  const wanted = (key: string) =>
    query.provider === undefined || providerOf(key) === canonicalProvider(query.provider);

  if (workoutsOnly) {
    for (const w of workouts) {
      if (wanted(w.sourceKey)) add(tally, w.type ?? 'unknown', bucketDate(w.start, query.bucket), 1);
    }
    return timelineOf(tally, query);
  }

  const keyOf = (series: SeriesType, sourceKey: string) =>
    query.groupBy === 'series_type' ? series : providerOf(sourceKey);
  // The registry keeps a (series, source) whose samples were all archived, so it names every series to read.
  const entries = registry.filter((e) => wanted(e.sourceKey));
  const series = [...new Set(entries.map((e) => e.series))];
  const count = async (s: SeriesType) => {
    const live = entries.some((e) => e.series === s && e.count > 0 && e.last >= fromMs && e.first < toMs);
    const [chunks, days] = await Promise.all([
      live ? countSamplesByChunk(userId, s, fromMs, toMs) : [],
      readArchivedDays(userId, s, dayStartOf(fromMs), toMs),
    ]);
    // An archived day is served from its aggregate only (raw samples re-sent for it are discarded by the next run).
    const archived = new Set(days.map((d) => dayId(d.sourceKey, d.day)));
    for (const c of chunks) {
      if (!wanted(c.sourceKey) || archived.has(dayId(c.sourceKey, dayStartOf(c.start)))) continue;
      add(tally, keyOf(s, c.sourceKey), bucketDate(c.start, query.bucket), c.count);
    }
    for (const d of days) {
      if (wanted(d.sourceKey)) {
        add(tally, keyOf(s, d.sourceKey), bucketDate(d.day, query.bucket), sampleCount(d.aggregate));
      }
    }
  };
  await mapLimited(series, TIMELINE_SERIES_CONCURRENCY, count);
  return timelineOf(tally, query);
}
