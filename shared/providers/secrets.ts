import { createHmac, timingSafeEqual } from 'node:crypto';
import { sameDigest, sha256 } from '#shared/identity/credentials.js';
import type { WebhookRequest } from '#shared/providers/webhook-types.js';

/**
 * Whether a secret received in a webhook request (a header, a query parameter) equals the configured one, in
 * constant time: both sides are hashed first, so neither a length difference nor the first differing byte shows in
 * the timing. False when either side is missing, or the configured value is empty (an unset setting never matches,
 * not even an empty value sent).
 */
export function sameSecret(received: string | undefined, configured: string | undefined): boolean {
  if (received === undefined || configured === undefined || configured === '') return false;
  return sameDigest(sha256(received), sha256(configured));
}

/**
 * Whether `presented` is the HMAC-SHA256 of `payload` under `key`, in the given encoding (hex in either case, or
 * base64), compared in constant time. False when the key is unset or empty, or nothing was presented. Providers
 * differ only in what they sign (the body, a timestamp and the body) and how they encode it; this is the one
 * comparison.
 */
export function validHmac(
  key: string | undefined,
  payload: Buffer | string,
  presented: string | undefined,
  encoding: 'hex' | 'base64',
): boolean {
  if (!key || !presented) return false;
  const expected = createHmac('sha256', key).update(payload).digest();
  const given =
    encoding === 'hex'
      ? /^[0-9a-f]{64}$/i.test(presented.trim())
        ? Buffer.from(presented.trim(), 'hex')
        : null
      : Buffer.from(presented.trim(), 'base64');
  return given !== null && given.length === expected.length && timingSafeEqual(given, expected);
}

/** How far a signed request's time may be from our clock, either way: the 5 minutes Oura, WHOOP and Strava allow. */
const SIGNATURE_TOLERANCE_MS = 300_000;

/**
 * Whether the time a webhook request was signed at (epoch ms; null when unreadable) is within 5 minutes of `now`,
 * either way: a captured request cannot be replayed later, a clock a little off is still accepted.
 */
export const withinTolerance = (at: number | null, now: number) =>
  at !== null && Math.abs(now - at) <= SIGNATURE_TOLERANCE_MS;

/** A timestamped signature scheme (Oura, WHOOP): its headers, encoding, and the timestamp read as epoch ms. */
export interface TimestampedSignature {
  signatureHeader: string;
  timestampHeader: string;
  encoding: 'hex' | 'base64';
  signedAt: (timestamp: string) => number | null;
}

/**
 * Whether `request` carries a valid HMAC-SHA256 under `key` of its timestamp header's text followed by the raw
 * body (the signature covers the time, so a replay cannot refresh it), and that timestamp is within tolerance.
 */
export function validTimestampedHmac(
  request: WebhookRequest,
  key: string | undefined,
  scheme: TimestampedSignature,
): boolean {
  const timestamp = request.headers[scheme.timestampHeader]?.trim() ?? '';
  const payload = Buffer.concat([Buffer.from(timestamp, 'utf8'), request.body]);
  return (
    withinTolerance(scheme.signedAt(timestamp), request.now) &&
    validHmac(key, payload, request.headers[scheme.signatureHeader], scheme.encoding)
  );
}
