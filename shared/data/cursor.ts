import { HttpError } from '#shared/http/errors.js';

/**
 * Opaque cursors (contract 1.5): URL-safe base64, with padding, of `|`-joined parts. Clients treat them as
 * opaque; we key them on immutable sort keys, so a cursor stays valid while data is inserted around it.
 */
export function encodeCursor(parts: Array<string | number>): string {
  return Buffer.from(parts.join('|'), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export function decodeCursor(cursor: string, partCount?: number): string[] {
  const text = Buffer.from(cursor.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  const parts = text.split('|');
  const wrongCount = partCount === undefined ? parts.length < 2 : parts.length !== partCount;
  if (wrongCount || parts.some((p) => p === '') || encodeCursor(parts) !== cursor)
    throw invalidCursor(cursor);
  return parts;
}

export const invalidCursor = (cursor: string) =>
  new HttpError(400, `Invalid cursor format: '${cursor}'. Expected 'timestamp|id'.`);
