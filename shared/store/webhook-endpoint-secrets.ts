import { decryptTokens, encryptTokens } from '#shared/crypto/token-vault.js';
import { newSigningSecret } from '#shared/delivery/signing.js';
import { isoAt } from '#shared/model/time.js';

/**
 * Endpoint signing secrets, sealed by the token vault under the binding `webhook-endpoint`/<endpoint id> (the KMS
 * encryption context), so the table alone never reveals them. A rotation keeps the replaced secret signing (a
 * second signature) for 24 hours; each kept secret has its own expiry, so rotating again within the day does not
 * cut the older ones short.
 */
export const ENDPOINT_SECRET_OWNER = 'webhook-endpoint';
const ROTATION_OVERLAP_MS = 24 * 3_600_000;
/** Kept secrets beyond this many (rotations within one day) are dropped, oldest first. */
const MAX_PREVIOUS = 5;

/** A replaced secret (sealed) that still signs until `until` (ISO). */
export interface PreviousSecret {
  secret: string;
  until: string;
}

const bindingOf = (endpointId: string) => ({ userId: ENDPOINT_SECRET_OWNER, provider: endpointId });

const seal = (endpointId: string, secret: string) =>
  encryptTokens(
    { accessToken: secret, refreshToken: null, expiresAt: 0, scope: null, extras: {} },
    bindingOf(endpointId),
  );

/** A fresh `whsec_...` secret for the endpoint, sealed. */
export const newSealedSecret = (endpointId: string): Promise<string> => seal(endpointId, newSigningSecret());

export const unsealSecret = async (endpointId: string, sealed: string): Promise<string> =>
  (await decryptTokens(sealed, bindingOf(endpointId))).accessToken;

const stillSigning = (previous: PreviousSecret[] | undefined, now: number) =>
  (previous ?? []).filter((kept) => Date.parse(kept.until) > now);

/** The secrets kept after `replaced` (sealed) is rotated out at `now`: newest first, expired ones pruned. */
export const keptAfterRotation = (
  replaced: string,
  previous: PreviousSecret[] | undefined,
  now: number,
): PreviousSecret[] =>
  [{ secret: replaced, until: isoAt(now + ROTATION_OVERLAP_MS) }, ...stillSigning(previous, now)].slice(
    0,
    MAX_PREVIOUS,
  );

/** The secrets that sign at `now`: the current one first, then every kept one not yet expired. */
export async function signingSecrets(
  endpointId: string,
  current: string,
  previous: PreviousSecret[] | undefined,
  now: number,
): Promise<string[]> {
  const sealed = [current, ...stillSigning(previous, now).map((kept) => kept.secret)];
  return Promise.all(sealed.map((secret) => unsealSecret(endpointId, secret)));
}
