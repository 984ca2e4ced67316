import type { HealthEvent, SleepDetails, SleepStage, StageInterval } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import {
  instantLiteral,
  instantOf,
  offsetOf,
  pullSessions,
  rangeFilter,
  sourceOf,
} from '#shared/providers/google-health/common.js';
import { isObject, type JsonObject, textOf } from '#shared/providers/json.js';
import type { ProviderGet } from '#shared/providers/types.js';
import { nonNegative } from '#shared/providers/values.js';

/**
 * Sleep sessions (providers.md 4.9): `GET .../dataTypes/sleep/dataPoints`, 25 a page (the API's maximum for
 * sessions), filtered on `sleep.interval.end_time` (the session field the API filters sleep by). A session belongs to
 * the window its start is in; the end filter reaches a day past the window so a night starting in it is found.
 * Naps are sessions with `metadata.nap`. The event is Google's record: its `name` is the external id.
 */

export type SleepEvent = Extract<HealthEvent, { category: 'sleep' }> & { externalId: string };

/** Longer than any sleep session: how far past a window the end filter reaches. */
const MAX_SESSION_MS = 86_400_000;

const STAGES: Readonly<Record<string, SleepStage>> = {
  AWAKE: 'awake',
  LIGHT: 'light',
  DEEP: 'deep',
  REM: 'rem',
  ASLEEP: 'sleeping',
  RESTLESS: 'unknown',
};

function stageTimeline(stages: unknown): StageInterval[] | null {
  if (!Array.isArray(stages)) return null;
  const intervals: StageInterval[] = [];
  for (const entry of stages) {
    if (!isObject(entry)) continue;
    const stage = STAGES[textOf(entry.type) ?? ''] ?? 'unknown';
    const start = instantOf(entry.startTime);
    const end = instantOf(entry.endTime);
    if (start !== null && end !== null && end > start) intervals.push({ stage, start, end });
  }
  return intervals.length > 0 ? intervals.sort((a, b) => a.start - b.start) : null;
}

/** `stagesSummary[type].minutes`, null when the stage is not listed. */
function stageMinutes(summary: JsonObject, type: string): number | null {
  if (!Array.isArray(summary.stagesSummary)) return null;
  const entry = summary.stagesSummary.find((s) => isObject(s) && s.type === type);
  return isObject(entry) ? nonNegative(entry.minutes) : null;
}

function sleepDetails(sleep: JsonObject): SleepDetails {
  const summary = isObject(sleep.summary) ? sleep.summary : {};
  const inBed = nonNegative(summary.minutesInSleepPeriod);
  const asleep = nonNegative(summary.minutesAsleep);
  const metadata = isObject(sleep.metadata) ? sleep.metadata : {};
  return {
    sleep_total_duration_minutes: asleep,
    sleep_time_in_bed_minutes: inBed,
    sleep_efficiency_score:
      asleep !== null && inBed ? Math.min(100, roundTo((asleep / inBed) * 100, 1)) : null,
    sleep_deep_minutes: stageMinutes(summary, 'DEEP'),
    sleep_rem_minutes: stageMinutes(summary, 'REM'),
    sleep_light_minutes: stageMinutes(summary, 'LIGHT'),
    sleep_awake_minutes: stageMinutes(summary, 'AWAKE') ?? nonNegative(summary.minutesAwake),
    is_nap: metadata.nap === true,
    sleep_stages: stageTimeline(sleep.stages),
  };
}

/** One sleep data point -> a sleep event; null when it has no id, start or end. */
export function mapSleep(point: unknown): SleepEvent | null {
  if (!isObject(point) || !isObject(point.sleep)) return null;
  const sleep = point.sleep;
  const interval = isObject(sleep.interval) ? sleep.interval : {};
  const start = instantOf(interval.startTime);
  const end = instantOf(interval.endTime);
  const metadata = isObject(sleep.metadata) ? sleep.metadata : {};
  const externalId = textOf(point.name) ?? textOf(metadata.externalId);
  if (start === null || end === null || end < start || externalId === null) return null;
  return {
    category: 'sleep',
    type: 'sleep_session',
    source: sourceOf(point),
    start,
    end,
    zoneOffset: offsetOf(interval.startUtcOffset),
    durationSeconds: Math.round((end - start) / 1000),
    externalId,
    details: sleepDetails(sleep),
  };
}

export const sleepFilter = (start: number, end: number) =>
  rangeFilter('sleep.interval.end_time', instantLiteral(start), instantLiteral(end + MAX_SESSION_MS));

/** Sessions starting in `[start, end)`, and how many points did not map. */
export const pullSleep = (get: ProviderGet, start: number, end: number) =>
  pullSessions(get, 'sleep', sleepFilter(start, end), mapSleep, start, end);
