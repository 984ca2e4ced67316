import type { SleepDetails } from '#shared/model/health-data.js';
import { isObject, type JsonObject } from '#shared/providers/json.js';
import { componentsOf, type PullOutput } from '#shared/providers/output.js';
import { knownSum, nonNegative, percentOf, positive } from '#shared/providers/values.js';
import {
  type Outcome,
  recordSpan,
  scoreOf,
  WHOOP_SCORE,
  WHOOP_SOURCE,
} from '#shared/providers/whoop/common.js';

/**
 * A sleep (`GET /v2/activity/sleep`, `/v2/activity/sleep/{id}`) -> a sleep session identified by WHOOP's sleep id,
 * naps flagged. When WHOOP scored it: stage totals from `stage_summary` (ms -> whole minutes; total sleep = light +
 * slow wave (deep) + REM; in bed = `total_in_bed_time_milli`), efficiency `sleep_efficiency_percentage`, the
 * `sleep` score (`sleep_performance_percentage`) at the session's start with consistency, efficiency and
 * respiratory rate as components, and the respiratory rate (breaths/min) as a sample at the start. A session WHOOP
 * has not scored (yet) is kept with its times only. The zone offset is the record's `timezone_offset` (the
 * reference read a `zone_offset` field WHOOP does not send).
 */

const MS_PER_MINUTE = 60_000;

const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / MS_PER_MINUTE));

function sleepDetails(nap: boolean, score: JsonObject | null): SleepDetails {
  const stages = score && isObject(score.stage_summary) ? score.stage_summary : {};
  const light = nonNegative(stages.total_light_sleep_time_milli);
  const deep = nonNegative(stages.total_slow_wave_sleep_time_milli);
  const rem = nonNegative(stages.total_rem_sleep_time_milli);
  const asleep = knownSum(light, deep, rem);
  return {
    sleep_total_duration_minutes: minutes(asleep),
    sleep_time_in_bed_minutes: minutes(nonNegative(stages.total_in_bed_time_milli)),
    sleep_efficiency_score: score ? percentOf(score.sleep_efficiency_percentage) : null,
    sleep_deep_minutes: minutes(deep),
    sleep_rem_minutes: minutes(rem),
    sleep_light_minutes: minutes(light),
    sleep_awake_minutes: minutes(nonNegative(stages.total_awake_time_milli)),
    is_nap: nap,
    sleep_stages: null,
  };
}

export function mapSleep(record: unknown, out: PullOutput): Outcome {
  if (!isObject(record)) return 'malformed';
  const span = recordSpan(record);
  if (!span) return 'malformed';
  const { start, zoneOffset } = span;
  const score = scoreOf(record);
  out.event({
    category: 'sleep',
    type: 'sleep_session',
    ...span,
    details: sleepDetails(record.nap === true, score),
  });
  if (!score) return 'mapped';
  const respiratoryRate = positive(score.respiratory_rate);
  out.sample(WHOOP_SOURCE, 'respiratory_rate', start, respiratoryRate, zoneOffset);
  const performance = percentOf(score.sleep_performance_percentage);
  if (performance !== null)
    out.score({
      ...WHOOP_SCORE,
      category: 'sleep',
      value: performance,
      recordedAt: start,
      zoneOffset,
      components: componentsOf({
        sleep_consistency_percentage: percentOf(score.sleep_consistency_percentage),
        sleep_efficiency_percentage: percentOf(score.sleep_efficiency_percentage),
        respiratory_rate: respiratoryRate,
      }),
    });
  return 'mapped';
}
