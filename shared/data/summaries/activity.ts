import type * as z from 'zod/mini';
import { isArchived, readBySourceWithArchive } from '#shared/archival/archived-reads.js';
import { compareKeys, keysetPage } from '#shared/data/paging.js';
import { localDate, sourceMetadata } from '#shared/data/source-metadata.js';
import {
  anySource,
  bestSource,
  dayRange,
  intOrNull,
  loadSources,
  MINUTE_MS,
  type Sources,
  type SummaryQuery,
  sampleDay,
  summaryEnvelope,
} from '#shared/data/summaries/common.js';
import type { activitySummaryPage } from '#shared/data/summaries/schemas.js';
import type { Sample } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import { queryEvents } from '#shared/store/events.js';

/**
 * `GET /users/{id}/summaries/activity` (contract 4.7): one row per local day. Each field comes from the
 * highest-priority source (contract 10.1) that has the series it is computed from that day, so a Watch that
 * records heart rate and a phone that records steps give a row with both; `source` names the source of the
 * headline metric, steps (the day's best source when nobody counted steps). Total calories add the chosen
 * active and basal energy; floors come from the chosen flights, else from the chosen workouts' elevation.
 *
 * Model of the derived minute counts (the reference's). Samples carry a timestamp only (no end), so an intraday
 * `steps` sample is taken to be the steps of the minute it is stamped in; samples stamped in the same minute add
 * up. Zone offsets are whole minutes, so UTC minutes are local minutes.
 * - active minutes: the provider's `active_time` for the day when it reported one, else minutes with >= 30 steps;
 * - sedentary minutes: minutes with step data minus minutes with >= 30 steps (minutes without a sample are
 *   neither active nor sedentary);
 * - intensity minutes: minutes with heart-rate samples, classified by the minute's mean heart rate as a share of
 *   the maximum heart rate (light 50-63 %, moderate 64-76 %, vigorous from 77 %: harder minutes are not less
 *   vigorous). Without a birth date the maximum is 190 bpm.
 * Minute counts are null when the day has no intraday steps (resp. no heart rate).
 */

export const ACTIVITY_SERIES = [
  'steps',
  'distance_walking_running',
  'flights_climbed',
  'energy',
  'basal_energy',
  'active_time',
  'heart_rate',
] as const;
export type ActivitySeries = (typeof ACTIVITY_SERIES)[number];

export const ACTIVE_STEPS_PER_MINUTE = 30;
export const DEFAULT_MAX_HEART_RATE = 190;

/** 220 - age, at least 100; 190 when the age is unknown (contract 4.7). */
export const maxHeartRateFor = (age: number | null) =>
  age === null ? DEFAULT_MAX_HEART_RATE : Math.max(100, 220 - age);

export interface ActivityQuery extends SummaryQuery {
  sortOrder: 'asc' | 'desc';
}

export interface WorkoutElevation {
  sourceKey: string;
  start: number;
  zoneOffset: string | null;
  elevation: number | null;
}

interface DayData {
  series: Partial<Record<ActivitySeries, Sample[]>>;
  elevations: number[];
}

/**
 * The amount of a SUM series for one (day, source): the provider's daily total when it sent one (the latest,
 * should it have sent several for the day), else the sum of the intraday samples; null without samples.
 */
export function dailyAmount(samples: Sample[] | undefined): number | null {
  if (!samples || samples.length === 0) return null;
  const totals = samples.filter((s) => s.isDailyTotal === true);
  if (totals.length > 0) return totals.reduce((a, b) => (b.timestamp >= a.timestamp ? b : a)).value;
  return samples.reduce((sum, s) => sum + s.value, 0);
}

/** Per minute (epoch minute index): the sum (steps) or the mean (heart rate) of the samples stamped in it. */
function perMinute(samples: Sample[], combine: 'sum' | 'mean'): Map<number, number> {
  const buckets = new Map<number, number[]>();
  for (const s of samples) {
    const minute = Math.floor(s.timestamp / MINUTE_MS);
    const list = buckets.get(minute) ?? [];
    list.push(s.value);
    buckets.set(minute, list);
  }
  return new Map(
    [...buckets].map(([minute, values]) => {
      const sum = values.reduce((a, b) => a + b, 0);
      return [minute, combine === 'sum' ? sum : sum / values.length];
    }),
  );
}

