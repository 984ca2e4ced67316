/** Stored timestamps are ISO-8601 UTC with milliseconds (sortable as strings). */
export const nowIso = () => new Date().toISOString();
/** An epoch-millisecond instant as ISO-8601 UTC. */
export const isoAt = (ms: number) => new Date(ms).toISOString();

/** API rendering per the contract: trailing `Z`, fractional seconds only when non-zero. */
export function apiDateTime(value: string | Date): string;
export function apiDateTime(value: string | Date | null | undefined): string | null;
export function apiDateTime(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? new Date(value) : value).toISOString().replace('.000Z', 'Z');
}
