import type { SyncUnit } from '#shared/providers/types.js';

const DAY_MS = 86_400_000;

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Chunks of at most `days` UTC days covering `[start, end)` exactly, keyed `<prefix>:<first UTC date>`. They are
 * contiguous and disjoint: the first starts at `start`, the later ones at UTC midnights, the last ends at `end`.
 */
export function dayChunks(start: number, end: number, days: number, prefix: string): SyncUnit[] {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`chunk length must be whole days: ${days}`);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return [];
  const units: SyncUnit[] = [];
  let unitStart = start;
  let boundary = Math.floor(start / DAY_MS) * DAY_MS;
  while (unitStart < end) {
    boundary += days * DAY_MS;
    const unitEnd = Math.min(boundary, end);
    units.push({ key: `${prefix}:${isoDate(unitStart)}`, start: unitStart, end: unitEnd });
    unitStart = unitEnd;
  }
  return units;
}
