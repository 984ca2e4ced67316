import { isObject, textOf } from '#shared/providers/json.js';
import type { PullOutput } from '#shared/providers/output.js';
import { clockSeconds, durationSeconds, instantOf, polarSource } from '#shared/providers/polar/common.js';
import { calendarDay } from '#shared/providers/time.js';
import { nonNegative, positive } from '#shared/providers/values.js';

/**
 * Polar's day-level records (providers.md 4.2), into `out`; each mapper answers false for a malformed record.
 * Activity days and continuous heart rate carry device-local times without offset: floating local time (common.ts).
 */

const DAY = (value: unknown) => calendarDay(textOf(value)?.slice(0, 10));

/**
 * A daily activity (`GET /v3/users/activities`, `.../{date}`) -> daily totals at the day's (floating) midnight:
 * `steps`, `active_calories` (energy, kcal), `calories - active_calories` (basal energy, kcal), `distance_from_steps`
 * (walking/running distance, m), `active_duration` (active time, minutes).
 */
export function mapActivityDay(out: PullOutput, item: unknown): boolean {
  if (!isObject(item)) return false;
  const day = DAY(item.start_time) ?? DAY(item.date);
  if (day === null) return false;
  const source = polarSource();
  const total = (series: Parameters<PullOutput['sample']>[1], value: number | null) =>
    out.sample(source, series, day, value, null, 'total');
  const active = nonNegative(item.active_calories);
  const calories = nonNegative(item.calories);
  const activeSeconds = durationSeconds(item.active_duration);
  total('steps', nonNegative(item.steps));
  total('energy', active);
  total(
    'basal_energy',
    calories !== null && active !== null && calories >= active ? calories - active : null,
  );
  total('distance_walking_running', nonNegative(item.distance_from_steps));
  total('active_time', activeSeconds === null ? null : activeSeconds / 60);
  return true;
}

/** A day of continuous heart rate (`{date, heart_rate_samples: [{heart_rate, sample_time}]}`) -> heart rate. */
export function mapContinuousHeartRate(out: PullOutput, item: unknown): boolean {
  if (!isObject(item)) return false;
  const day = calendarDay(item.date);
  if (day === null || !Array.isArray(item.heart_rate_samples)) return false;
  const source = polarSource();
  for (const sample of item.heart_rate_samples) {
    if (!isObject(sample)) continue;
    const clock = clockSeconds(sample.sample_time);
    const bpm = positive(sample.heart_rate);
    if (clock !== null && bpm !== null && bpm < 300)
      out.sample(source, 'heart_rate', day + clock * 1000, bpm, null);
  }
  return true;
}

/**
 * The user's physical information (`GET /v3/users/physical-info`) at its `modified` (else `created`) time: weight
 * (kg), height (cm), VO2max (ml/kg/min), resting heart rate (bpm). The maximum heart rate has no series and is not
 * kept.
 */
export function mapPhysicalInfo(out: PullOutput, item: unknown): boolean {
  if (!isObject(item)) return false;
  // Polar writes these times in UTC: they say nothing of the user's zone.
  const time = (instantOf(item.modified) ?? instantOf(item.created))?.ms;
  if (time === undefined) return false;
  const source = polarSource();
  out.sample(source, 'weight', time, positive(item.weight), null);
  out.sample(source, 'height', time, positive(item.height), null);
  out.sample(source, 'vo2_max', time, positive(item.vo2_max), null);
  out.sample(source, 'resting_heart_rate', time, positive(item.resting_heart_rate), null);
  return true;
}
