import type { HealthEvent, MenstrualCycleDetails } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { calendarNoon, garminSource, startOf } from '#shared/providers/garmin/common.js';
import { isObject, type JsonObject, numberOf, textOf } from '#shared/providers/json.js';
import { outputOf } from '#shared/providers/output.js';
import { calendarDay, DAY_MS, epochSecondsMs, isoMs } from '#shared/providers/time.js';
import type { PullResult } from '#shared/providers/types.js';
import { idText, percentOf, positive, zoneOffsetOf } from '#shared/providers/values.js';

/**
 * Point measurements and cycle tracking (providers.md 4.1): `bodyComps`, `healthSnapshot`, `skinTemp`,
 * `bloodPressures`, `userMetrics`, `mct`.
 *
 * Beyond the reference: `skinTemp`'s `avgDeviationCelsius` (what Garmin's skin temperature summary reports: the
 * deviation from the personal baseline) is kept as `skin_temperature_deviation`, next to `skinTemperature`.
 */

export type MenstrualCycleEvent = Extract<HealthEvent, { category: 'menstrual_cycle' }>;

/** A percentage in (0, 100]. */
const percent = (value: unknown) => percentOf(positive(value));

const grams = (value: unknown) => {
  const number = positive(value);
  return number === null ? null : number / 1000;
};

/** Weight and body composition at `measurementTimeInSeconds`; grams -> kg. */
export function mapBodyComp(item: unknown): PullResult | null {
  if (!isObject(item)) return null;
  const at = epochSecondsMs(item.measurementTimeInSeconds);
  if (at === null) return null;
  const offset = zoneOffsetOf(item.measurementTimeOffsetInSeconds);
  const source = garminSource(item.deviceName);
  return outputOf((out) => {
    out.sample(source, 'weight', at, grams(item.weightInGrams), offset);
    out.sample(source, 'body_fat_percentage', at, percent(item.bodyFatInPercent), offset);
    out.sample(source, 'body_mass_index', at, positive(item.bodyMassIndex), offset);
    out.sample(source, 'skeletal_muscle_mass', at, grams(item.muscleMassInGrams), offset);
  });
}

/** `healthSnapshot` `summaries[].summaryType` -> series. */
const SNAPSHOT_SERIES: Readonly<Record<string, SeriesType>> = {
  heart_rate: 'heart_rate',
  rmssd_hrv: 'heart_rate_variability_rmssd',
  sdrr_hrv: 'heart_rate_variability_sdnn',
  stress: 'garmin_stress_level',
  pulse_ox: 'oxygen_saturation',
  spo2: 'oxygen_saturation',
  respiration: 'respiratory_rate',
};

/** A Health Snapshot session: each summary's `avgValue` at the session start. */
export function mapHealthSnapshot(item: unknown): PullResult | null {
  if (!isObject(item) || !Array.isArray(item.summaries)) return null;
  const started = startOf(item);
  if (!started) return null;
  const source = garminSource(item.deviceName);
  const summaries = item.summaries;
  return outputOf((out) => {
    for (const summary of summaries) {
      if (!isObject(summary)) continue;
      const type = textOf(summary.summaryType)?.toLowerCase() ?? '';
      if (!Object.hasOwn(SNAPSHOT_SERIES, type)) continue;
      const series = SNAPSHOT_SERIES[type]!;
      const value = series === 'oxygen_saturation' ? percent(summary.avgValue) : numberOf(summary.avgValue);
      // Stress 0 is a valid (calm) reading; negatives mean not enough data.
      const valid = value !== null && (series === 'garmin_stress_level' ? value >= 0 : value > 0);
      out.sample(source, series, started.start, valid ? value : null, started.zoneOffset);
    }
  });
}

/** `skinTemperature` -> skin_temperature, `avgDeviationCelsius` -> skin_temperature_deviation, at the start. */
export function mapSkinTemp(item: unknown): PullResult | null {
  if (!isObject(item)) return null;
  const started = startOf(item);
  if (!started) return null;
  const source = garminSource(item.deviceName);
  return outputOf((out) => {
    out.sample(source, 'skin_temperature', started.start, positive(item.skinTemperature), started.zoneOffset);
    out.sample(
      source,
      'skin_temperature_deviation',
      started.start,
      numberOf(item.avgDeviationCelsius),
      started.zoneOffset,
    );
  });
}

