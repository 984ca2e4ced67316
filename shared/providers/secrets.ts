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
