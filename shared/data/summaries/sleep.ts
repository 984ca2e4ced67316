import type * as z from 'zod/mini';
import { isArchived, meanWithArchive, readBySourceWithArchive } from '#shared/archival/archived-reads.js';
import { compareKeys, keysetPage } from '#shared/data/paging.js';
import { localDate, sourceMetadata } from '#shared/data/source-metadata.js';
import {
  anySource,
  bestSource,
  DAY_MS,
  dayRange,
  loadSources,
  type Sources,
  type SummaryQuery,
  summaryEnvelope,
} from '#shared/data/summaries/common.js';
import type { sleepSummaryPage } from '#shared/data/summaries/schemas.js';
import { ASLEEP_STAGES, type Sample } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import type { SeriesType } from '#shared/model/series.js';
import { apiDateTime } from '#shared/model/time.js';
import { queryEvents, type StoredEvent } from '#shared/store/events.js';

/**
 * `GET /users/{id}/summaries/sleep` (contract 4.7): one row per wake-up local date. Fields follow the per-field
 * source rule of the activity summary: the sessions, times and durations come from that night's best source
 * (`source`); efficiency and stages from the best source that reported them for the night; each physiological
 * average from the best source with samples in the night's window. The priority choice is made over all nights
 * before paging, so `has_more` and the cursors are exact (the reference filtered after its `limit + 1` fetch,
 * contract 13.19).
 *
 * `interruptions_count` (always null in the reference) is the number of awake stretches inside the main
 * session: runs of `awake` stage intervals after its first and before its last sleep-stage interval; null when
 * the main session carries no stage intervals.
 */

export type SleepEvent = Extract<StoredEvent, { category: 'sleep' }>;

export interface Night {
  date: string;
  sourceKey: string;
  /** The winning source's sessions of the night, by start. */
  sessions: SleepEvent[];
  /** The non-nap sessions of every source of the night, for the fields the winner did not report. */
  bySource: Map<string, SleepEvent[]>;
}

/** How far before its wake-up date a night's sessions may start (long sleep plus the widest zone offset). */
export const NIGHT_LOOKBACK_MS = 2 * DAY_MS;

const ASLEEP = new Set<string>(ASLEEP_STAGES);

export const wakeDate = (e: SleepEvent) => localDate(e.end, e.zoneOffset);

/** Per wake-up date (ascending), the sessions of the best source of that date (contract 10.1). */
export function nightsByWakeDate(events: SleepEvent[], sources: Sources, includes: (day: string) => boolean) {
  const byDate = new Map<string, SleepEvent[]>();
  for (const e of events) {
    const date = wakeDate(e);
    if (!includes(date)) continue;
    const list = byDate.get(date) ?? [];
    list.push(e);
    byDate.set(date, list);
  }
  return [...byDate]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, sessions]): Night => {
      const ordered = [...sessions].sort((a, b) => a.start - b.start || a.end - b.end);
      const bySource = new Map<string, SleepEvent[]>();
      for (const s of ordered) {
        if (s.details.is_nap) continue;
        const list = bySource.get(s.sourceKey);
        if (list) list.push(s);
        else bySource.set(s.sourceKey, [s]);
      }
      const sourceKey = bestSource(new Set(sessions.map((s) => s.sourceKey)), sources)!;
      return { date, sourceKey, sessions: ordered.filter((s) => s.sourceKey === sourceKey), bySource };
    });
}

/** Time in bed of a session, in (fractional) minutes. */
export const spanMinutes = (e: SleepEvent) => (e.durationSeconds ?? (e.end - e.start) / 1000) / 60;
/** Net sleep when the provider reported it, else the session's length. */
export const sleepMinutes = (e: SleepEvent) => e.details.sleep_total_duration_minutes ?? spanMinutes(e);

/** The longest non-nap session (the earliest of equally long ones). */
export function mainSession(sessions: SleepEvent[]): SleepEvent | undefined {
  let main: SleepEvent | undefined;
  for (const s of sessions) {
    if (s.details.is_nap) continue;
    if (!main || s.end - s.start > main.end - main.start) main = s;
  }
  return main;
}

