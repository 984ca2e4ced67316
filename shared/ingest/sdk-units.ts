import type { SdkProvider } from '#shared/model/provider.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';

/**
 * SDK value + unit -> the series' canonical unit (contract 6.3.1 "Value normalisation"), with the reference's
 * factor-of-100 bugs fixed (README "Differences"): waist circumference and running stride length arrive in metres
 * and are stored in cm, workout humidity is stored in percent whatever scale HealthKit used.
 */

const MG_DL_PER_MMOL_L = 18.0182;

/** Centimetres per unit; the SDKs send `m` except for vertical oscillation (`cm`). */
const CENTIMETRES: Record<string, number> = { m: 100, cm: 1, mm: 0.1, km: 100_000, in: 2.54, ft: 30.48 };
const CM_DEFAULT_UNIT: Partial<Record<SeriesType, string>> = { running_vertical_oscillation: 'cm' };

const MILLILITRES: Record<string, number> = { ml: 1, l: 1000, fl_oz_us: 29.5735, 'fl oz': 29.5735 };

/** HealthKit percent quantities the iOS SDK sends as 0..1 fractions. */
const FRACTION_PERCENT_SERIES = new Set<SeriesType>([
  'walking_double_support_percentage',
  'walking_asymmetry_percentage',
  'walking_steadiness',
]);

const normalisedUnit = (unit: string | null) => unit?.trim().toLowerCase() || null;
const lookup = (table: Record<string, number>, key: string | null) =>
  key !== null && Object.hasOwn(table, key) ? table[key] : undefined;

/**
 * Workout humidity from the Apple Watch arrives as HealthKit's percent unit read as a fraction (0.65), while
 * current watchOS stores it as percent x 100 (6500) and old data as plain percent (65).
 */
function humidityPercent(value: number): number {
  if (value <= 1) return value * 100;
  if (value > 100) return value / 100;
  return value;
}

/** The value in the series' canonical unit; `null` when the unit cannot be converted. */
export function toCanonicalUnit(
  series: SeriesType,
  value: number,
  unit: string | null,
  provider: SdkProvider,
): number | null {
  const sent = normalisedUnit(unit);
  const canonical = SERIES_TYPES[series].unit;
  if (canonical === 'cm') {
    const factor = lookup(CENTIMETRES, sent ?? CM_DEFAULT_UNIT[series] ?? 'm');
    return factor === undefined ? null : value * factor;
  }
  if (canonical === 'mL') {
    const factor = lookup(MILLILITRES, sent ?? 'ml');
    return factor === undefined ? null : value * factor;
  }
  if (series === 'weather_humidity') return humidityPercent(value);
  if (FRACTION_PERCENT_SERIES.has(series)) return value * 100;
  if (series === 'body_fat_percentage' && provider === 'apple') return value * 100;
  if (series === 'blood_glucose' && sent?.startsWith('mmol')) return value * MG_DL_PER_MMOL_L;
  return value;
}
