import { randomInt, randomUUID } from 'node:crypto';
import { apiEnvSchema, env } from '#shared/config/env.js';
import { notFound } from '#shared/http/errors.js';
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

/** A new single-use code for the user; every code issued before it stops working. */
export async function createInvitationCode(userId: string, developerId: string) {
  await revokeActiveCodes(userId);
  const now = new Date();
  const expires = new Date(now.getTime() + env(apiEnvSchema).USER_INVITATION_CODE_EXPIRE_DAYS * 86_400_000);
  for (;;) {
    const code = {
      id: randomUUID(),
      code: newInvitationCode(),
      user_id: userId,
      created_by: developerId,
      created_at: now.toISOString(),
      expires_at: expires.toISOString(),
    };
    if (await insertInvitationCode(code)) {
      return {
        id: code.id,
        code: code.code,
        user_id: code.user_id,
        expires_at: apiDateTime(code.expires_at),
        created_at: apiDateTime(code.created_at),
      };
    }
  }
}

export async function redeem(code: string) {
  const redeemed = await redeemInvitationCode(code.toUpperCase());
  if (!redeemed) throw notFound('Invalid or expired invitation code');
  const tokens = await issueTokens({
    token_type: 'sdk',
    user_id: redeemed.user_id,
    app_id: `invite:${redeemed.created_by}`,
  });
  return { ...tokens, user_id: redeemed.user_id };
}
