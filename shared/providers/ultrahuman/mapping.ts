import type { HealthEvent, HealthScore, SleepDetails, SourceRef } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import type { SeriesType } from '#shared/model/series.js';
import { isObject, type JsonObject, numberOf } from '#shared/providers/json.js';
import { PullOutput } from '#shared/providers/output.js';
import { epochSecondsMs, minutesOf } from '#shared/providers/time.js';
import type { PullResult } from '#shared/providers/types.js';
import { nonNegative, positive } from '#shared/providers/values.js';

/**
 * Ultrahuman Partner API `GET /user_data/metrics?date=` -> unified model (providers.md 4.8), pure. One response
 * covers one calendar day. Unknown metric types are ignored and a malformed metric, value or timestamp is
 * skipped on its own: one bad entry never loses the rest of the day.
 *
 * Deliberate differences from the reference: `temp` (the ring's skin temperature) is `skin_temperature`, not
 * `body_temperature`; `recovery_index` is kept as a recovery score; the day's `steps.total` (when > 0) is kept as a
 * daily total next to the intraday samples (the summaries prefer it, bucketing prefers the intraday samples).
 */

export type SleepEvent = Extract<HealthEvent, { category: 'sleep' }>;

export const DEFAULT_DEVICE_MODEL = 'Ultrahuman Ring Air';
export const SOURCE_NAME = 'Ultrahuman';

export function ultrahumanSource(deviceModel: string | null = null): SourceRef {
  return {
    provider: 'ultrahuman',
    deviceModel: deviceModel ?? DEFAULT_DEVICE_MODEL,
    sourceName: SOURCE_NAME,
    softwareVersion: null,
    originalSourceName: null,
  };
}

/** `values[] {value, timestamp}` -> intraday samples; `positiveOnly` drops zero and negative readings (steps). */
function addValues(
  out: PullOutput,
  source: SourceRef,
  series: SeriesType,
  object: JsonObject,
  positiveOnly = false,
) {
  if (!Array.isArray(object.values)) return;
  for (const entry of object.values) {
    if (!isObject(entry)) continue;
    const value = positiveOnly ? positive(entry.value) : numberOf(entry.value);
    out.sample(source, series, epochSecondsMs(entry.timestamp), value, null);
  }
}

/** The object's `day_start_timestamp`, else the start of the requested day. */
const dayStartOf = (object: JsonObject, fallback: number) =>
  epochSecondsMs(object.day_start_timestamp) ?? fallback;

/** `[{type, value}]` -> value by type (first of each type); entries without a number are left out. */
function valuesByType(list: unknown, valueKey: string): Map<string, number> {
  const values = new Map<string, number>();
  if (!Array.isArray(list)) return values;
  for (const entry of list) {
    if (!isObject(entry) || typeof entry.type !== 'string') continue;
    const value = numberOf(entry[valueKey]);
    if (value === null || value < 0) continue;
    if (valueKey === 'stage_time') values.set(entry.type, (values.get(entry.type) ?? 0) + value);
    else if (!values.has(entry.type)) values.set(entry.type, value);
  }
  return values;
}

/**
 * The night as one sleep session: bedtime start/end (epoch s), stage totals from `sleep_stages[].stage_time`
 * (s), time in bed from the `time_in_bed` quick metric (else bedtime end - start), efficiency from `sleep_efic`
 * (else `sleep_efficiency`). Total sleep = deep + light + rem, or time in bed - awake when no stage time was
 * reported. No stage timeline and no zone offset: the API gives neither.
 */