const intraday = (samples: Sample[] | undefined) => (samples ?? []).filter((s) => s.isDailyTotal !== true);

export function activeMinutesFromSteps(steps: Sample[] | undefined): number | null {
  const minutes = perMinute(intraday(steps), 'sum');
  if (minutes.size === 0) return null;
  return [...minutes.values()].filter((n) => n >= ACTIVE_STEPS_PER_MINUTE).length;
}

export function sedentaryMinutesFromSteps(steps: Sample[] | undefined): number | null {
  const minutes = perMinute(intraday(steps), 'sum');
  if (minutes.size === 0) return null;
  return minutes.size - [...minutes.values()].filter((n) => n >= ACTIVE_STEPS_PER_MINUTE).length;
}

export function intensityMinutes(heartRate: Sample[] | undefined, maxHeartRate: number) {
  const minutes = perMinute(
    (heartRate ?? []).filter((s) => !isArchived(s)),
    'mean',
  );
  if (minutes.size === 0) return null;
  const zones = { light: 0, moderate: 0, vigorous: 0 };
  for (const bpm of minutes.values()) {
    const percent = (bpm / maxHeartRate) * 100;
    if (percent >= 77) zones.vigorous++;
    else if (percent >= 64) zones.moderate++;
    else if (percent >= 50) zones.light++;
  }
  return zones;
}

/** An archived day (archival/archived-reads.ts) counts as its samples: their count, sum and extremes. */
function heartRateStats(samples: Sample[] | undefined) {
  if (!samples || samples.length === 0) return null;
  const parts = samples.map((s) =>
    isArchived(s)
      ? { count: s.archived.count, sum: s.archived.sumMilli / 1000, min: s.archived.min, max: s.archived.max }
      : { count: 1, sum: s.value, min: s.value, max: s.value },
  );
  const count = parts.reduce((total, p) => total + p.count, 0);
  return {
    avg_bpm: Math.floor(parts.reduce((total, p) => total + p.sum, 0) / count),
    max_bpm: Math.floor(Math.max(...parts.map((p) => p.max))),
    min_bpm: Math.floor(Math.min(...parts.map((p) => p.min))),
  };
}

/** The summary fields of one (day, source), `date` and `source` excluded. */
export function summariseDay(day: DayData, maxHeartRate: number) {
  const s = day.series;
  const energy = dailyAmount(s.energy);
  const basal = dailyAmount(s.basal_energy);
  const flights = dailyAmount(s.flights_climbed);
  const activeTime = dailyAmount(s.active_time);
  const elevation =
    day.elevations.length > 0
      ? roundTo(
          day.elevations.reduce((a, b) => a + b, 0),
          3,
        )
      : null;
  let floors: number | null = null;
  if (flights !== null) floors = Math.round(flights);
  else if (elevation !== null && elevation > 0) floors = Math.floor(elevation / 3);
  return {
    steps: intOrNull(dailyAmount(s.steps)),
    distance_meters: roundTo(dailyAmount(s.distance_walking_running), 3),
    floors_climbed: floors,
    elevation_meters: elevation,
    active_calories_kcal: roundTo(energy, 3),
    total_calories_kcal: energy === null && basal === null ? null : roundTo((energy ?? 0) + (basal ?? 0), 3),
    active_minutes: activeTime !== null ? Math.round(activeTime) : activeMinutesFromSteps(s.steps),
    sedentary_minutes: sedentaryMinutesFromSteps(s.steps),
    intensity_minutes: intensityMinutes(s.heart_rate, maxHeartRate),
    heart_rate: heartRateStats(s.heart_rate),
  };
}

export interface ActivityInput {
  samples: Partial<Record<ActivitySeries, Map<string, Sample[]>>>;
  workouts: WorkoutElevation[];
  sources: Sources;
  includes: (day: string) => boolean;
  maxHeartRate: number;
}

