import { sourceKey } from '#shared/ingest/sdk-collect.js';
import type { SleepSegment } from '#shared/ingest/sdk-normalise.js';
import { zoneOffsetMinutes } from '#shared/ingest/sdk-payload.js';
import {
  ASLEEP_STAGES,
  type HealthEvent,
  type SleepStage,
  type StageInterval,
} from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import {
  DEFAULT_PRIORITIES,
  deviceTypePriority,
  inferDeviceType,
  providerPriority,
  type SourcePriorities,
} from '#shared/model/sources.js';

/**
 * Sleep assembly for SDK stage segments (contract 6.3.4), pure: the caller keeps the open segments and the
 * finalised nights between batches. Every result is a function of the set of segments only, so a night sent
 * in any number of batches, in any order, any number of times, ends up as the same single session.
 *
 * Segments of several sources of one user (an iPhone's `in_bed`, the Watch's stages) make one night, as in the
 * reference; unlike the reference, which lets the earlier of two overlapping stages win whatever wrote it, the
 * night's stages are those of its best source (the most detailed stages, then contract 10.1 priority), and its
 * time in bed is the union of every source's in-bed time. The night belongs to that best source.
 */

export type SleepEvent = Extract<HealthEvent, { category: 'sleep' }>;

/**
 * A finalised night: the event plus the raw segments it was built from. `sleep_stages` cannot be merged
 * exactly (in-bed envelopes, generic stages and other sources' stages are removed from it, overlaps already
 * clipped), so the caller stores `segments` with the event, regroups them with later segments and rebuilds.
 */
export type SleepNight<T extends SleepSegment = SleepSegment> = SleepEvent & { segments: T[] };

/** The reference's SLEEP_END_GAP_MINUTES. */
export const SLEEP_END_GAP_MINUTES = 120;

const MINUTE = 60_000;
const OPENING_STAGES = new Set<SleepStage>(['in_bed', 'sleeping', 'light', 'deep', 'rem']);
const DETAILED_STAGES = new Set<SleepStage>(['light', 'deep', 'rem']);

/**
 * The reference stores every SDK session as a night (is_nap false). Ours: a session with less than 3 h of
 * sleep that starts between 10:00 and 19:59 local time (its zone offset, else UTC) is a nap; a short night
 * or a long daytime sleep (shift work) is not.
 */
const NAP_MAX_SLEEP_MINUTES = 180;
const NAP_LOCAL_HOURS = { from: 10, to: 20 };

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const tieBreak = ({ externalId, zoneOffset, source }: SleepSegment) =>
  JSON.stringify([
    externalId,
    zoneOffset,
    source.provider,
    source.deviceModel,
    source.sourceName,
    source.softwareVersion,
    source.originalSourceName,
  ]);

/** A total order, so that which of two duplicates survives never depends on the order they arrived in. */
const compareSegments = (a: SleepSegment, b: SleepSegment) =>
  a.start - b.start ||
  a.end - b.end ||
  compareText(a.stage, b.stage) ||
  compareText(tieBreak(a), tieBreak(b));

