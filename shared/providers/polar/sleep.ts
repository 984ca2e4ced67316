import type { HealthScore, SleepDetails, SleepStage, StageInterval } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import { isObject, type JsonObject, numberOf, textOf } from '#shared/providers/json.js';
import type { PullOutput } from '#shared/providers/output.js';
import { clockAfter, clockSeconds, instantOf, polarSource } from '#shared/providers/polar/common.js';
import { calendarDay, DAY_MS, minutesOf } from '#shared/providers/time.js';
import { knownSum, nonNegative, positive } from '#shared/providers/values.js';

/**
 * A Polar night (`GET /v3/users/sleep`, `GET /v3/users/sleep/{date}`) -> a sleep event keyed by its date (a revised
 * night replaces the stored one), its stage timeline, the sleep score and the heart rate while asleep
 * (providers.md 4.2).
 *
 * Start and end are `sleep_start_time` / `sleep_end_time` (with their offset). Asleep = light + deep + REM +
 * unrecognised stage seconds (time asleep whose stage the device could not tell); awake =
 * `total_interruption_duration`; in bed = end - start; efficiency = asleep / in bed. The `hypnogram` maps clock
 * times to stages (0 wake, 1 REM, 2 and 3 light, 4 deep, 5 unknown): each entry lasts until the next one, the last
 * until the end, equal neighbours merged; clock times below the start's are after midnight.
 *
 * The score is recorded at the night's date (its UTC midnight, zone offset null: that date in every read) so a
 * revision of the same night updates it. `heart_rate_samples` are clock times without offset: floating local time
 * (common.ts).
 */

const STAGE_CODES: Readonly<Record<string, SleepStage>> = {
  '0': 'awake',
  '1': 'rem',
  '2': 'light',
  '3': 'light',
  '4': 'deep',
  '5': 'unknown',
};

/** Polar's 1-5 scales. */
const CONTINUITY_CLASSES = [
  'fragmented',
  'fairly_fragmented',
  'fairly_continuous',
  'continuous',
  'very_continuous',
];
export const USUAL_LEVELS = ['much_below_usual', 'below_usual', 'usual', 'above_usual', 'much_above_usual'];

/** The label of a 1-based scale value; null outside it. */
export function labelOf(labels: readonly string[], value: unknown): string | null {
  const index = numberOf(value);
  return index !== null && Number.isInteger(index) && index >= 1 ? (labels[index - 1] ?? null) : null;
}

/** Score components from `[name, value, qualifier]`, those without a number left out; null when none is left. */
export function scoreComponents(
  entries: ReadonlyArray<readonly [string, unknown, (string | null)?]>,
): HealthScore['components'] {
  const components: NonNullable<HealthScore['components']> = {};
  for (const [name, raw, qualifier = null] of entries) {
    const value = numberOf(raw);
    if (value !== null) components[name] = { value, qualifier };
  }
  return Object.keys(components).length > 0 ? components : null;
}

/** A sample or stage change may be stamped a little before the recorded start of the night. */
const EARLY_SECONDS = 3_600;

const clockOf = (floating: number) => (((floating % DAY_MS) + DAY_MS) % DAY_MS) / 1000;

/** [time, value] of an object keyed by clock times, placed from `anchor` (whose clock time is `anchorClock`). */
function clockEntries(map: unknown, anchor: number, anchorClock: number): Array<[number, unknown]> {
  if (!isObject(map)) return [];
  const entries: Array<[number, unknown]> = [];
  for (const [key, value] of Object.entries(map)) {
    const clock = clockSeconds(key);
    if (clock !== null) entries.push([clockAfter(anchor, anchorClock, clock, EARLY_SECONDS), value]);
  }
  return entries.sort((a, b) => a[0] - b[0]);
}

function stageTimeline(hypnogram: unknown, start: number, startClock: number, end: number): StageInterval[] {
  const points = clockEntries(hypnogram, start, startClock)
    .map(([at, code]) => [Math.max(at, start), STAGE_CODES[String(code)]] as const)
    .filter((point): point is readonly [number, SleepStage] => point[1] !== undefined && point[0] < end);
  const intervals: StageInterval[] = [];
  points.forEach(([at, stage], index) => {
    const until = points[index + 1]?.[0] ?? end;
    const last = intervals.at(-1);
    if (until <= at) return;
    if (last?.stage === stage && last.end === at) last.end = until;
    else intervals.push({ stage, start: at, end: until });
  });
  return intervals;
}

function sleepScore(item: JsonObject, recordedAt: number): HealthScore | null {
  const value = numberOf(item.sleep_score);
  if (value === null) return null;
  return {
    source: polarSource(),
    category: 'sleep',
    value,
    qualifier: null,
    recordedAt,
    zoneOffset: null,
    components: scoreComponents([
      ['duration_score', item.group_duration_score],
      ['solidity_score', item.group_solidity_score],
      ['regeneration_score', item.group_regeneration_score],
      ['continuity', item.continuity, labelOf(CONTINUITY_CLASSES, item.continuity_class)],
      ['long_interruption_seconds', item.long_interruption_duration],
      ['sleep_charge', item.sleep_charge, labelOf(USUAL_LEVELS, item.sleep_charge)],
    ]),
  };
}

/** One night into `out`; false when it is malformed (no start, or no end after it). */
export function mapSleep(out: PullOutput, item: unknown): boolean {
  if (!isObject(item)) return false;
  const start = instantOf(item.sleep_start_time);
  const end = instantOf(item.sleep_end_time);
  if (!start || !end || end.ms <= start.ms) return false;
  const source = polarSource();
  const startClock = clockOf(start.local);
  const stages = stageTimeline(item.hypnogram, start.ms, startClock, end.ms);
  const parts = [item.light_sleep, item.deep_sleep, item.rem_sleep, item.unrecognized_sleep_stage].map(
    nonNegative,
  );
  const asleep = knownSum(...parts);
  const inBed = (end.ms - start.ms) / 1000;
  const details: SleepDetails = {
    sleep_total_duration_minutes: minutesOf(asleep),
    sleep_time_in_bed_minutes: minutesOf(inBed),
    sleep_efficiency_score: asleep === null ? null : Math.min(100, roundTo((asleep / inBed) * 100, 2)),
    sleep_deep_minutes: minutesOf(parts[1]!),
    sleep_rem_minutes: minutesOf(parts[2]!),
    sleep_light_minutes: minutesOf(parts[0]!),
    sleep_awake_minutes: minutesOf(nonNegative(item.total_interruption_duration)),
    is_nap: false,
    sleep_stages: stages.length > 0 ? stages : null,
  };
  const date = calendarDay(item.date);
  out.event({
    category: 'sleep',
    type: 'sleep_session',
    source,
    start: start.ms,
    end: end.ms,
    zoneOffset: start.zoneOffset,
    durationSeconds: Math.round(inBed),
    externalId: date === null ? null : textOf(item.date),
    details,
  });
  const score = date === null ? null : sleepScore(item, date);
  if (score) out.score(score);
  for (const [at, bpm] of clockEntries(item.heart_rate_samples, start.local, startClock))
    out.sample(source, 'heart_rate', at, positive(bpm), null);
  return true;
}
