import { isObject } from '#shared/providers/json.js';
import { componentsOf, type PullOutput } from '#shared/providers/output.js';
import { percentOf, positive } from '#shared/providers/values.js';
import {
  instantOf,
  type Outcome,
  scoreOf,
  WHOOP_SCORE,
  WHOOP_SOURCE,
} from '#shared/providers/whoop/common.js';

/**
 * A recovery (`GET /v2/recovery`, `GET /v2/cycle/{id}/recovery`) -> the morning's readings as samples at the
 * recovery's `created_at` (resting heart rate bpm, HRV RMSSD ms, SpO2 percent, skin temperature °C) and the
 * `recovery` score (0-100) with the same four values as components, under WHOOP's names. A recovery carries no
 * offset of its own: the caller passes its cycle's (or sleep's) `timezone_offset`.
 */
export function mapRecovery(record: unknown, zoneOffset: string | null, out: PullOutput): Outcome {
  if (!isObject(record)) return 'malformed';
  const at = instantOf(record.created_at);
  if (at === null) return 'malformed';
  const score = scoreOf(record);
  if (!score) return 'unscored';
  const value = percentOf(score.recovery_score);
  const restingHeartRate = positive(score.resting_heart_rate);
  const hrv = positive(score.hrv_rmssd_milli);
  // 0 % is no reading.
  const spo2 = percentOf(score.spo2_percentage) || null;
  const skinTemperature = positive(score.skin_temp_celsius);
  if (value === null) return 'malformed';
  out.sample(WHOOP_SOURCE, 'resting_heart_rate', at, restingHeartRate, zoneOffset);
  out.sample(WHOOP_SOURCE, 'heart_rate_variability_rmssd', at, hrv, zoneOffset);
  out.sample(WHOOP_SOURCE, 'oxygen_saturation', at, spo2, zoneOffset);
  out.sample(WHOOP_SOURCE, 'skin_temperature', at, skinTemperature, zoneOffset);
  out.score({
    ...WHOOP_SCORE,
    category: 'recovery',
    value,
    recordedAt: at,
    zoneOffset,
    components: componentsOf({
      resting_heart_rate: restingHeartRate,
      hrv_rmssd_milli: hrv,
      spo2_percentage: spo2,
      skin_temp_celsius: skinTemperature,
    }),
  });
  return 'mapped';
}