export function sleepEvent(object: JsonObject, date: string, source: SourceRef): SleepEvent | null {
  const start = epochSecondsMs(object.bedtime_start);
  const end = epochSecondsMs(object.bedtime_end);
  if (start === null || end === null || end <= start) return null;

  const quick = valuesByType(object.quick_metrics, 'value');
  const stages = valuesByType(object.sleep_stages, 'stage_time');
  const deep = stages.get('deep_sleep') ?? null;
  const light = stages.get('light_sleep') ?? null;
  const rem = stages.get('rem_sleep') ?? null;
  const awake = stages.get('awake') ?? null;
  const inBed = quick.get('time_in_bed') ?? (end - start) / 1000;
  let total = (deep ?? 0) + (light ?? 0) + (rem ?? 0);
  if (total === 0) total = Math.max(0, inBed - (awake ?? 0));
  const efficiency = quick.get('sleep_efic') ?? numberOf(object.sleep_efficiency);

  const details: SleepDetails = {
    sleep_total_duration_minutes: minutesOf(total),
    sleep_time_in_bed_minutes: minutesOf(inBed),
    sleep_efficiency_score:
      efficiency !== null && efficiency >= 0 && efficiency <= 100 ? roundTo(efficiency, 2) : null,
    sleep_deep_minutes: minutesOf(deep),
    sleep_rem_minutes: minutesOf(rem),
    sleep_light_minutes: minutesOf(light),
    sleep_awake_minutes: minutesOf(awake),
    is_nap: false,
    sleep_stages: null,
  };
  return {
    category: 'sleep',
    type: 'sleep_session',
    source,
    start,
    end,
    zoneOffset: null,
    durationSeconds: Math.round((end - start) / 1000),
    externalId: `sleep-${date}`,
    details,
  };
}

/** `recovery_index` -> a recovery score at the day start; null without a value that fits numeric(6,3). */
function recoveryScore(object: JsonObject, dayStart: number, source: SourceRef): HealthScore | null {
  const value = numberOf(object.value);
  if (value === null || Math.abs(value) >= 1000) return null;
  return {
    source,
    category: 'recovery',
    value: roundTo(value, 3),
    qualifier: null,
    recordedAt: dayStartOf(object, dayStart),
    zoneOffset: null,
    components: null,
  };
}

/** One day's metrics response -> series, the night's sleep and the recovery score. */
export function mapDailyMetrics(body: unknown, date: string, dayStart: number): PullResult {
  const data = isObject(body) && isObject(body.data) ? body.data : null;
  const metrics = data && Array.isArray(data.metric_data) ? data.metric_data : [];
  const deviceModel = data && typeof data.device_model === 'string' && data.device_model.trim();
  const source = ultrahumanSource(deviceModel || null);
  const out = new PullOutput();
  const events: HealthEvent[] = [];
  const scores: HealthScore[] = [];

  for (const metric of metrics) {
    if (!isObject(metric) || !isObject(metric.object) || typeof metric.type !== 'string') continue;
    const object = metric.object;
    switch (metric.type) {
      case 'hr':
        addValues(out, source, 'heart_rate', object);
        break;
      case 'hrv':
        addValues(out, source, 'heart_rate_variability_sdnn', object);
        break;
      case 'temp':
        addValues(out, source, 'skin_temperature', object);
        break;
      case 'steps':
        // The total first: it shares the (source, series, timestamp) key space with the intraday samples, and
        // must never overwrite one stamped exactly at the day start.
        out.sample(source, 'steps', dayStartOf(object, dayStart), positive(object.total), null, 'total');
        addValues(out, source, 'steps', object, true);
        break;
      case 'vo2_max':
        out.sample(source, 'vo2_max', dayStartOf(object, dayStart), positive(object.value), null);
        break;
      case 'active_minutes':
        out.sample(
          source,
          'active_time',
          dayStartOf(object, dayStart),
          nonNegative(object.value),
          null,
          'total',
        );
        break;
      case 'Sleep':
      case 'sleep': {
        const event = sleepEvent(object, date, source);
        if (event) events.push(event);
        break;
      }
      case 'recovery_index': {
        const score = recoveryScore(object, dayStart, source);
        if (score) scores.push(score);
        break;
      }
      default:
        // night_rhr, sleep_rhr, avg_sleep_hrv, movement_index, metabolic_score, ... are not mapped (4.8).
        break;
    }
  }
  // Events and scores as mapped, not merged by `out`: Ultrahuman's are keyed by span, so two nights of one day
  // (same `sleep-<date>` id) stay two sessions.
  return { series: out.result().series, events, scores };
}