export function interruptions(session: SleepEvent): number | null {
  const stages = session.details.sleep_stages;
  if (!stages || stages.length === 0) return null;
  const ordered = [...stages].sort((a, b) => a.start - b.start);
  const firstSleep = ordered.findIndex((i) => ASLEEP.has(i.stage));
  const lastSleep = ordered.findLastIndex((i) => ASLEEP.has(i.stage));
  if (firstSleep < 0) return 0;
  let count = 0;
  let awake = false;
  for (const interval of ordered.slice(firstSleep, lastSleep + 1)) {
    if (interval.stage === 'awake') {
      if (!awake) count++;
      awake = true;
    } else if (ASLEEP.has(interval.stage)) awake = false;
  }
  return count;
}

/** Duration-weighted mean efficiency (0 counts as not reported, as in the sleep events). */
function efficiency(sessions: SleepEvent[]): number | null {
  let weighted = 0;
  let weight = 0;
  for (const s of sessions) {
    const value = s.details.sleep_efficiency_score;
    if (!value) continue;
    const minutes = spanMinutes(s);
    weighted += value * minutes;
    weight += minutes;
  }
  return weight > 0 ? roundTo(weighted / weight, 2) : null;
}

function stages(sessions: SleepEvent[]) {
  const withStages = sessions.filter((s) => {
    const d = s.details;
    return (
      d.sleep_awake_minutes !== null ||
      d.sleep_light_minutes !== null ||
      d.sleep_deep_minutes !== null ||
      d.sleep_rem_minutes !== null
    );
  });
  if (withStages.length === 0) return null;
  const total = (pick: (s: SleepEvent) => number | null) =>
    Math.round(withStages.reduce((sum, s) => sum + (pick(s) ?? 0), 0));
  return {
    awake_minutes: total((s) => s.details.sleep_awake_minutes),
    light_minutes: total((s) => s.details.sleep_light_minutes),
    deep_minutes: total((s) => s.details.sleep_deep_minutes),
    rem_minutes: total((s) => s.details.sleep_rem_minutes),
  };
}

const sumMinutes = (sessions: SleepEvent[], minutes: (e: SleepEvent) => number) =>
  sessions.length === 0 ? null : Math.round(sessions.reduce((sum, s) => sum + minutes(s), 0));

/** The window physiological averages are taken over: [first start, last end) of the non-nap sessions. */
export function physiologyWindow(night: Night): { fromMs: number; toMs: number } | null {
  const nonNaps = night.sessions.filter((s) => !s.details.is_nap);
  if (nonNaps.length === 0) return null;
  return { fromMs: Math.min(...nonNaps.map((s) => s.start)), toMs: Math.max(...nonNaps.map((s) => s.end)) };
}

/** The non-nap sessions of the best source of the night for which `has` holds (none: empty). */
function bestReporting(night: Night, sources: Sources, has: (sessions: SleepEvent[]) => boolean) {
  const reporting = [...night.bySource].filter(([, sessions]) => has(sessions));
  const key = bestSource(
    reporting.map(([k]) => k),
    sources,
  );
  return key === undefined ? [] : night.bySource.get(key)!;
}

/** The summary fields that come from the sessions themselves (physiology excluded). */
export function summariseNight(night: Night, sources: Sources) {
  const nonNaps = night.sessions.filter((s) => !s.details.is_nap);
  const naps = night.sessions.filter((s) => s.details.is_nap);
  const main = mainSession(night.sessions);
  const efficiencySessions = bestReporting(night, sources, (list) => efficiency(list) !== null);
  const stagedSessions = bestReporting(night, sources, (list) => stages(list) !== null);
  const stagedMain = mainSession(stagedSessions);
  const duration = sumMinutes(nonNaps, sleepMinutes);
  const napMinutes = sumMinutes(naps, sleepMinutes) ?? 0;
  return {
    start_time: main ? apiDateTime(new Date(main.start)) : null,
    end_time: main ? apiDateTime(new Date(main.end)) : null,
    zone_offset: main ? main.zoneOffset : null,
    duration_minutes: duration,
    total_duration_minutes: duration === null && naps.length === 0 ? null : (duration ?? 0) + napMinutes,
    time_in_bed_minutes: sumMinutes(nonNaps, (s) => s.details.sleep_time_in_bed_minutes ?? spanMinutes(s)),
    efficiency_percent: efficiency(efficiencySessions),
    stages: stages(stagedSessions),
    interruptions_count: stagedMain ? interruptions(stagedMain) : main ? interruptions(main) : null,
    nap_count: naps.length,
    nap_duration_minutes: napMinutes,
    sessions:
      night.sessions.length === 0
        ? null
        : night.sessions.map((s) => ({
            start_time: apiDateTime(new Date(s.start)),
            end_time: apiDateTime(new Date(s.end)),
            zone_offset: s.zoneOffset,
            duration_minutes: Math.round(sleepMinutes(s)),
            is_nap: s.details.is_nap,
          })),
  };
}

