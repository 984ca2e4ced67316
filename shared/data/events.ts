import type * as z from 'zod/mini';
import { compareKeys, keysetPage } from '#shared/data/paging.js';
import type { menstrualCyclePage, sleepSessionPage, workoutPage } from '#shared/data/schemas.js';
import { compareSourcePriority, localDate, sourceMetadata } from '#shared/data/source-metadata.js';
import { notFound } from '#shared/http/errors.js';
import type { StageInterval } from '#shared/model/health-data.js';
import type { SourcePriorities } from '#shared/model/sources.js';
import { apiDateTime } from '#shared/model/time.js';
import { PACE_WORKOUT_TYPES } from '#shared/model/workout-types.js';
import { forgetDigests } from '#shared/store/connection-leases.js';
import { type DataSourceRecord, dataSourcesByKey, sourceRefOf } from '#shared/store/data-sources.js';
import { deleteEvent, type EventCategory, queryEvents, type StoredEvent } from '#shared/store/events.js';
import { loadSourcePriorities } from '#shared/store/priorities.js';
import { readSeriesSamples } from '#shared/store/series-read.js';

type Of<C extends EventCategory> = Extract<StoredEvent, { category: C }>;

export interface EventQuery {
  startMs: number;
  endMs: number;
  cursor?: string | undefined;
  limit: number;
}

const nullIfZero = (value: number | null | undefined) => (value ? value : null);
const int = (value: number | null | undefined) =>
  value === null || value === undefined ? null : Math.round(value);

async function loadEvents<C extends EventCategory>(userId: string, category: C, query: EventQuery) {
  const sources = await dataSourcesByKey(userId);
  const refOf = (key: string) => {
    const record = sources.get(key);
    return record
      ? sourceRefOf(record)
      : {
          provider: 'unknown' as const,
          deviceModel: null,
          sourceName: null,
          softwareVersion: null,
          originalSourceName: null,
        };
  };
  const events = (await queryEvents(userId, category, query.startMs, query.endMs, refOf)) as Of<C>[];
  const matching = events.filter((e) =>
    category === 'menstrual_cycle'
      ? e.start >= query.startMs && e.start < query.endMs
      : e.start >= query.startMs && e.end < query.endMs,
  );
  return { events: matching, sources };
}

/** Newest first, by (start, id), as the contract orders events. */
function page<T extends StoredEvent>(events: T[], query: EventQuery) {
  return keysetPage(events, {
    cursor: query.cursor,
    limit: query.limit,
    sortKey: (e) => [new Date(e.start).toISOString(), e.id],
    compare: (a, b) => -compareKeys(a, b),
  });
}

function envelope<T>(result: ReturnType<typeof page>, data: T[], query: EventQuery) {
  return {
    data,
    pagination: result.pagination,
    metadata: {
      resolution: null,
      sample_count: data.length,
      start_time: apiDateTime(new Date(query.startMs)),
      end_time: apiDateTime(new Date(query.endMs)),
    },
  };
}

/** Average and maximum heart rate of each workout lacking them, from the heart-rate samples in its window. */
async function heartRateFill(userId: string, workouts: Of<'workout'>[]) {
  const missing = workouts.filter(
    (w) => w.details.heart_rate_avg == null || w.details.heart_rate_max == null,
  );
  if (missing.length === 0) return new Map<string, { avg: number; max: number }>();
  const from = Math.min(...missing.map((w) => w.start));
  const to = Math.max(...missing.map((w) => w.end)) + 1;
  const { sources } = await readSeriesSamples(userId, 'heart_rate', from, to);
  const samples = sources.flatMap((s) => s.samples);
  const fill = new Map<string, { avg: number; max: number }>();
  for (const w of missing) {
    const inWindow = samples
      .filter((s) => s.timestamp >= w.start && s.timestamp <= w.end)
      .map((s) => s.value);
    if (inWindow.length > 0) {
      fill.set(w.id, {
        avg: inWindow.reduce((a, b) => a + b, 0) / inWindow.length,
        max: Math.max(...inWindow),
      });
    }
  }
  return fill;
}

/**
 * A maximum from the samples in the window, unless the provider's own average is above it: then the samples are not
 * the workout's (another device, or none during it) and the maximum is unknown.
 */
const filledMax = (avg: number | null | undefined, max: number | undefined) =>
  max !== undefined && (avg == null || max >= avg) ? max : undefined;

