import { createHmac, timingSafeEqual } from 'node:crypto';
import { sameDigest, sha256 } from '#shared/identity/credentials.js';

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
