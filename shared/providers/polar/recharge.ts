import type { HealthScore } from '#shared/model/health-data.js';
import { isObject, type JsonObject, numberOf } from '#shared/providers/json.js';
import type { PullOutput } from '#shared/providers/output.js';
import { clockAfter, clockSeconds, polarSource } from '#shared/providers/polar/common.js';
import { labelOf, scoreComponents, USUAL_LEVELS } from '#shared/providers/polar/sleep.js';
import { calendarDay, DAY_MS } from '#shared/providers/time.js';
import { positive } from '#shared/providers/values.js';

/**
 * A Nightly Recharge (`GET /v3/users/nightly-recharge`, `.../{date}`) -> a `recovery` score and the night's HRV and
 * breathing rate (providers.md 4.2).
 *
 * Score: the Nightly Recharge status (1 very poor ... 6 very good) with its label, as the reference, so the recovery
 * summary shows Polar's own headline; the status, the ANS charge (-10 ... +10, labelled by `ans_charge_status`) and
 * the night's averages (heart rate, beat-to-beat interval, RMSSD, breathing rate) are its components. Recorded at the
 * date's UTC midnight, zone offset null (as the sleep score).
 *
 * Series: `hrv_samples` (RMSSD, ms) and `breathing_samples` (breaths/min), keyed by clock time without offset:
 * floating local time (common.ts) of the night that ends on `date`, read from noon of the day before. Without samples
 * the night's averages (`heart_rate_variability_avg`, `breathing_rate_avg`) are kept as one sample at that noon.
 */

const STATUSES = ['very_poor', 'poor', 'compromised', 'ok', 'good', 'very_good'];
const NOON_S = 12 * 3_600;

function recoveryScore(item: JsonObject, recordedAt: number): HealthScore | null {
  const status = numberOf(item.nightly_recharge_status);
  const ansLevel = labelOf(USUAL_LEVELS, item.ans_charge_status);
  const components = scoreComponents([
    ['nightly_recharge_status', status, labelOf(STATUSES, status)],
    ['ans_charge', item.ans_charge, ansLevel],
    ['ans_charge_status', item.ans_charge_status, ansLevel],
    ['heart_rate_avg', item.heart_rate_avg],
    ['beat_to_beat_avg_ms', item.beat_to_beat_avg],
    ['hrv_rmssd_avg_ms', item.heart_rate_variability_avg],
    ['breathing_rate_avg', item.breathing_rate_avg],
  ]);
  if (status === null && components === null) return null;
  return {
    source: polarSource(),
    category: 'recovery',
    value: status,
    qualifier: labelOf(STATUSES, status),
    recordedAt,
    zoneOffset: null,
    components,
  };
}

/** One night's samples of `map`, or its average at `noon` when there are none. */
function nightSeries(
  out: PullOutput,
  series: 'heart_rate_variability_rmssd' | 'respiratory_rate',
  map: unknown,
  average: unknown,
  noon: number,
): void {
  const source = polarSource();
  const entries = isObject(map) ? Object.entries(map) : [];
  let added = false;
  for (const [key, raw] of entries) {
    const clock = clockSeconds(key);
    const value = positive(raw);
    if (clock === null || value === null) continue;
    out.sample(source, series, clockAfter(noon, NOON_S, clock), value, null);
    added = true;
  }
  if (!added) out.sample(source, series, noon, positive(average), null);
}

/** One Nightly Recharge into `out`; false when it has no usable date. */
export function mapRecharge(out: PullOutput, item: unknown): boolean {
  if (!isObject(item)) return false;
  const date = calendarDay(item.date);
  if (date === null) return false;
  const score = recoveryScore(item, date);
  if (score) out.score(score);
  const noon = date - DAY_MS + NOON_S * 1000;
  nightSeries(out, 'heart_rate_variability_rmssd', item.hrv_samples, item.heart_rate_variability_avg, noon);
  nightSeries(out, 'respiratory_rate', item.breathing_samples, item.breathing_rate_avg, noon);
  return true;
}
