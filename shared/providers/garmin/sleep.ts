import type {
  HealthEvent,
  HealthScore,
  SleepDetails,
  SleepStage,
  SourceRef,
  StageInterval,
} from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import { garminSource, offsetEntries, startOf } from '#shared/providers/garmin/common.js';
import { isObject, type JsonObject, numberOf, textOf } from '#shared/providers/json.js';
import { outputOf, type PullOutput } from '#shared/providers/output.js';
import { epochSecondsMs, minutesOf } from '#shared/providers/time.js';
import type { PullResult } from '#shared/providers/types.js';
import { idText, knownSum, nonNegative, positive, zoneOffsetOf } from '#shared/providers/values.js';

/**
 * `sleeps` -> the night as a sleep event (stage timeline from `sleepLevelsMap`), one nap event per `naps[]`
 * entry, the sleep score, and the SpO2 / respiration readings taken during the night (providers.md 4.1).
 *
 * Deliberate differences from the reference: the score's qualifier is `qualifierKey` (what Garmin sends), with
 * `qualifier` only as a fallback, for the overall score as for its components; `unmeasurable` stretches of the
 * timeline are kept as `unknown` instead of being dropped.
 */

export type SleepEvent = Extract<HealthEvent, { category: 'sleep' }>;

const STAGE_KEYS: ReadonlyArray<[string, SleepStage]> = [
  ['deep', 'deep'],
  ['light', 'light'],
  ['rem', 'rem'],
  ['awake', 'awake'],
  ['unmeasurable', 'unknown'],
];

function stageIntervals(levels: unknown): StageInterval[] {
  if (!isObject(levels)) return [];
  const intervals: StageInterval[] = [];
  for (const [key, stage] of STAGE_KEYS) {
    const list = levels[key];
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (!isObject(entry)) continue;
      const start = epochSecondsMs(entry.startTimeInSeconds);
      const end = epochSecondsMs(entry.endTimeInSeconds);
      if (start !== null && end !== null && end > start) intervals.push({ stage, start, end });
    }
  }
  return intervals.sort((a, b) => a.start - b.start);
}

const qualifierOf = (entry: JsonObject) => textOf(entry.qualifierKey) ?? textOf(entry.qualifier);

/** `overallSleepScore` with the `sleepScores` components; null when there is neither a value nor a qualifier. */
function sleepScore(
  item: JsonObject,
  recordedAt: number,
  offset: string | null,
  source: SourceRef,
): HealthScore | null {
  if (!isObject(item.overallSleepScore)) return null;
  const value = numberOf(item.overallSleepScore.value);
  const qualifier = qualifierOf(item.overallSleepScore);
  if (value === null && qualifier === null) return null;
  const components: NonNullable<HealthScore['components']> = {};
  if (isObject(item.sleepScores))
    for (const [name, entry] of Object.entries(item.sleepScores))
      if (isObject(entry)) components[name] = { value: numberOf(entry.value), qualifier: qualifierOf(entry) };
  return {
    source,
    category: 'sleep',
    value,
    qualifier,
    recordedAt,
    zoneOffset: offset,
    components: Object.keys(components).length > 0 ? components : null,
  };
}

function napEvent(nap: unknown, summaryId: string | null, source: SourceRef): SleepEvent | null {
  if (!isObject(nap)) return null;
  const start = epochSecondsMs(nap.napStartTimeInSeconds);
  const duration = positive(nap.napDurationInSeconds);
  if (start === null || duration === null) return null;
  return {
    category: 'sleep',
    type: 'sleep_session',
    source,
    start,
    end: start + Math.round(duration * 1000),
    zoneOffset: zoneOffsetOf(nap.napOffsetInSeconds),
    durationSeconds: Math.round(duration),
    externalId: summaryId === null ? null : `${summaryId}:nap:${start / 1000}`,
    details: {
      sleep_total_duration_minutes: minutesOf(duration),
      sleep_time_in_bed_minutes: minutesOf(duration),
      sleep_efficiency_score: null,
      sleep_deep_minutes: null,
      sleep_rem_minutes: null,
      sleep_light_minutes: null,
      sleep_awake_minutes: null,
      is_nap: true,
      sleep_stages: null,
    },
  };
}

/** `timeOffsetSleepSpo2` / `timeOffsetSleepRespiration` (offsets from the sleep start) as samples. */
function nightReadings(
  out: PullOutput,
  item: JsonObject,
  start: number,
  offset: string | null,
  source: SourceRef,
) {
  for (const [at, value] of offsetEntries(item.timeOffsetSleepSpo2))
    if (value > 0 && value <= 100) out.sample(source, 'oxygen_saturation', start + at * 1000, value, offset);
  for (const [at, value] of offsetEntries(item.timeOffsetSleepRespiration))
    if (value > 0) out.sample(source, 'respiratory_rate', start + at * 1000, value, offset);
}

/**
 * One sleep summary. Start = `startTimeInSeconds`, end = start + `durationInSeconds` or the last stage's end if
 * later; asleep = deep + light + rem; in bed = `durationInSeconds`; efficiency = asleep / in bed x 100.
 */
export function mapSleep(item: unknown): PullResult | null {
  if (!isObject(item)) return null;
  const start = startOf(item);
  const duration = nonNegative(item.durationInSeconds);
  if (!start || duration === null) return null;
  const stages = stageIntervals(item.sleepLevelsMap);
  const end = Math.max(start.start + Math.round(duration * 1000), ...stages.map((s) => s.end));
  const deep = nonNegative(item.deepSleepDurationInSeconds);
  const light = nonNegative(item.lightSleepDurationInSeconds);
  const rem = nonNegative(item.remSleepInSeconds);
  const awake = nonNegative(item.awakeDurationInSeconds);
  const asleep = knownSum(deep, light, rem);
  const efficiency =
    asleep !== null && duration > 0 ? Math.min(100, roundTo((asleep / duration) * 100, 2)) : null;
  const details: SleepDetails = {
    sleep_total_duration_minutes: minutesOf(asleep),
    sleep_time_in_bed_minutes: minutesOf(duration),
    sleep_efficiency_score: efficiency,
    sleep_deep_minutes: minutesOf(deep),
    sleep_rem_minutes: minutesOf(rem),
    sleep_light_minutes: minutesOf(light),
    sleep_awake_minutes: minutesOf(awake),
    is_nap: false,
    sleep_stages: stages.length > 0 ? stages : null,
  };
  const source = garminSource(item.deviceName);
  const summaryId = idText(item.summaryId);
  return outputOf((out) => {
    out.event({
      category: 'sleep',
      type: 'sleep_session',
      source,
      start: start.start,
      end,
      zoneOffset: start.zoneOffset,
      durationSeconds: Math.round((end - start.start) / 1000),
      externalId: summaryId,
      details,
    });
    if (Array.isArray(item.naps))
      for (const nap of item.naps) {
        const event = napEvent(nap, summaryId, source);
        if (event) out.event(event);
      }
    const score = sleepScore(item, start.start, start.zoneOffset, source);
    if (score) out.score(score);
    nightReadings(out, item, start.start, start.zoneOffset, source);
  });
}
