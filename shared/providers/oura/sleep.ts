import type { SleepDetails, SleepStage, StageInterval } from '#shared/model/health-data.js';
import { isObject, textOf } from '#shared/providers/json.js';
import { eventSpan, instantOf, sampleAt, sampledItems } from '#shared/providers/oura/common.js';
import type { PullOutput } from '#shared/providers/output.js';
import { minutesOf } from '#shared/providers/time.js';
import { idText, knownSum, nonNegative, percentOf, positive } from '#shared/providers/values.js';

/**
 * An Oura sleep period (`/v2/usercollection/sleep`) -> a sleep event with its stage timeline, the 5-minute heart
 * rate and HRV (RMSSD) of the night, the lowest heart rate as resting heart rate and the average breathing rate
 * (providers.md 4.5). `long_sleep` is the main sleep; `sleep` and `late_nap` are naps; `rest` (a rest-mode period)
 * and `deleted` are not sleep and are left out. Unknown types count as sleep, as the reference reads them.
 */

/** Types that are not a sleep of the wearer: a webhook `update` to one of them removes the stored session. */
export const NOT_SLEEP_TYPES: ReadonlySet<string> = new Set(['rest', 'deleted']);
const NAP_TYPES: ReadonlySet<string> = new Set(['sleep', 'late_nap']);

/** Hypnogram characters: 1 deep, 2 light, 3 REM, 4 awake. */
const STAGES: Readonly<Record<string, SleepStage>> = { '1': 'deep', '2': 'light', '3': 'rem', '4': 'awake' };

/**
 * The hypnogram as intervals: `sleep_phase_30_sec` when Oura sent it, else `sleep_phase_5_min`, one character per
 * epoch from the bedtime start, runs of the same stage merged, clipped to the bedtime end. Other characters are
 * gaps.
 */
function stageIntervals(sleep: Record<string, unknown>, start: number, end: number): StageInterval[] {
  const fine = textOf(sleep.sleep_phase_30_sec);
  const hypnogram = fine ?? textOf(sleep.sleep_phase_5_min);
  if (!hypnogram) return [];
  const epochMs = fine ? 30_000 : 300_000;
  const intervals: StageInterval[] = [];
  for (let i = 0; i < hypnogram.length; i++) {
    const stage = STAGES[hypnogram[i]!];
    const from = start + i * epochMs;
    const to = Math.min(from + epochMs, end);
    if (!stage || from >= end) continue;
    const last = intervals.at(-1);
    if (last && last.stage === stage && last.end === from) last.end = to;
    else intervals.push({ stage, start: from, end: to });
  }
  return intervals;
}

/** One sleep period; nothing when it is not a sleep (`rest`, `deleted`) or has no usable id or bedtimes. */
export function mapSleep(sleep: unknown, out: PullOutput): void {
  if (!isObject(sleep)) return;
  const type = textOf(sleep.type);
  if (type !== null && NOT_SLEEP_TYPES.has(type)) return;
  const externalId = idText(sleep.id);
  const start = instantOf(sleep.bedtime_start);
  const end = instantOf(sleep.bedtime_end);
  if (externalId === null || !start || !end || end.at <= start.at) return;

  const deep = nonNegative(sleep.deep_sleep_duration);
  const light = nonNegative(sleep.light_sleep_duration);
  const rem = nonNegative(sleep.rem_sleep_duration);
  const stages = stageIntervals(sleep, start.at, end.at);
  const details: SleepDetails = {
    sleep_total_duration_minutes: minutesOf(
      nonNegative(sleep.total_sleep_duration) ?? knownSum(deep, light, rem),
    ),
    sleep_time_in_bed_minutes: minutesOf(nonNegative(sleep.time_in_bed) ?? (end.at - start.at) / 1000),
    sleep_efficiency_score: percentOf(sleep.efficiency),
    sleep_deep_minutes: minutesOf(deep),
    sleep_rem_minutes: minutesOf(rem),
    sleep_light_minutes: minutesOf(light),
    sleep_awake_minutes: minutesOf(nonNegative(sleep.awake_time)),
    is_nap: type !== null && NAP_TYPES.has(type),
    sleep_stages: stages.length > 0 ? stages : null,
  };

  out.event({ category: 'sleep', type: 'sleep_session', ...eventSpan(start, end), externalId, details });
  for (const item of sampledItems(sleep.heart_rate))
    if (item.value > 0) sampleAt(out, item, 'heart_rate', item.value);
  for (const item of sampledItems(sleep.hrv))
    if (item.value > 0) sampleAt(out, item, 'heart_rate_variability_rmssd', item.value);
  sampleAt(out, start, 'resting_heart_rate', positive(sleep.lowest_heart_rate));
  sampleAt(out, start, 'respiratory_rate', positive(sleep.average_breath));
}
