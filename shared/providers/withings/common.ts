import type { SourceRef } from '#shared/model/health-data.js';
import { textOf } from '#shared/providers/json.js';
import { deviceSource } from '#shared/providers/output.js';
import { offsetSeconds, zoneOf } from '#shared/providers/time.js';

/**
 * What the Withings mappings share beyond the provider layer's readers and output collector: zones as IANA names
 * (a record's offset is its zone's at that instant), and the source of a record.
 */

export const DEFAULT_SOURCE_NAME = 'Withings';

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterOf(zone: string): Intl.DateTimeFormat | null {
  if (!formatters.has(zone)) {
    try {
      formatters.set(zone, new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }));
    } catch {
      formatters.set(zone, null);
    }
  }
  return formatters.get(zone) ?? null;
}

/** The offset (`±HH:MM`) of an IANA zone (`Europe/Paris`) at an instant; null for an unknown zone. */
export function zoneOffsetAt(zone: unknown, at: number): string | null {
  const name = textOf(zone);
  const formatter = name ? formatterOf(name) : null;
  if (!formatter || !Number.isFinite(at)) return null;
  const part = formatter.formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? '';
  // `GMT` (UTC itself) or `GMT±HH:MM`.
  return part === 'GMT' ? '+00:00' : zoneOf(part.replace(/^GMT/, ''));
}

/** Local midnight of `date` in `zone` (UTC midnight when the zone is unknown), with its offset. */
export function localMidnight(date: string, zone: unknown): { at: number; zoneOffset: string | null } {
  const utc = Date.parse(`${date}T00:00:00Z`);
  const midnightAt = (offset: string) => utc - offsetSeconds(offset)! * 1000;
  // The offset at UTC midnight is the right one except across a change that night; one correction settles it.
  const offset = zoneOffsetAt(zone, utc);
  if (offset === null) return { at: utc, zoneOffset: null };
  const corrected = zoneOffsetAt(zone, midnightAt(offset)) ?? offset;
  return { at: midnightAt(corrected), zoneOffset: corrected };
}

/** The device that recorded a record (`model`, when Withings names it), else "Withings" with no device model. */
export const withingsSource = (model: unknown): SourceRef =>
  deviceSource('withings', model, DEFAULT_SOURCE_NAME);
