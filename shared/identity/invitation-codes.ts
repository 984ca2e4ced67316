import { createHmac, hkdfSync, randomInt, randomUUID } from 'node:crypto';
import { apiEnvSchema, env } from '#shared/config/env.js';
import { jwtSigningKey } from '#shared/config/secrets.js';
import { notFound } from '#shared/http/errors.js';
import { assertNotThrottled, POLICIES, recordFailure } from '#shared/identity/throttle.js';
import { issueTokens } from '#shared/identity/tokens.js';
import { apiDateTime } from '#shared/model/time.js';
import {
  insertInvitationCode,
  redeemInvitationCode,
  revokeActiveCodes,
} from '#shared/store/invitation-codes.js';

export const INVITATION_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const INVITATION_CODE_PATTERN = /^[A-Z2-9]{8}$/;

export const newInvitationCode = () =>
  Array.from({ length: 8 }, () => INVITATION_ALPHABET[randomInt(INVITATION_ALPHABET.length)]).join('');

/**
 * Codes are stored as an HMAC, never in clear. A code has only 40 bits, so a plain hash could be reversed by
 * trying them all; the HMAC key (derived from the server's signing key) makes a stolen table useless.
 */
async function codeDigest(code: string): Promise<string> {
  const key = hkdfSync(
    'sha256',
    await jwtSigningKey(),
    new Uint8Array(),
    'open-wearables/invitation-codes',
    32,
  );
  return createHmac('sha256', Buffer.from(key)).update(code).digest('hex');
}

/** A new single-use code for the user; every code issued before it stops working. */
export async function createInvitationCode(userId: string, developerId: string) {
  await revokeActiveCodes(userId);
  const now = new Date();
  const expires = new Date(now.getTime() + env(apiEnvSchema).USER_INVITATION_CODE_EXPIRE_DAYS * 86_400_000);
  for (;;) {
    const plain = newInvitationCode();
    const code = {
      id: randomUUID(),
      code_hash: await codeDigest(plain),
      user_id: userId,
      created_by: developerId,
      created_at: now.toISOString(),
      expires_at: expires.toISOString(),
    };
    if (await insertInvitationCode(code)) {
      return {
        id: code.id,
        code: plain,
        user_id: code.user_id,
        expires_at: apiDateTime(code.expires_at),
        created_at: apiDateTime(code.created_at),
      };
    }
  }
}

/** Redeems a code for SDK tokens; wrong codes back off per address, like passwords. */
export async function redeem(code: string, address: string) {
  const throttled = [{ policy: POLICIES.redeemAddress, subject: address }];
  await assertNotThrottled(throttled);
  const redeemed = await redeemInvitationCode(await codeDigest(code.toUpperCase()));
  if (!redeemed) {
    await recordFailure(throttled);
    throw notFound('Invalid or expired invitation code');
  }
  const tokens = await issueTokens({
    token_type: 'sdk',
    user_id: redeemed.user_id,
    app_id: `invite:${redeemed.created_by}`,
    credential_version: 0,
  });
  return { ...tokens, user_id: redeemed.user_id };
}
