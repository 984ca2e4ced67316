import { numberOf, textOf } from '#shared/providers/json.js';
import type { SyncUnit } from '#shared/providers/types.js';
import { zoneOffsetOf } from '#shared/providers/values.js';

/**
 * Time readers the provider mappings share. Providers write ISO-8601 times with `Z`, with an offset, or naive;
 * day keys as `YYYY-MM-DD`; epochs in seconds or milliseconds. One definition each, so no two providers disagree
 * on what a valid time is: an impossible date or an offset beyond ±14 h reads as null.
 */

export const DAY_MS = 86_400_000;

export interface Instant {
  /** Epoch ms, UTC. */
  at: number;
  /** `±HH:MM`; null when the text carried none (a naive time). */
  zoneOffset: string | null;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** `Z`, `+05:30`, `-0500`, `+02` -> seconds east of UTC; null for anything else or beyond ±14 h. */
export function offsetSeconds(text: string): number | null {
  if (text === 'Z' || text === 'z') return 0;
  const match = /^([+-])(\d{2})(?::?(\d{2}))?$/.exec(text);
  if (!match || Number(match[3] ?? 0) > 59) return null;
  const seconds = (Number(match[2]) * 3600 + Number(match[3] ?? 0) * 60) * (match[1] === '-' ? -1 : 1);
  return zoneOffsetOf(seconds) === null ? null : seconds;
}

/** An offset as the provider wrote it (`-05:00`, `+0530`, `Z`) -> `±HH:MM`; null when it is not one. */
export function zoneOf(value: unknown): string | null {
  const text = textOf(value);
  const seconds = text === null ? null : offsetSeconds(text);
  return seconds === null ? null : zoneOffsetOf(seconds);
}

/**
 * An ISO-8601 time -> its instant and offset. With `naive: 'utc'` (the default) a time without an offset is read
 * as UTC with an unknown zone; with `naive: 'reject'` it is null (a provider that always sends one).
 */
export function isoInstant(
  value: unknown,
  { naive = 'utc' }: { naive?: 'utc' | 'reject' } = {},
): Instant | null {
  const match = ISO.exec(textOf(value) ?? '');
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  const valid =
    date.getUTCDate() === day && date.getUTCMonth() === month - 1 && hour < 24 && minute < 60 && second < 60;
  if (!valid) return null;
  const wall = date.getTime() + Math.round(Number(`0${match[7] ?? ''}`) * 1000);
  const zone = match[8];
  if (zone === undefined) return naive === 'utc' ? { at: wall, zoneOffset: null } : null;
  const seconds = offsetSeconds(zone);
  if (seconds === null) return null;
  return { at: wall - seconds * 1000, zoneOffset: zoneOffsetOf(seconds) };
}

/** The epoch ms of an ISO-8601 time (see `isoInstant`); null when it is not one. */
export const isoMs = (value: unknown, options?: { naive?: 'utc' | 'reject' }): number | null =>
  isoInstant(value, options)?.at ?? null;

/** `YYYY-MM-DD` -> UTC midnight ms; null for anything else (or an impossible date). */
export function calendarDay(value: unknown): number | null {
  const text = textOf(value);
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(text) ? ms : null;
}

/** Epoch ms -> its UTC date `YYYY-MM-DD`. */
export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Epoch ms -> the UTC midnight starting its day. */
export const utcMidnight = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** Epoch milliseconds below this are seconds: 1e11 s is the year 5138, 1e11 ms is 1973. */
const SECONDS_BELOW = 1e11;

/**
 * An epoch in seconds or in milliseconds, told apart by magnitude -> epoch ms; null unless a positive number. For
 * providers that mix the two (SensorBio) or document one and send the other.
 */
export function epochMs(value: unknown): number | null {
  const number = numberOf(value);
  if (number === null || number <= 0) return null;
  return Math.round(number < SECONDS_BELOW ? number * 1000 : number);
}

/**
 * An epoch in seconds -> epoch ms; null unless positive and below 1e11 (a value that large is already ms, which a
 * seconds-only field must not be read as). For providers that document and send seconds only (Garmin, Ultrahuman).
 */
export function epochSecondsMs(value: unknown): number | null {
  const seconds = numberOf(value);
  if (seconds === null || seconds <= 0 || seconds >= SECONDS_BELOW) return null;
  return Math.round(seconds * 1000);
}

/** Seconds -> whole minutes (the unit of the sleep details); null stays null. */
export const minutesOf = (seconds: number | null) => (seconds === null ? null : Math.round(seconds / 60));

/**
 * One unit per UTC day touching `[start, end)`, keyed by its date and spanning the whole day: for APIs that answer
 * per calendar day.
 */
export function dayUnits(start: number, end: number): SyncUnit[] {
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return [];
  const units: SyncUnit[] = [];
  for (let day = utcMidnight(start); day < end; day += DAY_MS)
    units.push({ key: isoDate(day), start: day, end: day + DAY_MS });
  return units;
}
