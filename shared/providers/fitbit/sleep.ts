import type { HealthEvent, SleepStage, StageInterval } from '#shared/model/health-data.js';
import { EAST_MS, isoDate, readGranted, sleepPath, WEST_MS } from '#shared/providers/fitbit/api.js';
import { fitbitSource } from '#shared/providers/fitbit/mapping.js';
import { localMs, type UserZone, zoneOf } from '#shared/providers/fitbit/zone.js';
import { ProviderRequestError } from '#shared/providers/http.js';
import { isObject, type JsonObject } from '#shared/providers/json.js';
import type { ProviderGet, PullResult, SyncUnit } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';
import { idText, nonNegative, positive } from '#shared/providers/values.js';

/**
 * Sleep logs, `GET /1.2/user/-/sleep/date/{from}/{to}.json` (`{sleep: [...]}`), as sleep events:
 * - start / end = `startTime` / `endTime` (local, no offset: see zone.ts), else start + `duration` ms;
 * - `isMainSleep: false` is a nap; `logId` the external id (a log Fitbit revises replaces ours);
 * - `minutesAsleep` total, `timeInBed` in bed, `efficiency` (0-100), `minutesAwake` awake; for `type: stages` the
 *   deep / light / REM minutes of `levels.summary`;
 * - the stage timeline from `levels.data[] {dateTime, level, seconds}`: `deep`, `light`, `rem`, `wake` (stages)
 *   and `asleep`, `restless`, `awake` (classic, where Fitbit counts restless time as awake). `levels.shortData`
 *   (wakes of up to 3 minutes laid over the stages) is left out: `minutesAwake` counts them already.
 *
 * Units (`sleep:<first UTC date>`): 30-day chunks like the activities', one request each (Fitbit allows 100 days).
 * A log is listed under the local date it ended (`dateOfSleep`), so a chunk asks for the local dates its span may
 * cover under any offset and keeps every log it gets: a night that ended this morning is read by every sync of
 * the day, however late the tracker uploads it. Neighbouring chunks share a date or two; saving is idempotent.
 */

export type SleepEvent = Extract<HealthEvent, { category: 'sleep' }>;

export const SLEEP_UNIT_DAYS = 30;

export const sleepUnits = (start: number, end: number) => dayChunks(start, end, SLEEP_UNIT_DAYS, 'sleep');

const STAGES: Readonly<Record<string, SleepStage>> = {
  deep: 'deep',
  light: 'light',
  rem: 'rem',
  wake: 'awake',
  asleep: 'sleeping',
  restless: 'awake',
  awake: 'awake',
};

function stageIntervals(levels: unknown, zone: UserZone): StageInterval[] {
  const data = isObject(levels) && Array.isArray(levels.data) ? levels.data : [];
  const intervals: StageInterval[] = [];
  for (const entry of data) {
    if (!isObject(entry)) continue;
    const local = localMs(entry.dateTime);
    const seconds = positive(entry.seconds);
    if (local === null || seconds === null) continue;
    const level = typeof entry.level === 'string' ? entry.level : '';
    const start = zone.toUtc(local).ms;
    intervals.push({
      stage: Object.hasOwn(STAGES, level) ? STAGES[level]! : 'unknown',
      start,
      end: start + Math.round(seconds * 1000),
    });
  }
  return intervals.sort((a, b) => a.start - b.start);
}

const wholeMinutes = (value: unknown) => {
  const minutes = nonNegative(value);
  return minutes === null ? null : Math.round(minutes);
};

function stageMinutes(log: JsonObject, stage: string): number | null {
  if (log.type !== 'stages' || !isObject(log.levels) || !isObject(log.levels.summary)) return null;
  const entry = log.levels.summary[stage];
  return isObject(entry) ? wholeMinutes(entry.minutes) : null;
}

/** One sleep log -> a sleep event, or null when it cannot be placed in time. */
export function mapSleepLog(log: unknown, zone: UserZone): SleepEvent | null {
  if (!isObject(log)) return null;
  const startLocal = localMs(log.startTime);
  if (startLocal === null) return null;
  const start = zone.toUtc(startLocal);
  const endLocal = localMs(log.endTime);
  const duration = positive(log.duration);
  const end =
    endLocal !== null ? zone.toUtc(endLocal).ms : duration !== null ? start.ms + Math.round(duration) : null;
  if (end === null || end <= start.ms) return null;
  const efficiency = nonNegative(log.efficiency);
  const stages = stageIntervals(log.levels, zone);
  return {
    category: 'sleep',
    type: 'sleep_session',
    source: fitbitSource({}),
    start: start.ms,
    end,
    zoneOffset: start.zoneOffset,
    durationSeconds: Math.round((end - start.ms) / 1000),
    externalId: idText(log.logId),
    details: {
      sleep_total_duration_minutes: wholeMinutes(log.minutesAsleep),
      sleep_time_in_bed_minutes: wholeMinutes(log.timeInBed) ?? Math.round((end - start.ms) / 60_000),
      sleep_efficiency_score: efficiency !== null && efficiency <= 100 ? efficiency : null,
      sleep_deep_minutes: stageMinutes(log, 'deep'),
      sleep_rem_minutes: stageMinutes(log, 'rem'),
      sleep_light_minutes: stageMinutes(log, 'light'),
      sleep_awake_minutes: wholeMinutes(log.minutesAwake),
      is_nap: log.isMainSleep === false,
      sleep_stages: stages.length > 0 ? stages : null,
    },
  };
}

export async function pullSleep(get: ProviderGet, unit: SyncUnit): Promise<PullResult> {
  const zone = await zoneOf(get);
  const body = await readGranted(
    get,
    sleepPath(isoDate(unit.start - WEST_MS), isoDate(unit.end - 1 + EAST_MS)),
  );
  if (body === null) return { series: [], events: [], scores: [] };
  if (!isObject(body) || !Array.isArray(body.sleep))
    throw new ProviderRequestError(200, `unexpected sleep body: ${JSON.stringify(body).slice(0, 300)}`);
  const events = body.sleep.map((log) => mapSleepLog(log, zone)).filter((event) => event !== null);
  return { series: [], events, scores: [] };
}