/**
 * The data of one day with each series from the best source that has it (and the workout elevations from the
 * best source that has some); `sourceKey` is the steps source, else the day's best source.
 */
export function composeDay(bySource: Map<string, DayData>, sources: Sources) {
  const bestHaving = (has: (data: DayData) => boolean) =>
    bestSource(
      [...bySource].filter(([, data]) => has(data)).map(([key]) => key),
      sources,
    );
  const data: DayData = { series: {}, elevations: [] };
  for (const series of ACTIVITY_SERIES) {
    const key = bestHaving((d) => (d.series[series]?.length ?? 0) > 0);
    if (key !== undefined) data.series[series] = bySource.get(key)!.series[series];
  }
  const elevationKey = bestHaving((d) => d.elevations.length > 0);
  if (elevationKey !== undefined) data.elevations = bySource.get(elevationKey)!.elevations;
  const sourceKey =
    bestHaving((d) => (d.series.steps?.length ?? 0) > 0) ?? bestSource(bySource.keys(), sources)!;
  return { sourceKey, data };
}

/** One row per included local day (contract 10.1 per field, see above), in ascending date order. */
export function activityDays(input: ActivityInput) {
  const days = new Map<string, Map<string, DayData>>();
  const dataOf = (day: string, sourceKey: string) => {
    const bySource = days.get(day) ?? new Map<string, DayData>();
    days.set(day, bySource);
    const data = bySource.get(sourceKey) ?? { series: {}, elevations: [] };
    bySource.set(sourceKey, data);
    return data;
  };
  for (const series of ACTIVITY_SERIES) {
    for (const [sourceKey, samples] of input.samples[series] ?? []) {
      for (const sample of samples) {
        const day = sampleDay(sample);
        if (!input.includes(day)) continue;
        const data = dataOf(day, sourceKey);
        const list = data.series[series] ?? [];
        list.push(sample);
        data.series[series] = list;
      }
    }
  }
  for (const w of input.workouts) {
    const day = localDate(w.start, w.zoneOffset);
    if (!input.includes(day)) continue;
    const data = dataOf(day, w.sourceKey);
    if (w.elevation !== null) data.elevations.push(w.elevation);
  }
  return [...days]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, bySource]) => {
      const { sourceKey, data } = composeDay(bySource, input.sources);
      return { date, sourceKey, ...summariseDay(data, input.maxHeartRate) };
    });
}

export async function activitySummaries(
  userId: string,
  query: ActivityQuery,
): Promise<z.output<typeof activitySummaryPage>> {
  const range = dayRange(query.startMs, query.endMs);
  const [{ sources }, workouts, ...reads] = await Promise.all([
    loadSources(userId),
    queryEvents(userId, 'workout', range.fromMs, range.toMs, anySource),
    ...ACTIVITY_SERIES.map((series) => readBySourceWithArchive(userId, series, range.fromMs, range.toMs)),
  ]);
  const samples = Object.fromEntries(ACTIVITY_SERIES.map((series, i) => [series, reads[i]!]));
  const rows = activityDays({
    samples,
    workouts: workouts.flatMap((w) =>
      w.category === 'workout'
        ? [
            {
              sourceKey: w.sourceKey,
              start: w.start,
              zoneOffset: w.zoneOffset,
              elevation: w.details.total_elevation_gain ?? null,
            },
          ]
        : [],
    ),
    sources,
    includes: range.includes,
    maxHeartRate: maxHeartRateFor(null),
  });
  const ordered = query.sortOrder === 'desc' ? rows.reverse() : rows;
  const page = keysetPage(ordered, {
    cursor: query.cursor,
    limit: query.limit,
    sortKey: (row) => [row.date, row.sourceKey],
    compare: query.sortOrder === 'desc' ? (a, b) => -compareKeys(a, b) : compareKeys,
    withTotal: false,
  });
  const data = page.data.map(({ date, sourceKey, ...fields }) => ({
    date,
    source: sourceMetadata(sources.get(sourceKey)),
    ...fields,
  }));
  return summaryEnvelope(page, data, query);
}