export async function listWorkouts(
  userId: string,
  query: EventQuery & { recordType?: string | undefined },
): Promise<z.output<typeof workoutPage>> {
  const { events, sources } = await loadEvents(userId, 'workout', query);
  const needle = query.recordType?.toLowerCase();
  const filtered = needle
    ? events.filter((e) => (e.type ?? 'unknown').toLowerCase().includes(needle))
    : events;
  const result = page(filtered, query);
  const fill = await heartRateFill(userId, result.data);
  const data = result.data.map((w) => {
    const d = w.details;
    const distance = nullIfZero(d.distance);
    const duration = w.durationSeconds ?? Math.round((w.end - w.start) / 1000);
    return {
      id: w.id,
      type: w.type ?? 'unknown',
      name: null,
      start_time: apiDateTime(new Date(w.start)),
      end_time: apiDateTime(new Date(w.end)),
      zone_offset: w.zoneOffset,
      duration_seconds: w.durationSeconds,
      source: sourceMetadata(sources.get(w.sourceKey)),
      calories_kcal: nullIfZero(d.energy_burned),
      distance_meters: distance,
      avg_heart_rate_bpm: int(d.heart_rate_avg ?? fill.get(w.id)?.avg),
      max_heart_rate_bpm: int(d.heart_rate_max ?? filledMax(d.heart_rate_avg, fill.get(w.id)?.max)),
      avg_pace_sec_per_km:
        distance && duration && PACE_WORKOUT_TYPES.has(w.type ?? '')
          ? Math.round((duration / (distance / 1000)) * 10) / 10
          : null,
      elevation_gain_meters: nullIfZero(d.total_elevation_gain),
    };
  });
  return envelope(result, data, query);
}

const intervalView = (i: StageInterval) => ({
  stage: i.stage,
  start_time: apiDateTime(new Date(i.start)),
  end_time: apiDateTime(new Date(i.end)),
});

/** Per wake-up date, only the sessions of the best source by the priorities in force (contract 10.1). */
function bestSourcePerNight(
  events: Of<'sleep'>[],
  sources: Map<string, DataSourceRecord>,
  priorities: SourcePriorities,
) {
  const better = (a: string, b: string) =>
    compareSourcePriority(sources.get(a), sources.get(b), priorities) < 0;
  const winner = new Map<string, string>();
  for (const e of events) {
    const night = localDate(e.end, e.zoneOffset);
    const current = winner.get(night);
    if (current === undefined || better(e.sourceKey, current)) {
      winner.set(night, e.sourceKey);
    }
  }
  return events.filter((e) => winner.get(localDate(e.end, e.zoneOffset)) === e.sourceKey);
}

export async function listSleepSessions(
  userId: string,
  query: EventQuery & { filterByPriority: boolean },
): Promise<z.output<typeof sleepSessionPage>> {
  const [{ events, sources }, priorities] = await Promise.all([
    loadEvents(userId, 'sleep', query),
    query.filterByPriority ? loadSourcePriorities() : undefined,
  ]);
  const result = page(priorities ? bestSourcePerNight(events, sources, priorities) : events, query);
  const data = result.data.map((s) => {
    const d = s.details;
    return {
      id: s.id,
      start_time: apiDateTime(new Date(s.start)),
      end_time: apiDateTime(new Date(s.end)),
      zone_offset: s.zoneOffset,
      source: sourceMetadata(sources.get(s.sourceKey)),
      duration_seconds: s.durationSeconds ?? 0,
      sleep_duration_seconds:
        d.sleep_total_duration_minutes === null ? null : d.sleep_total_duration_minutes * 60,
      efficiency_percent: nullIfZero(d.sleep_efficiency_score),
      stages: {
        awake_minutes: d.sleep_awake_minutes ?? 0,
        light_minutes: d.sleep_light_minutes ?? 0,
        deep_minutes: d.sleep_deep_minutes ?? 0,
        rem_minutes: d.sleep_rem_minutes ?? 0,
      },
      sleep_stage_intervals: d.sleep_stages ? d.sleep_stages.map(intervalView) : null,
      is_nap: d.is_nap,
    };
  });
  return envelope(result, data, query);
}

export async function listMenstrualCycles(
  userId: string,
  query: EventQuery,
): Promise<z.output<typeof menstrualCyclePage>> {
  const { events, sources } = await loadEvents(userId, 'menstrual_cycle', query);
  const result = page(events, query);
  const data = result.data.map((m) => {
    const { last_updated_at, ...details } = m.details;
    return {
      id: m.id,
      start_time: apiDateTime(new Date(m.start)),
      end_time: apiDateTime(new Date(m.end)),
      zone_offset: m.zoneOffset,
      source: sourceMetadata(sources.get(m.sourceKey)),
      current_phase: null,
      current_phase_type: null,
      day_in_cycle: null,
      cycle_length: null,
      predicted_cycle_length: null,
      is_predicted_cycle: null,
      period_length: null,
      length_of_current_phase: null,
      days_until_next_phase: null,
      fertile_window_start: null,
      length_of_fertile_window: null,
      has_specified_cycle_length: null,
      has_specified_period_length: null,
      pregnancy_snapshot: null,
      ...details,
      last_updated_at: last_updated_at ? apiDateTime(new Date(last_updated_at)) : null,
    };
  });
  return envelope(result, data, query);
}

const NOT_FOUND: Record<EventCategory, string> = {
  workout: 'Workout not found',
  sleep: 'Sleep session not found',
  menstrual_cycle: 'Menstrual cycle record not found',
};

export async function removeEvent(userId: string, category: EventCategory, id: string): Promise<void> {
  if (!(await deleteEvent(userId, category, id))) throw notFound(NOT_FOUND[category]);
  await forgetDigests(userId);
}
