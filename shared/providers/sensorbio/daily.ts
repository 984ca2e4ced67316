import type { SeriesCollector } from '#shared/ingest/sdk-collect.js';
import type { HealthScore, HealthScoreCategory } from '#shared/model/health-data.js';
import { isStorableSample } from '#shared/model/limits.js';
import { roundTo } from '#shared/model/numbers.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';
import { isObject, type JsonObject, textOf } from '#shared/providers/json.js';
import { componentsOf } from '#shared/providers/output.js';
import { SENSORBIO_SOURCE } from '#shared/providers/sensorbio/common.js';
import { epochMs } from '#shared/providers/time.js';
import { kcalOfKilojoules, nonNegative, percentOrFraction, positive } from '#shared/providers/values.js';

/**
 * SensorBio's measurements -> series and health scores (providers.md 4.10), pure:
 *
 * - `/v1/biometrics` records `{timestamp (ms), bpm, hrv, spo2, brpm}` -> heart rate (bpm), HRV RMSSD (ms), SpO2
 *   (percent; a 0-1 fraction is scaled) and respiratory rate (brpm), at their timestamp;
 * - `/v1/scores?date=` `{data: {recovery, activity, sleep}}` -> recovery (qualifier `recovery.stage`), activity and
 *   sleep scores at the day's 00:00 UTC; the night's `sleep.biometrics` become the sleep score's components, and
 *   `resting_bpm` also the day's resting heart rate;
 * - `/v1/step/details?date=&granularity=day` (no `data` envelope) `metrics[] {name|type, value, unit}` -> daily
 *   totals of steps, energy (kcal) and walking/running distance in meters: SensorBio reports km (the reference
 *   stored the km number as meters, discrepancy 11).
 */

function add(
  collector: SeriesCollector,
  series: SeriesType,
  timestamp: number,
  value: number,
  daily = false,
) {
  const sample = {
    timestamp,
    value: roundTo(value, 3),
    zoneOffset: null,
    // SUM series: a provider daily total or an intraday sample; averaged series carry no flag.
    isDailyTotal: SERIES_TYPES[series].aggregation === 'sum' ? daily : null,
  };
  // Every SensorBio measure is positive: one that rounds to zero is noise.
  if (sample.value > 0 && isStorableSample(sample)) collector.add(SENSORBIO_SOURCE, series, sample);
}

export function addBiometrics(collector: SeriesCollector, record: JsonObject): void {
  const timestamp = epochMs(record.timestamp);
  if (timestamp === null) return;
  const values: Array<[SeriesType, number | null]> = [
    ['heart_rate', positive(record.bpm)],
    ['heart_rate_variability_rmssd', positive(record.hrv)],
    ['oxygen_saturation', percentOrFraction(record.spo2)],
    ['respiratory_rate', positive(record.brpm)],
  ];
  for (const [series, value] of values) if (value !== null) add(collector, series, timestamp, value);
}

/** A score: a number in [0, 1000) (the model's numeric(6,3)); SensorBio's are 0-100. */
function scoreValue(value: unknown): number | null {
  const number = nonNegative(value);
  return number !== null && number < 1000 ? roundTo(number, 3) : null;
}

function score(
  category: HealthScoreCategory,
  object: unknown,
  recordedAt: number,
  extra: Pick<HealthScore, 'qualifier' | 'components'> = { qualifier: null, components: null },
): HealthScore | null {
  const value = isObject(object) ? scoreValue(object.value) : null;
  if (value === null) return null;
  return { source: SENSORBIO_SOURCE, category, value, recordedAt, zoneOffset: null, ...extra };
}

/** The day's scores (and resting heart rate into `collector`), stamped at `dayStart` (00:00 UTC). */
export function dailyScores(body: unknown, dayStart: number, collector: SeriesCollector): HealthScore[] {
  const data = isObject(body) && isObject(body.data) ? body.data : null;
  if (!data) return [];
  const recovery = isObject(data.recovery) ? data.recovery : null;
  const sleep = isObject(data.sleep) ? data.sleep : null;
  const night = sleep && isObject(sleep.biometrics) ? sleep.biometrics : {};

  const components = componentsOf({
    resting_bpm: roundTo(positive(night.resting_bpm), 3),
    resting_hrv: roundTo(positive(night.resting_hrv), 3),
    hrv: roundTo(positive(night.hrv), 3),
    spo2: roundTo(percentOrFraction(night.spo2), 3),
  });
  const restingBpm = positive(night.resting_bpm);
  if (restingBpm !== null) add(collector, 'resting_heart_rate', dayStart, restingBpm);

  return [
    score('recovery', recovery, dayStart, {
      qualifier: recovery ? textOf(recovery.stage) : null,
      components: null,
    }),
    score('activity', data.activity, dayStart),
    score('sleep', sleep, dayStart, { qualifier: null, components }),
  ].filter((s): s is HealthScore => s !== null);
}

/** A distance in `unit` -> meters; km when the unit is absent (the unit SensorBio documents). */
function metersOf(value: number, unit: string | null): number | null {
  switch (unit ?? 'km') {
    case 'km':
      return value * 1000;
    case 'm':
      return value;
    case 'mi':
      return value * 1609.344;
    default:
      return null;
  }
}

/** Calories in kcal (`kcal`, `cal` as apps write it, or no unit); kJ converted. */
function kcalOf(value: number, unit: string | null): number | null {
  if (unit === null || unit === 'kcal' || unit === 'cal') return value;
  return unit === 'kj' ? kcalOfKilojoules(value) : null;
}

/** A step-detail metric -> its series and value in the series' unit; null for metrics not mapped. */
function stepMetric(name: string, value: number, unit: string | null): [SeriesType, number | null] | null {
  switch (name) {
    case 'steps':
      return ['steps', Math.round(value)];
    case 'distance':
      return ['distance_walking_running', metersOf(value, unit)];
    case 'calories':
      return ['energy', kcalOf(value, unit)];
    default:
      // `Duration` (minutes) is not mapped: the API does not say what it measures.
      return null;
  }
}

/** The day's step-detail totals into `collector` at `dayStart`; zero totals (a day not worn) are left out. */
export function addStepDetails(collector: SeriesCollector, body: unknown, dayStart: number): void {
  const metrics = isObject(body) && Array.isArray(body.metrics) ? body.metrics : [];
  for (const metric of metrics) {
    if (!isObject(metric)) continue;
    const name = (textOf(metric.name) ?? textOf(metric.type))?.toLowerCase();
    const value = positive(metric.value);
    if (name === undefined || value === null) continue;
    const mapped = stepMetric(name, value, textOf(metric.unit)?.toLowerCase() ?? null);
    if (mapped && mapped[1] !== null) add(collector, mapped[0], dayStart, mapped[1], true);
  }
}