const PHYSIOLOGY: Array<[SeriesType, digits: number | 'int']> = [
  ['heart_rate', 'int'],
  ['heart_rate_variability_sdnn', 1],
  ['heart_rate_variability_rmssd', 1],
  ['respiratory_rate', 1],
  ['oxygen_saturation', 1],
];

/** A sample in a window; an archived day (archival/archived-reads.ts) when it overlaps the window. */
const inWindow = (s: Sample, w: { fromMs: number; toMs: number }) =>
  isArchived(s)
    ? s.timestamp < w.toMs && s.timestamp + DAY_MS > w.fromMs
    : s.timestamp >= w.fromMs && s.timestamp < w.toMs;

/**
 * Mean of each physiological series over each window, from the best source with samples in it; an archived day
 * stands for its samples (its mean, with their weight).
 */
async function physiology(
  userId: string,
  windows: Array<{ fromMs: number; toMs: number } | null>,
  sources: Sources,
) {
  const present = windows.filter((w) => w !== null);
  const empty = () => windows.map(() => null as number | null);
  if (present.length === 0) return PHYSIOLOGY.map(empty);
  const fromMs = Math.min(...present.map((w) => w.fromMs));
  const toMs = Math.max(...present.map((w) => w.toMs));
  return Promise.all(
    PHYSIOLOGY.map(async ([series, digits]) => {
      // From the first window's UTC day start: the archived day it starts in.
      const bySource = await readBySourceWithArchive(userId, series, fromMs - (fromMs % DAY_MS), toMs);
      return windows.map((w) => {
        if (!w) return null;
        const windowed = new Map(
          [...bySource].map(([key, samples]) => [key, samples.filter((s) => inWindow(s, w))]),
        );
        const key = bestSource(
          [...windowed].filter(([, samples]) => samples.length > 0).map(([k]) => k),
          sources,
        );
        const avg = key === undefined ? null : meanWithArchive(windowed.get(key)!);
        return digits === 'int' ? (avg === null ? null : Math.round(avg)) : roundTo(avg, digits);
      });
    }),
  );
}

/** The user's nights whose wake-up date lies in the summary range. */
export async function loadNights(userId: string, startMs: number, endMs: number) {
  const range = dayRange(startMs, endMs);
  const { sources } = await loadSources(userId);
  const events = await queryEvents(userId, 'sleep', range.fromMs - NIGHT_LOOKBACK_MS, range.toMs, anySource);
  const sleeps = events.filter((e): e is SleepEvent => e.category === 'sleep');
  return { nights: nightsByWakeDate(sleeps, sources, range.includes), sources };
}

export async function sleepSummaries(
  userId: string,
  query: SummaryQuery,
): Promise<z.output<typeof sleepSummaryPage>> {
  const { nights, sources } = await loadNights(userId, query.startMs, query.endMs);
  const page = keysetPage(nights, {
    cursor: query.cursor,
    limit: query.limit,
    sortKey: (n) => [n.date, n.sourceKey],
    compare: compareKeys,
    withTotal: false,
  });
  const [hr, sdnn, rmssd, respiratory, spo2] = await physiology(
    userId,
    page.data.map(physiologyWindow),
    sources,
  );
  const data = page.data.map((night, i) => ({
    date: night.date,
    source: sourceMetadata(sources.get(night.sourceKey)),
    ...summariseNight(night, sources),
    avg_heart_rate_bpm: hr![i] ?? null,
    avg_hrv_sdnn_ms: sdnn![i] ?? null,
    avg_hrv_rmssd_ms: rmssd![i] ?? null,
    avg_respiratory_rate: respiratory![i] ?? null,
    avg_spo2_percent: spo2![i] ?? null,
  }));
  return summaryEnvelope(page, data, query);
}
