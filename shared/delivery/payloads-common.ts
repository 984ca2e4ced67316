import { createHash } from 'node:crypto';
import type { SourceRef } from '#shared/model/health-data.js';

/** Python's `datetime.isoformat()` of a UTC instant, as the reference's payloads carry it (`+00:00`, µs). */
export function pyIso(ms: number): string {
  const iso = new Date(ms).toISOString();
  const millis = iso.slice(20, 23);
  return `${iso.slice(0, 19)}${millis === '000' ? '' : `.${millis}000`}+00:00`;
}

/** A short digest of some JSON-able content, in the event id alphabet: identical content, identical digest. */
export const contentDigest = (content: unknown): string =>
  createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 22);

/** The reference's `source` object of a payload. */
export const sourceOf = (ref: SourceRef) => ({ provider: ref.provider, device: ref.deviceModel });
