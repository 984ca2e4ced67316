import { numberOf, textOf } from '#shared/providers/json.js';

/**
 * Value readers shared by the provider mappings, built on json.ts: one definition of each, so two providers
 * cannot drift apart on what a zone offset, an id or a usable measurement is. A value that does not fit reads as
 * null.
 */

/** Zone offsets beyond ±14 h do not exist (UTC+14 Kiribati, UTC−12 Baker Island). */
const MAX_OFFSET_SECONDS = 14 * 3600;

const twoDigits = (value: number) => String(value).padStart(2, '0');

/**
 * Seconds east of UTC (a number or numeric string, possibly fractional: Strava's `utc_offset` is a float) ->
 * `±HH:MM`, rounded to the minute; null when absent or beyond ±14 h. Zero (and anything under half a minute)
 * is `+00:00`.
 */
export function zoneOffsetOf(seconds: unknown): string | null {
  const value = numberOf(seconds);
  if (value === null || Math.abs(value) > MAX_OFFSET_SECONDS) return null;
  const minutes = Math.round(Math.abs(value) / 60);
  const sign = value < 0 && minutes > 0 ? '-' : '+';
  return `${sign}${twoDigits(Math.floor(minutes / 60))}:${twoDigits(minutes % 60)}`;
}

/** A provider id as text: a safe integer in decimal, or a non-blank string (trimmed); anything else is null. */
export function idText(value: unknown): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : null;
  return textOf(value);
}

/** A finite number >= 0 (or a numeric string of one), else null. */
export function nonNegative(value: unknown): number | null {
  const number = numberOf(value);
  return number !== null && number >= 0 ? number : null;
}

/** A finite number > 0 (or a numeric string of one), else null. */
export function positive(value: unknown): number | null {
  const number = numberOf(value);
  return number !== null && number > 0 ? number : null;
}

/** A percentage in [0, 100] (or a numeric string of one), else null. */
export function percentOf(value: unknown): number | null {
  const number = nonNegative(value);
  return number !== null && number <= 100 ? number : null;
}

/** The sum of the known values (asleep = deep + light + REM); null when none is known. */
export function knownSum(...values: Array<number | null>): number | null {
  const known = values.filter((value) => value !== null);
  return known.length > 0 ? known.reduce((a, b) => a + b, 0) : null;
}

/** A percentage in (0, 100] sent either as percent (97) or as a fraction of one (0.97) -> percent, else null. */
export function percentOrFraction(value: unknown): number | null {
  const number = positive(percentOf(value));
  return number !== null && number <= 1 ? number * 100 : number;
}

/** Energy in kilojoules (WHOOP) or joules (Suunto) -> kcal, the model's unit (thermochemical calorie). */
export const kcalOfKilojoules = (kilojoules: number | null) =>
  kilojoules === null ? null : kilojoules / 4.184;
export const kcalOfJoules = (joules: number | null) => (joules === null ? null : joules / 4184);