/** `measurementTimestampGMT`: epoch seconds, or an ISO date-time read as UTC when it has no zone. */
function gmtTimestamp(value: unknown): number | null {
  if (typeof value === 'number') return epochSecondsMs(value);
  const ms = isoMs(value);
  return ms !== null && ms >= 0 ? ms : null;
}

/** Systolic and diastolic (mmHg) at `measurementTimeInSeconds`, else `measurementTimestampGMT`, else start. */
export function mapBloodPressure(item: unknown): PullResult | null {
  if (!isObject(item)) return null;
  const at =
    epochSecondsMs(item.measurementTimeInSeconds) ??
    gmtTimestamp(item.measurementTimestampGMT) ??
    epochSecondsMs(item.startTimeInSeconds);
  if (at === null) return null;
  const offset = zoneOffsetOf(item.measurementTimeOffsetInSeconds ?? item.startTimeOffsetInSeconds);
  const source = garminSource(item.deviceName);
  return outputOf((out) => {
    out.sample(source, 'blood_pressure_systolic', at, positive(item.systolic), offset);
    out.sample(source, 'blood_pressure_diastolic', at, positive(item.diastolic), offset);
  });
}

/** `vo2Max` and `fitnessAge` at `calendarDate` 12:00 UTC. */
export function mapUserMetrics(item: unknown): PullResult | null {
  if (!isObject(item)) return null;
  const at = calendarNoon(item.calendarDate);
  if (at === null) return null;
  const source = garminSource(item.deviceName);
  return outputOf((out) => {
    out.sample(source, 'vo2_max', at, positive(item.vo2Max), null);
    out.sample(source, 'garmin_fitness_age', at, positive(item.fitnessAge), null);
  });
}

const intOf = (value: unknown) => {
  const number = numberOf(value);
  return number === null ? null : Math.round(number);
};
const boolOf = (value: unknown) => (typeof value === 'boolean' ? value : null);

function pregnancySnapshot(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  return isObject(value) ? [value] : null;
}

function cycleDetails(item: JsonObject): MenstrualCycleDetails {
  const updated = epochSecondsMs(item.lastUpdatedTimeInSeconds);
  return {
    day_in_cycle: intOf(item.dayInCycle),
    current_phase: intOf(item.currentPhase),
    current_phase_type: textOf(item.currentPhaseType),
    length_of_current_phase: intOf(item.lengthOfCurrentPhase),
    days_until_next_phase: intOf(item.daysUntilNextPhase),
    predicted_cycle_length: intOf(item.predictedCycleLength),
    is_predicted_cycle: boolOf(item.isPredictedCycle),
    cycle_length: intOf(item.cycleLength),
    last_updated_at: updated,
    has_specified_cycle_length: boolOf(item.hasSpecifiedCycleLength),
    has_specified_period_length: boolOf(item.hasSpecifiedPeriodLength),
    period_length: intOf(item.periodLength),
    fertile_window_start: intOf(item.fertileWindowStart),
    length_of_fertile_window: intOf(item.lengthOfFertileWindow),
    pregnancy_snapshot: pregnancySnapshot(item.pregnancySnapshot),
  };
}

/**
 * A cycle: from `periodStartDate` (UTC midnight) for `cycleLength` days, else `predictedCycleLength`, else the
 * `dayInCycle` days so far; keyed by `summaryId`.
 */
export function mapMenstrualCycle(item: unknown): MenstrualCycleEvent | null {
  if (!isObject(item)) return null;
  const start = calendarDay(item.periodStartDate);
  const days = positive(item.cycleLength) ?? positive(item.predictedCycleLength) ?? positive(item.dayInCycle);
  if (start === null || days === null) return null;
  const end = start + Math.round(days) * DAY_MS;
  return {
    category: 'menstrual_cycle',
    type: null,
    source: garminSource(item.deviceName),
    start,
    end,
    zoneOffset: null,
    durationSeconds: Math.round((end - start) / 1000),
    externalId: idText(item.summaryId),
    details: cycleDetails(item),
  };
}
