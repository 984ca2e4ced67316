import type { SourceRef } from '#shared/model/health-data.js';
import { isObject, type JsonObject, numberOf, textOf } from '#shared/providers/json.js';
import { calendarDay, epochSecondsMs } from '#shared/providers/time.js';
import { zoneOffsetOf } from '#shared/providers/values.js';

/**
 * Shared readers of Garmin summaries; their output is collected by the provider layer's PullOutput. Garmin times
 * are UTC epoch seconds with a separate offset in seconds east of UTC (`startTimeOffsetInSeconds`, ...): the
 * reference turned some of them into naive server-local datetimes; here every timestamp is UTC ms and the offset
 * is kept as `±HH:MM` (shared/providers/values.ts, like the other value readers Garmin and Strava share).
 */

export const DEFAULT_SOURCE_NAME = 'Garmin';

const NOON_MS = 12 * 3_600_000;

/** `calendarDate` at 12:00 UTC (the reference's stamp for day-level values without a start time). */
export const calendarNoon = (value: unknown): number | null => {
  const day = calendarDay(value);
  return day === null ? null : day + NOON_MS;
};

/** `{ "<offset seconds>": value }` -> [offset seconds, value] pairs with numeric keys and values. */
export function offsetEntries(map: unknown): Array<[number, number]> {
  if (!isObject(map)) return [];
  const entries: Array<[number, number]> = [];
  for (const [key, raw] of Object.entries(map)) {
    const offset = numberOf(key);
    const value = numberOf(raw);
    if (offset !== null && offset >= 0 && value !== null) entries.push([offset, value]);
  }
  return entries;
}

/** The device that wrote a summary (`deviceName`), else "Garmin". */
export function garminSource(deviceName: unknown, sourceName?: string): SourceRef {
  const name = textOf(deviceName);
  return {
    provider: 'garmin',
    deviceModel: name ?? DEFAULT_SOURCE_NAME,
    sourceName: sourceName ?? name ?? DEFAULT_SOURCE_NAME,
    softwareVersion: null,
    originalSourceName: name,
  };
}

/** The time and offset most summaries carry. */
export function startOf(item: JsonObject): { start: number; zoneOffset: string | null } | null {
  const start = epochSecondsMs(item.startTimeInSeconds);
  return start === null ? null : { start, zoneOffset: zoneOffsetOf(item.startTimeOffsetInSeconds) };
}

/** Appends to the list of `key` in place (no copy per item: a body may hold thousands). */
export function appendTo<K>(lists: Map<K, unknown[]>, key: K, items: readonly unknown[]): void {
  const list = lists.get(key);
  if (list) for (const item of items) list.push(item);
  else lists.set(key, [...items]);
}
