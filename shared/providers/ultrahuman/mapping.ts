import type {
  HealthEvent,
  HealthScore,
  Sample,
  SeriesSamples,
  SleepDetails,
  SourceRef,
} from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';
import { isObject, type JsonObject, numberOf } from '#shared/providers/json.js';
import type { PullResult } from '#shared/providers/types.js';

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

/** Epoch seconds -> epoch ms; null unless a plausible positive seconds value (below 1e11, i.e. not already ms). */
function epochMs(value: unknown): number | null {
  const seconds = numberOf(value);
  if (seconds === null || seconds <= 0 || seconds >= 1e11) return null;
  return Math.round(seconds * 1000);
}

/** numeric(10,3): rounded to 3 places; null when it would not fit. */
function sampleValue(value: unknown): number | null {
  const number = numberOf(value);
  if (number === null) return null;
  const rounded = roundTo(number, 3);
  return Math.abs(rounded) < 1e7 ? rounded : null;
}

export function ultrahumanSource(deviceModel: string | null = null): SourceRef {
  return {
    provider: 'ultrahuman',
    deviceModel: deviceModel ?? DEFAULT_DEVICE_MODEL,
    sourceName: SOURCE_NAME,
    softwareVersion: null,
    originalSourceName: null,
  };
}

/** Samples by series and timestamp: a later sample for the same timestamp replaces the earlier one (the upsert). */
class SeriesCollector {
  private readonly groups = new Map<SeriesType, Map<number, Sample>>();

  add(series: SeriesType, timestamp: number, value: number, isDailyTotal: boolean | null): void {
    const group = this.groups.get(series) ?? new Map<number, Sample>();
    group.set(timestamp, { timestamp, value, zoneOffset: null, isDailyTotal });
    this.groups.set(series, group);
  }

  has(series: SeriesType, timestamp: number): boolean {
    return this.groups.get(series)?.has(timestamp) ?? false;
  }

  result(source: SourceRef): SeriesSamples[] {
    return [...this.groups].map(([series, samples]) => ({
      source,
      series,
      samples: [...samples.values()].sort((a, b) => a.timestamp - b.timestamp),
    }));
  }
}

/** Intraday flag per the series' aggregation: false for SUM series, null for averaged ones. */
const intradayFlag = (series: SeriesType) => (SERIES_TYPES[series].aggregation === 'sum' ? false : null);

/** `values[] {value, timestamp}` -> samples; `positiveOnly` drops zero and negative readings (steps). */
function addValues(collector: SeriesCollector, series: SeriesType, object: JsonObject, positiveOnly = false) {
  if (!Array.isArray(object.values)) return;
  for (const entry of object.values) {
    if (!isObject(entry)) continue;
    const timestamp = epochMs(entry.timestamp);
    const value = sampleValue(entry.value);
    if (timestamp === null || value === null || (positiveOnly && value <= 0)) continue;
    collector.add(series, timestamp, value, intradayFlag(series));
  }
}

/** The object's `day_start_timestamp`, else the start of the requested day. */
const dayStartOf = (object: JsonObject, fallback: number) => epochMs(object.day_start_timestamp) ?? fallback;

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

const minutes = (seconds: number | null) => (seconds === null ? null : Math.round(seconds / 60));

/**
 * The night as one sleep session: bedtime start/end (epoch s), stage totals from `sleep_stages[].stage_time`
 * (s), time in bed from the `time_in_bed` quick metric (else bedtime end - start), efficiency from `sleep_efic`
 * (else `sleep_efficiency`). Total sleep = deep + light + rem, or time in bed - awake when no stage time was
 * reported. No stage timeline and no zone offset: the API gives neither.
 */
export function sleepEvent(object: JsonObject, date: string, source: SourceRef): SleepEvent | null {
  const start = epochMs(object.bedtime_start);
  const end = epochMs(object.bedtime_end);
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
    sleep_total_duration_minutes: minutes(total),
    sleep_time_in_bed_minutes: minutes(inBed),
    sleep_efficiency_score:
      efficiency !== null && efficiency >= 0 && efficiency <= 100 ? roundTo(efficiency, 2) : null,
    sleep_deep_minutes: minutes(deep),
    sleep_rem_minutes: minutes(rem),
    sleep_light_minutes: minutes(light),
    sleep_awake_minutes: minutes(awake),
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
  const collector = new SeriesCollector();
  const events: HealthEvent[] = [];
  const scores: HealthScore[] = [];
  let stepsTotal: { timestamp: number; value: number } | null = null;

  for (const metric of metrics) {
    if (!isObject(metric) || !isObject(metric.object) || typeof metric.type !== 'string') continue;
    const object = metric.object;
    switch (metric.type) {
      case 'hr':
        addValues(collector, 'heart_rate', object);
        break;
      case 'hrv':
        addValues(collector, 'heart_rate_variability_sdnn', object);
        break;
      case 'temp':
        addValues(collector, 'skin_temperature', object);
        break;
      case 'steps': {
        addValues(collector, 'steps', object, true);
        const total = sampleValue(object.total);
        if (total !== null && total > 0)
          stepsTotal = { timestamp: dayStartOf(object, dayStart), value: total };
        break;
      }
      case 'vo2_max': {
        const value = sampleValue(object.value);
        if (value !== null && value > 0) collector.add('vo2_max', dayStartOf(object, dayStart), value, null);
        break;
      }
      case 'active_minutes': {
        const value = sampleValue(object.value);
        if (value !== null && value >= 0)
          collector.add('active_time', dayStartOf(object, dayStart), value, true);
        break;
      }
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
  // The daily total shares the (source, series, timestamp) key space with the intraday samples: it never
  // overwrites an intraday sample stamped exactly at the day start.
  if (stepsTotal && !collector.has('steps', stepsTotal.timestamp))
    collector.add('steps', stepsTotal.timestamp, stepsTotal.value, true);

  return { series: collector.result(source), events, scores };
}
