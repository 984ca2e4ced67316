import type { HealthScore } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { isObject, type JsonObject, numberOf, textOf } from '#shared/providers/json.js';
import { dayStamp, instantOf, OURA_SOURCE, sampleAt, sampledItems } from '#shared/providers/oura/common.js';
import { componentsOf, type PullOutput } from '#shared/providers/output.js';
import type { Instant } from '#shared/providers/time.js';
import { knownSum, nonNegative, percentOf, positive } from '#shared/providers/values.js';

/**
 * Oura's day documents and time series -> samples and scores (providers.md 4.5), one document at a time into the
 * output of a pull or a notification. A day document is stamped at its `timestamp` (the start of the wearer's
 * day, with the offset), else at its `day`.
 */

const ACTIVITY_EPOCH_MS = 300_000;
/** `class_5_min` characters of low, medium and high activity (0 non-wear, 1 rest, 2 inactive). */
const ACTIVE_CLASSES = new Set(['3', '4', '5']);
/** Skin temperature deviations beyond this many degrees are not readings. */
const MAX_DEVIATION_C = 10;

/** `{ name: integer }` contributors as score components. */
const contributorsOf = (contributors: unknown) =>
  isObject(contributors)
    ? componentsOf(
        Object.fromEntries(Object.entries(contributors).map(([name, value]) => [name, numberOf(value)])),
      )
    : null;

function score(out: PullOutput, category: HealthScore['category'], document: JsonObject, stamp: Instant) {
  const value = percentOf(document.score);
  if (value === null) return;
  out.score({
    source: OURA_SOURCE,
    category,
    value,
    qualifier: null,
    recordedAt: stamp.at,
    zoneOffset: stamp.zoneOffset,
    components: contributorsOf(document.contributors),
  });
}

/** A day document and its stamp, or null when it has neither `timestamp` nor `day`. */
function dayDocument(document: unknown): { document: JsonObject; stamp: Instant } | null {
  if (!isObject(document)) return null;
  const stamp = dayStamp(document);
  return stamp ? { document, stamp } : null;
}

const deviation = (value: unknown) => {
  const number = numberOf(value);
  return number !== null && Math.abs(number) <= MAX_DEVIATION_C ? number : null;
};

/** `daily_sleep`: the sleep score with its contributors. */
export function mapDailySleep(input: unknown, out: PullOutput): void {
  const day = dayDocument(input);
  if (day) score(out, 'sleep', day.document, day.stamp);
}

/** `daily_readiness`: the readiness score, and the skin temperature deviation from the wearer's baseline (°C). */
export function mapDailyReadiness(input: unknown, out: PullOutput): void {
  const day = dayDocument(input);
  if (!day) return;
  const { document, stamp } = day;
  score(out, 'readiness', document, stamp);
  sampleAt(out, stamp, 'skin_temperature_deviation', deviation(document.temperature_deviation));
  sampleAt(out, stamp, 'skin_temperature_trend_deviation', deviation(document.temperature_trend_deviation));
}

/** 5-minute epochs of low, medium or high activity as 5 minutes of intraday `active_time`. */
function activeEpochs(out: PullOutput, document: JsonObject) {
  const classes = textOf(document.class_5_min);
  const start = instantOf(document.timestamp);
  if (!classes || !start) return;
  for (let i = 0; i < classes.length; i++)
    if (ACTIVE_CLASSES.has(classes[i]!))
      out.sample(OURA_SOURCE, 'active_time', start.at + i * ACTIVITY_EPOCH_MS, 5, start.zoneOffset);
}

/**
 * `daily_activity`: the activity score; steps, active calories (kcal), the equivalent walking distance (m) and the
 * high + medium + low activity time (minutes) as daily totals; the 1-minute MET readings as `average_met`; and the
 * active epochs of `class_5_min` (its timeline starts at `timestamp`) as intraday `active_time`.
 */
export function mapDailyActivity(input: unknown, out: PullOutput): void {
  const day = dayDocument(input);
  if (!day) return;
  const { document, stamp } = day;
  const total = (series: SeriesType, value: number | null) => sampleAt(out, stamp, series, value, 'total');
  score(out, 'activity', document, stamp);
  total('steps', nonNegative(document.steps));
  total('energy', nonNegative(document.active_calories));
  total('distance_walking_running', nonNegative(document.equivalent_walking_distance));
  const seconds = knownSum(
    nonNegative(document.high_activity_time),
    nonNegative(document.medium_activity_time),
    nonNegative(document.low_activity_time),
  );
  total('active_time', seconds === null ? null : seconds / 60);
  for (const met of sampledItems(document.met))
    if (met.value > 0) sampleAt(out, met, 'average_met', met.value);
  activeEpochs(out, document);
}

/** `daily_spo2`: the night's average SpO2 (%) and the breathing disturbance index. */
export function mapDailySpo2(input: unknown, out: PullOutput): void {
  const day = dayDocument(input);
  if (!day) return;
  const { document, stamp } = day;
  const average = isObject(document.spo2_percentage)
    ? positive(percentOf(document.spo2_percentage.average))
    : null;
  sampleAt(out, stamp, 'oxygen_saturation', average);
  sampleAt(out, stamp, 'breathing_disturbance_index', nonNegative(document.breathing_disturbance_index));
}

/** `daily_cardiovascular_age`: `vascular_age` (years) as cardiovascular age. */
export function mapCardiovascularAge(input: unknown, out: PullOutput): void {
  const day = dayDocument(input);
  if (day) sampleAt(out, day.stamp, 'cardiovascular_age', positive(day.document.vascular_age));
}

/** `vO2_max`: the estimate in ml/kg/min. */
export function mapVo2Max(input: unknown, out: PullOutput): void {
  const day = dayDocument(input);
  if (day) sampleAt(out, day.stamp, 'vo2_max', positive(day.document.vo2_max));
}

/**
 * One `heartrate` item `{bpm, source, timestamp}` as a heart rate sample (the `source`, awake or rest..., is not
 * kept); false when it gave none.
 */
export function mapHeartRate(item: unknown, out: PullOutput): boolean {
  if (!isObject(item)) return false;
  const instant = instantOf(item.timestamp);
  return instant !== null && sampleAt(out, instant, 'heart_rate', positive(item.bpm));
}

/** Plausible body height in metres (Oura's unit); stored in cm. */
const heightCm = (metres: number | null) => (metres !== null && metres < 3 ? metres * 100 : null);

/**
 * `personal_info` weight (kg) and height (m -> cm), stamped `at` (Oura does not say when they were set); false when
 * it gave neither.
 */
export function mapPersonalInfo(info: unknown, at: number, out: PullOutput): boolean {
  if (!isObject(info)) return false;
  const weight = out.sample(OURA_SOURCE, 'weight', at, positive(info.weight), null);
  const height = out.sample(OURA_SOURCE, 'height', at, heightCm(positive(info.height)), null);
  return weight || height;
}
