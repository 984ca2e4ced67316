import type * as z from 'zod/mini';
import type { sourceMetadataSchema } from '#shared/data/schemas.js';
import {
  DEFAULT_PRIORITIES,
  deviceName,
  deviceTypePriority,
  providerPriority,
  type SourcePriorities,
} from '#shared/model/sources.js';
import type { DataSourceRecord } from '#shared/store/data-sources.js';

/** `SourceMetadata` (contract 4.7). */
export function sourceMetadata(record: DataSourceRecord | undefined): z.output<typeof sourceMetadataSchema> {
  if (!record)
    return { provider: 'unknown', source: null, device: null, device_type: 'unknown', device_name: null };
  return {
    provider: record.provider,
    source: record.source,
    device: record.device_model,
    device_type: record.device_type,
    device_name: deviceName(record.device_model),
  };
}

/**
 * Priority order of sources (contract 10.1): provider, then device type, then device model; lower wins. An unknown
 * source ranks 99 on both.
 */
export function compareSourcePriority(
  a: DataSourceRecord | undefined,
  b: DataSourceRecord | undefined,
  priorities: SourcePriorities = DEFAULT_PRIORITIES,
): number {
  const rank = (r: DataSourceRecord | undefined) =>
    [
      r ? providerPriority(r.provider, priorities) : 99,
      r ? deviceTypePriority(r.device_type, priorities) : 99,
    ] as const;
  const [pa, da] = rank(a);
  const [pb, db] = rank(b);
  if (pa !== pb) return pa - pb;
  if (da !== db) return da - db;
  return (a?.device_model ?? '\uffff').localeCompare(b?.device_model ?? '\uffff');
}

/** Local calendar date (YYYY-MM-DD) of an instant in a `±HH:MM` zone (UTC when null). */
export function localDate(epochMs: number, zoneOffset: string | null): string {
  return new Date(epochMs + offsetMs(zoneOffset)).toISOString().slice(0, 10);
}

export function offsetMs(zoneOffset: string | null): number {
  const match = zoneOffset ? /^([+-])(\d{2}):?(\d{2})$/.exec(zoneOffset) : null;
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -1 : 1) * minutes * 60_000;
}
