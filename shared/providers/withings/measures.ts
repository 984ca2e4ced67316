import type { SeriesType } from '#shared/model/series.js';
import { isObject, numberOf } from '#shared/providers/json.js';
import type { PullOutput } from '#shared/providers/output.js';
import { epochSecondsMs } from '#shared/providers/time.js';
import type { ProviderGet, SyncUnit } from '#shared/providers/types.js';
import { withingsSource, zoneOffsetAt } from '#shared/providers/withings/common.js';
import { allWithingsPages } from '#shared/providers/withings/status.js';

/**
 * Measures (`/measure` action `getmeas`): groups of values taken together (a weigh-in, a blood pressure reading),
 * each value `value x 10^unit` in SI units. Real measures only (category 1, not the user's objectives); a group
 * Withings could not attribute to the user for sure (attrib 1: a scale shared by a household) is skipped.
 */

export const MEASURE_PATH = '/measure';

/** Withings measure type -> series; `factor` converts to the series' unit. */
export const MEASURE_TYPES: Readonly<Record<number, { series: SeriesType; factor?: number }>> = {
  1: { series: 'weight' },
  4: { series: 'height', factor: 100 },
  5: { series: 'lean_body_mass' },
  6: { series: 'body_fat_percentage' },
  8: { series: 'body_fat_mass' },
  9: { series: 'blood_pressure_diastolic' },
  10: { series: 'blood_pressure_systolic' },
  11: { series: 'heart_rate' },
  12: { series: 'body_temperature' },
  54: { series: 'oxygen_saturation' },
  71: { series: 'body_temperature' },
  73: { series: 'skin_temperature' },
  76: { series: 'muscle_mass' },
  77: { series: 'body_water_mass' },
  88: { series: 'bone_mass' },
  91: { series: 'pulse_wave_velocity' },
  123: { series: 'vo2_max' },
  155: { series: 'vascular_age' },
  170: { series: 'visceral_fat_index' },
  227: { series: 'metabolic_age' },
};

export const MEASURE_TYPE_LIST = Object.keys(MEASURE_TYPES).join(',');

const REAL_MEASURES = 1;
const AMBIGUOUS_ATTRIBUTION = 1;

/** Values a measure of a series can take at all: anything else is a broken record, not a reading. */
const PLAUSIBLE: Partial<Record<SeriesType, readonly [number, number]>> = {
  body_fat_percentage: [0, 100],
  oxygen_saturation: [0, 100],
};

/** `value x 10^unit`, converted; null for a missing value, a non-integer exponent or a value the series cannot take. */
export function measureValue(measure: unknown): { series: SeriesType; value: number } | null {
  if (!isObject(measure)) return null;
  const type = numberOf(measure.type);
  const mantissa = numberOf(measure.value);
  const exponent = numberOf(measure.unit);
  const mapping = type === null ? undefined : MEASURE_TYPES[type];
  if (!mapping || mantissa === null || exponent === null || !Number.isInteger(exponent)) return null;
  if (Math.abs(exponent) > 20) return null;
  const value = mantissa * 10 ** exponent * (mapping.factor ?? 1);
  const range = PLAUSIBLE[mapping.series];
  if (!Number.isFinite(value) || value < (range?.[0] ?? 0) || (range && value > range[1])) return null;
  return { series: mapping.series, value };
}

/**
 * One measure group into `out`. A group without a time or a measure list, or a known measure with an unusable
 * value, counts as skipped; objectives, ambiguous groups and measure types we do not map are left out quietly.
 */
export function mapMeasureGroup(out: PullOutput, group: unknown, zone: unknown): void {
  const at = isObject(group) ? epochSecondsMs(group.date) : null;
  if (!isObject(group) || at === null || !Array.isArray(group.measures)) {
    out.skip();
    return;
  }
  if (group.category !== REAL_MEASURES || group.attrib === AMBIGUOUS_ATTRIBUTION) return;
  const source = withingsSource(group.model);
  const offset = zoneOffsetAt(zone, at);
  for (const measure of group.measures) {
    const type = isObject(measure) ? numberOf(measure.type) : null;
    if (type === null || !MEASURE_TYPES[type]) continue;
    const reading = measureValue(measure);
    if (reading) out.sample(source, reading.series, at, reading.value, offset);
    else out.skip();
  }
}

/** The measure groups taken in `[unit.start, unit.end)`. */
export async function pullMeasures(get: ProviderGet, unit: SyncUnit, out: PullOutput): Promise<void> {
  const params = {
    meastypes: MEASURE_TYPE_LIST,
    category: REAL_MEASURES,
    startdate: Math.floor(unit.start / 1000),
    enddate: Math.ceil(unit.end / 1000),
  };
  const { items, timezone } = await allWithingsPages(get, MEASURE_PATH, 'getmeas', params, 'measuregrps');
  for (const group of items) {
    const at = isObject(group) ? epochSecondsMs(group.date) : null;
    if (at !== null && (at < unit.start || at >= unit.end)) continue;
    mapMeasureGroup(out, group, timezone);
  }
}
