import type { SourceRef } from '#shared/model/health-data.js';
import { isObject, type JsonObject, numberOf, textOf } from '#shared/providers/json.js';
import { allPages, type CursorPaging } from '#shared/providers/pages.js';
import type { ProviderGet } from '#shared/providers/types.js';
import { zoneOffsetOf } from '#shared/providers/values.js';

/**
 * What every Google Health API call shares (providers.md 4.9): the user's data-type paths, the list paging, time
 * literals for AIP-160 filters, and how a point's time and provenance read.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Local time is within [UTC - 12 h, UTC + 14 h]: a civil-time filter is widened by these to cover a UTC window. */
const WEST_MS = 12 * HOUR_MS;
const EAST_MS = 14 * HOUR_MS;

export const DEFAULT_SOURCE_NAME = 'Google Health';

export const IDENTITY_PATH = '/v4/users/me/identity';
export const pointsPath = (dataType: string) => `/v4/users/me/dataTypes/${dataType}/dataPoints`;
export const reconcilePath = (dataType: string) => `${pointsPath(dataType)}:reconcile`;
export const rollUpPath = (dataType: string) => `${pointsPath(dataType)}:rollUp`;

/** `heart-rate` in a path is `heart_rate` in a filter (a hyphen there is a 400 INVALID_DATA_POINT_FILTER). */
export const filterName = (dataType: string) => dataType.replaceAll('-', '_');

export const POINT_PAGING: CursorPaging = {
  cursorParam: 'pageToken',
  nextField: 'nextPageToken',
  itemsField: 'dataPoints',
};

/** Every data point of a list or reconcile call, page by page. */
export const allPoints = (get: ProviderGet, path: string, filter: string, pageSize: number) =>
  allPages(get, path, { pageSize, filter }, POINT_PAGING);

/** `2026-01-15T08:00:00.000Z`: an RFC 3339 physical-time literal. */
export const instantLiteral = (ms: number) => new Date(ms).toISOString();

/** `2026-01-15`. */
export const dateLiteral = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `2026-01-15T08:00:00`: a civil (local wall-clock) literal, read as if `ms` were local time. */
const civilLiteral = (ms: number) => new Date(ms).toISOString().slice(0, 19);

/** `<field> >= "<from>" AND <field> < "<to>"`: the only comparison operators the API takes. */
export const rangeFilter = (field: string, from: string, to: string) =>
  `${field} >= "${from}" AND ${field} < "${to}"`;

/** A civil-time range wide enough for every record whose UTC start is in `[start, end)`, whatever its zone. */
export const civilRange = (field: string, start: number, end: number) =>
  rangeFilter(field, civilLiteral(start - WEST_MS), civilLiteral(end + EAST_MS));

/** The first UTC date of `[start, end)` and the day after its last: a date filter's bounds. */
export function dateRange(start: number, end: number): [string, string] {
  const lastDay = Math.floor((end - 1) / DAY_MS) * DAY_MS;
  return [dateLiteral(start), dateLiteral(lastDay + DAY_MS)];
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp -> epoch ms; null for anything else. */
export function instantOf(value: unknown): number | null {
  const text = textOf(value);
  if (!text || !RFC3339.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** A protobuf Duration (`"7200s"`, `"-3600s"`, `"1.5s"`) -> seconds; null for anything else. */
export function secondsOf(value: unknown): number | null {
  const text = textOf(value);
  const match = text ? /^(-?\d+(?:\.\d+)?)s$/.exec(text) : null;
  return match ? Number(match[1]) : null;
}

/** A Duration offset from UTC -> `±HH:MM`. */
export const offsetOf = (value: unknown) => zoneOffsetOf(secondsOf(value));

/** `{year, month, day}` -> 00:00 UTC of that date; null unless a real calendar date. */
export function dateOf(value: unknown): number | null {
  if (!isObject(value)) return null;
  const [year, month, day] = [numberOf(value.year), numberOf(value.month), numberOf(value.day)];
  if (year === null || month === null || day === null) return null;
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    ? ms
    : null;
}

/** A nested field (`['amountConsumed', 'milliliters']`) of a JSON object, undefined when a step is missing. */
export function fieldAt(object: unknown, path: readonly string[]): unknown {
  let current = object;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Reconciled and rolled-up points merge every source: no device, Google Health as the writer. */
export const MERGED_SOURCE: SourceRef = {
  provider: 'google_health',
  deviceModel: null,
  sourceName: DEFAULT_SOURCE_NAME,
  softwareVersion: null,
  originalSourceName: null,
};

/**
 * A listed point's `dataSource`: the device's display name, else manufacturer and form factor, else the platform;
 * the platform (`FITBIT`, `ANDROID`, ...) names the writer.
 */
export function sourceOf(point: JsonObject): SourceRef {
  const dataSource = isObject(point.dataSource) ? point.dataSource : {};
  const device = isObject(dataSource.device) ? dataSource.device : {};
  const platform = textOf(dataSource.platform);
  const maker = [textOf(device.manufacturer), textOf(device.formFactor)?.toLowerCase()]
    .filter((part) => part)
    .join(' ');
  return {
    provider: 'google_health',
    deviceModel: textOf(device.displayName) ?? (maker || platform),
    sourceName: platform ?? DEFAULT_SOURCE_NAME,
    softwareVersion: null,
    originalSourceName: platform,
  };
}

/** Session lists (sleep, exercise) page 25 at a time. */
export const SESSION_PAGE_SIZE = 25;

/**
 * The sessions of one type listed by `filter` whose mapped start falls in `[start, end)` (the filter may reach
 * wider, in local time or by end time), and how many points did not map.
 */
export async function pullSessions<E extends { start: number }>(
  get: ProviderGet,
  dataType: string,
  filter: string,
  map: (point: unknown) => E | null,
  start: number,
  end: number,
): Promise<{ events: E[]; skipped: number }> {
  const points = await allPoints(get, pointsPath(dataType), filter, SESSION_PAGE_SIZE);
  const events: E[] = [];
  let skipped = 0;
  for (const point of points) {
    const event = map(point);
    if (!event) skipped++;
    else if (event.start >= start && event.start < end) events.push(event);
  }
  return { events, skipped };
}