/** Sorted, one per (source, start, end, stage). */
function uniqueSegments<T extends SleepSegment>(segments: T[]): T[] {
  const seen = new Set<string>();
  return [...segments].sort(compareSegments).filter((segment) => {
    const key = `${sourceKey(segment.source)}|${segment.start}|${segment.end}|${segment.stage}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Splits one source's segments into sessions. Only a sleep or in-bed segment opens a session (awake/unknown
 * before one are ignored); a segment starting more than the gap after the session's latest end opens the next.
 */
export function groupSegmentsIntoSessions<T extends SleepSegment>(
  segments: T[],
  gapMinutes = SLEEP_END_GAP_MINUTES,
): T[][] {
  const sessions: T[][] = [];
  let current: T[] | null = null;
  let windowEnd = Number.NEGATIVE_INFINITY;
  for (const segment of uniqueSegments(segments)) {
    if (current && segment.start - windowEnd > gapMinutes * MINUTE) current = null;
    if (!current) {
      if (!OPENING_STAGES.has(segment.stage)) continue;
      current = [];
      sessions.push(current);
    }
    current.push(segment);
    windowEnd = Math.max(windowEnd, segment.end);
  }
  return sessions;
}

type Interval = { start: number; end: number };

const latestEnd = (intervals: Interval[]) => Math.max(...intervals.map((interval) => interval.end));
const earliestStart = (intervals: Interval[]) => Math.min(...intervals.map((interval) => interval.start));

/** No segment can join any more: the session's latest end is at least the gap before `nowMs`. */
export function isReadyToFinalise(
  session: SleepSegment[],
  nowMs: number,
  gapMinutes = SLEEP_END_GAP_MINUTES,
) {
  return session.length > 0 && nowMs - latestEnd(session) >= gapMinutes * MINUTE;
}

/**
 * The stage timeline: detailed stages make generic `sleeping` redundant; `in_bed` is an envelope around the
 * stages, counted through time in bed, and only stands in as `sleeping` when nothing else was recorded.
 * Overlaps are clipped, the earlier segment winning.
 */
function stageTimeline(segments: SleepSegment[]): StageInterval[] {
  const detailed = segments.some((segment) => DETAILED_STAGES.has(segment.stage));
  const onlyInBed = segments.every((segment) => segment.stage === 'in_bed');
  const kept = onlyInBed
    ? segments.map((segment) => ({ ...segment, stage: 'sleeping' as const }))
    : segments.filter((segment) => segment.stage !== 'in_bed' && !(detailed && segment.stage === 'sleeping'));
  const timeline: StageInterval[] = [];
  let cursor = Number.NEGATIVE_INFINITY;
  for (const { stage, start, end } of kept) {
    if (Math.max(start, cursor) < end) timeline.push({ stage, start: Math.max(start, cursor), end });
    cursor = Math.max(cursor, end);
  }
  return timeline;
}

function unionLength(intervals: Interval[]): number {
  let total = 0;
  let cursor = Number.NEGATIVE_INFINITY;
  for (const { start, end } of [...intervals].sort((a, b) => a.start - b.start)) {
    total += Math.max(0, end - Math.max(start, cursor));
    cursor = Math.max(cursor, end);
  }
  return total;
}

const durationOf = (intervals: StageInterval[], ...stages: SleepStage[]) =>
  intervals.filter((i) => stages.includes(i.stage)).reduce((total, i) => total + i.end - i.start, 0);

const minutes = (ms: number) => Math.round(ms / MINUTE);

function isNap(start: number, zoneOffset: string | null, asleepMs: number): boolean {
  const localHour = new Date(start + (zoneOffsetMinutes(zoneOffset ?? 'Z') ?? 0) * MINUTE).getUTCHours();
  return (
    asleepMs < NAP_MAX_SLEEP_MINUTES * MINUTE &&
    localHour >= NAP_LOCAL_HOURS.from &&
    localHour < NAP_LOCAL_HOURS.to
  );
}

const detailRank = (segments: SleepSegment[]) =>
  segments.some((s) => DETAILED_STAGES.has(s.stage)) ? 0 : segments.some((s) => s.stage !== 'in_bed') ? 1 : 2;

/** Lower is better: how detailed the source's stages are, then its provider and device type (contract 10.1). */
function stageRank(list: SleepSegment[], priorities: SourcePriorities): number[] {
  const { source } = list[0]!;
  return [
    detailRank(list),
    providerPriority(source.provider, priorities),
    deviceTypePriority(inferDeviceType(source.deviceModel, source.sourceName), priorities),
  ];
}

/** The segments of the session's best source for stages; ties go to the smaller source key, for determinism. */
function stageSource<T extends SleepSegment>(segments: T[], priorities: SourcePriorities): T[] {
  const bySource = new Map<string, T[]>();
  for (const segment of segments) {
    const key = sourceKey(segment.source);
    const list = bySource.get(key);
    if (list) list.push(segment);
    else bySource.set(key, [segment]);
  }
  const ranked = [...bySource].map(([key, list]) => ({ key, list, rank: stageRank(list, priorities) }));
  ranked.sort(
    (a, b) => a.rank.reduce((order, r, i) => order || r - b.rank[i]!, 0) || compareText(a.key, b.key),
  );
  return ranked[0]!.list;
}

/**
 * Finalises one session (contract 6.3.4) of segments with end > start, as normaliseSdkBatch guarantees; the
 * window is that of the cleaned stage timeline of the best source by `priorities` (the stored ones,
 * store/priorities.ts, loaded by the caller).
 */
export function buildSleepEvent<T extends SleepSegment>(
  session: T[],
  priorities: SourcePriorities = DEFAULT_PRIORITIES,
): SleepNight<T> {
  const segments = uniqueSegments(session);
  if (segments.length === 0) throw new RangeError('A sleep session needs at least one segment');
  const staged = stageSource(segments, priorities);
  const first = staged[0]!;
  const timeline = stageTimeline(staged);
  const start = earliestStart(timeline);
  const end = latestEnd(timeline);
  const asleepMs = durationOf(timeline, ...ASLEEP_STAGES);
  const awakeMs = durationOf(timeline, 'awake');
  const inBed = segments.filter((segment) => segment.stage === 'in_bed');
  const inBedMs = inBed.length > 0 ? unionLength(inBed) : unionLength(timeline);
  const timeInBedMs = Math.max(inBedMs, asleepMs + awakeMs);
  const detailed = timeline.some((interval) => DETAILED_STAGES.has(interval.stage));
  const detailedMinutes = (stage: SleepStage) => (detailed ? minutes(durationOf(timeline, stage)) : null);
  const zoneOffset =
    [...staged, ...segments].find((segment) => segment.zoneOffset !== null)?.zoneOffset ?? null;
  return {
    category: 'sleep',
    type: 'sleep_session',
    source: first.source,
    start,
    end,
    zoneOffset,
    durationSeconds: Math.round((end - start) / 1000),
    externalId: staged.find((segment) => segment.externalId !== null)?.externalId ?? null,
    details: {
      sleep_total_duration_minutes: minutes(asleepMs),
      sleep_time_in_bed_minutes: minutes(timeInBedMs),
      sleep_efficiency_score: timeInBedMs > 0 ? roundTo((asleepMs / timeInBedMs) * 100, 2) : null,
      sleep_deep_minutes: detailedMinutes('deep'),
      sleep_rem_minutes: detailedMinutes('rem'),
      sleep_light_minutes: detailedMinutes('light'),
      sleep_awake_minutes: minutes(awakeMs),
      is_nap: isNap(start, zoneOffset, asleepMs),
      sleep_stages: timeline,
    },
    segments,
  };
}
