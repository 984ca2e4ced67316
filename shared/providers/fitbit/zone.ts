import { PROFILE_PATH } from '#shared/providers/fitbit/api.js';
import { ProviderGoneError, ProviderRequestError } from '#shared/providers/http.js';
import { isObject, numberOf } from '#shared/providers/json.js';
import type { ProviderGet } from '#shared/providers/types.js';
import { zoneOffsetOf } from '#shared/providers/values.js';

/**
 * Fitbit dates and times other than the activity logs' are local and carry no offset: a heart-rate dataset is
 * `HH:mm:ss` of a local date, a sleep log's `startTime` is `2024-01-15T23:10:30.000`. The profile's `timezone`
 * (IANA) turns them into UTC, daylight saving time included; `offsetFromUTCMillis` (the offset now) when the zone
 * is unknown here. Without the profile (the user may untick the `profile` scope) they are read as UTC and stored
 * without an offset.
 */

const MINUTE_MS = 60_000;
/** Offsets are looked up per quarter hour: zones change offset on the quarter hour at the finest. */
const QUARTER_MS = 15 * MINUTE_MS;
const MAX_OFFSET_MINUTES = 14 * 60;

export interface LocalTime {
  ms: number;
  zoneOffset: string | null;
}

export interface UserZone {
  /** A local wall-clock time (epoch ms as if it were UTC) -> UTC epoch ms and the offset in force then. */
  toUtc(localMs: number): LocalTime;
}

export const UNKNOWN_ZONE: UserZone = { toUtc: (localMs) => ({ ms: localMs, zoneOffset: null }) };

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;

/** `2024-01-15T23:10:30.000` (no offset) -> the wall clock as epoch ms, as if UTC; null for anything else. */
export function localMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const match = LOCAL_TIME.exec(value.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction] = match;
  const text = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}.${(fraction ?? '').padEnd(3, '0')}Z`;
  const ms = Date.parse(text);
  // Date.parse rolls 2024-02-30 over to March: only a date that reads back the same is one.
  return Number.isFinite(ms) && new Date(ms).toISOString() === text ? ms : null;
}

/** `yyyy-MM-dd` -> its local midnight as epoch ms (as if UTC); null for anything else. */
export const dayMs = (date: string): number | null => localMs(`${date}T00:00:00`);

const offsetText = (minutes: number) => zoneOffsetOf(minutes * 60);

function fixedZone(minutes: number): UserZone {
  const zoneOffset = offsetText(minutes);
  return { toUtc: (local) => ({ ms: local - minutes * MINUTE_MS, zoneOffset }) };
}

/** Minutes east of UTC in `format`'s zone at `utcMs`, from its `GMT+05:30` / `GMT` name. */
function offsetMinutes(format: Intl.DateTimeFormat, utcMs: number): number {
  const name = format.formatToParts(utcMs).find((part) => part.type === 'timeZoneName')?.value ?? '';
  const match = /^GMT(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/.exec(name);
  if (!match?.[1]) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

function ianaZone(timeZone: string): UserZone | null {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  } catch {
    return null;
  }
  const cache = new Map<number, number>();
  const offsetAt = (utcMs: number) => {
    const quarter = Math.floor(utcMs / QUARTER_MS);
    let minutes = cache.get(quarter);
    if (minutes === undefined) {
      minutes = offsetMinutes(format, utcMs);
      cache.set(quarter, minutes);
    }
    return minutes;
  };
  return {
    toUtc(local) {
      // The offset at the local time read as UTC is at most one transition off; the second look settles it.
      const minutes = offsetAt(local - offsetAt(local) * MINUTE_MS);
      return { ms: local - minutes * MINUTE_MS, zoneOffset: offsetText(minutes) };
    },
  };
}

/** The zone of a Fitbit profile: `timezone`, else the fixed `offsetFromUTCMillis`, else unknown (UTC, no offset). */
export function userZone(timezone: unknown, offsetFromUTCMillis: unknown): UserZone {
  const named = typeof timezone === 'string' && timezone.trim() !== '' ? ianaZone(timezone.trim()) : null;
  if (named) return named;
  const offset = numberOf(offsetFromUTCMillis);
  if (offset === null) return UNKNOWN_ZONE;
  const minutes = Math.round(offset / MINUTE_MS);
  return Math.abs(minutes) <= MAX_OFFSET_MINUTES ? fixedZone(minutes) : UNKNOWN_ZONE;
}

async function fetchZone(get: ProviderGet): Promise<UserZone> {
  try {
    const body = await get(PROFILE_PATH);
    const user = isObject(body) && isObject(body.user) ? body.user : {};
    return userZone(user.timezone, user.offsetFromUTCMillis);
  } catch (error) {
    // The profile refused (no `profile` scope): UTC without an offset. A gone API, a 401, a 429... propagate.
    if (error instanceof ProviderRequestError && !(error instanceof ProviderGoneError)) return UNKNOWN_ZONE;
    throw error;
  }
}

/**
 * One profile request per client: the sync worker makes one client per invocation and pulls every unit with it,
 * so a 90-day backfill asks for the zone once or twice, not once per day (Fitbit allows 150 requests an hour).
 */
const zones = new WeakMap<ProviderGet, Promise<UserZone>>();

export function zoneOf(get: ProviderGet): Promise<UserZone> {
  let zone = zones.get(get);
  if (!zone) {
    zone = fetchZone(get);
    zones.set(get, zone);
    zone.catch(() => zones.delete(get));
  }
  return zone;
}
