import type { SourceRef } from '#shared/model/health-data.js';
import { textOf } from '#shared/providers/json.js';
import { deviceSource } from '#shared/providers/output.js';
import { isoInstant, offsetSeconds } from '#shared/providers/time.js';

/**
 * Readers of Polar AccessLink values (providers.md 4.2). Polar writes three kinds of time:
 * - instants with an offset (`sleep_start_time: 2024-01-14T23:00:00+02:00`) or in UTC (`upload_time`, `modified`);
 * - an exercise's local `start_time` with `start_time_utc_offset` minutes east of UTC;
 * - device-local clock times without any offset: continuous heart rate `sample_time`, the `HH:MM` keys of sleep and
 *   Nightly Recharge samples, daily activity `start_time`. These are kept as floating local time: the wall clock
 *   written as if it were UTC, zone offset null. They then fall on their local day in every read, and a record read
 *   twice always lands on the same timestamps (the offset of that day is in none of these records; borrowing it
 *   from another record would move the same sample depending on what had been fetched first).
 */

const DEFAULT_SOURCE_NAME = 'Polar';

/** The device that recorded an exercise (`device`), else "Polar" with no device model. */
export const polarSource = (device?: unknown): SourceRef =>
  deviceSource('polar', device, DEFAULT_SOURCE_NAME);

/** Polar writes date-times as `YYYY-MM-DDTHH:MM...`: any other form (`2024-01-15 08:00`) is malformed. */
const dateTime = (value: unknown, naive: 'utc' | 'reject') =>
  /^\d{4}-\d{2}-\d{2}T/.test(textOf(value) ?? '') ? isoInstant(value, { naive }) : null;

/** A wall-clock date-time without offset (`2024-01-15T08:00:00`) as floating ms (read as UTC); null otherwise. */
export function floatingTime(value: unknown): number | null {
  const instant = dateTime(value, 'utc');
  return instant && instant.zoneOffset === null ? instant.at : null;
}

/**
 * An ISO-8601 instant with `Z` or `±HH:MM` -> epoch ms, the offset as `±HH:MM` (`Z` is `+00:00`) and the local
 * wall clock as floating ms; null for anything else.
 */
export function instantOf(value: unknown): { ms: number; zoneOffset: string; local: number } | null {
  const instant = dateTime(value, 'reject');
  const seconds = offsetSeconds(instant?.zoneOffset ?? '');
  if (!instant?.zoneOffset || seconds === null) return null;
  return { ms: instant.at, zoneOffset: instant.zoneOffset, local: instant.at + seconds * 1000 };
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** An ISO-8601 duration (`PT1H0M0S`, `PT2H44M`, `PT210.026S`, `P1DT2H`) in seconds; null when malformed or empty. */
export function durationSeconds(value: unknown): number | null {
  const text = textOf(value);
  const match = text ? DURATION.exec(text) : null;
  if (!match || text === 'P' || text?.endsWith('T')) return null;
  const [days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  return days! * 86_400 + hours! * 3_600 + minutes! * 60 + seconds!;
}

const CLOCK = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** `HH:MM` or `HH:MM:SS` -> seconds since midnight; null for anything else. */
export function clockSeconds(value: unknown): number | null {
  const match = CLOCK.exec(textOf(value) ?? '');
  if (!match) return null;
  const [hours, minutes, seconds] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  return hours > 23 || minutes > 59 || seconds > 59 ? null : (hours * 60 + minutes) * 60 + seconds;
}

/**
 * A clock time of a night as ms: the first occurrence of that clock time at or after `anchor` (whose own clock time
 * is `anchorClock` seconds), or up to `earlySeconds` before it (a sample taken just before the recorded start).
 * Polar's night samples are keyed by clock time only and run across midnight, so a time below the anchor's is on the
 * next day.
 */
export function clockAfter(anchor: number, anchorClock: number, clock: number, earlySeconds = 0): number {
  let delta = (((clock - anchorClock) % 86_400) + 86_400) % 86_400;
  if (delta > 86_400 - earlySeconds) delta -= 86_400;
  return anchor + delta * 1000;
}
