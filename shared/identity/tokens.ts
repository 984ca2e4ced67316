import { randomUUID } from 'node:crypto';
import { apiEnvSchema, env } from '#shared/config/env.js';
import { notFound, unauthorized } from '#shared/http/errors.js';
import { newRefreshToken, sameDigest, sha256 } from '#shared/identity/credentials.js';
import { accessTokenSeconds, signAccessToken } from '#shared/identity/jwt.js';
import { getApplication } from '#shared/store/applications.js';
import { getDeveloper } from '#shared/store/developers.js';
import {
  getRefreshToken,
  insertRefreshToken,
  newRecord,
  type RefreshSubject,
  type RefreshTokenRecord,
  revokeFamily,
  revokeRefreshToken,
  rotateRefreshToken,
} from '#shared/store/refresh-tokens.js';
import { getUser } from '#shared/store/users.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  refresh_token: string;
  expires_in: number;
}

const lifetimeDays = () => env(apiEnvSchema).REFRESH_TOKEN_EXPIRE_DAYS;

function accessClaims(subject: RefreshSubject) {
  return subject.token_type === 'sdk'
    ? { sub: subject.user_id, scope: 'sdk' as const, app_id: subject.app_id }
    : { sub: subject.developer_id };
}

async function respond(subject: RefreshSubject, refreshToken: string): Promise<TokenResponse> {
  return {
    access_token: await signAccessToken(accessClaims(subject)),
    token_type: 'bearer',
    refresh_token: refreshToken,
    expires_in: accessTokenSeconds(),
  };
}

/** A new access token and the first refresh token of a new family. */
export async function issueTokens(subject: RefreshSubject): Promise<TokenResponse> {
  const refreshToken = newRefreshToken();
  await insertRefreshToken(sha256(refreshToken), newRecord(subject, randomUUID(), lifetimeDays()));
  return respond(subject, refreshToken);
}

const INVALID_REFRESH = 'Invalid or revoked refresh token';

async function subjectStillExists(record: RefreshTokenRecord): Promise<boolean> {
  return record.token_type === 'sdk'
    ? (await getUser(record.user_id)) !== undefined
    : (await getDeveloper(record.developer_id)) !== undefined;
}

/**
 * Rotation with reuse detection: a refresh token works once; presenting one that was already rotated means
 * it leaked (or a client replayed it), so its whole family is revoked.
 */
export async function refreshTokens(presented: string): Promise<TokenResponse> {
  const hash = sha256(presented);
  const record = await getRefreshToken(hash);
  const reject = () => unauthorized(INVALID_REFRESH, true);
  if (!record) throw reject();
  if (record.rotated_at) {
    await revokeFamily(record.family_id, record.expires_at);
    throw reject();
  }
  if (record.revoked_at || record.expires_at <= new Date().toISOString()) throw reject();
  if (!(await subjectStillExists(record))) throw reject();

  const { family_id, created_at, expires_at, rotated_at, revoked_at, ...subject } = record;
  const successor = newRefreshToken();
  const outcome = await rotateRefreshToken(
    hash,
    sha256(successor),
    newRecord(subject, family_id, lifetimeDays()),
  );
  if (outcome === 'invalid') {
    // Lost a race against another refresh of the same token: that is reuse as well.
    await revokeFamily(family_id, expires_at);
    throw reject();
  }
  return respond(subject, successor);
}

export async function revokeToken(presented: string): Promise<void> {
  const revoked = await revokeRefreshToken(sha256(presented));
  if (!revoked) throw notFound('Refresh token not found');
  await revokeFamily(revoked.family_id, revoked.expires_at);
}

/** App credentials -> SDK tokens for a user (contract "TOKEN" class, step 1). */
export async function tokensForAppCredentials(userId: string, appId: string, appSecret: string) {
  const app = await getApplication(appId);
  if (!app || !sameDigest(app.secret_hash, sha256(appSecret))) throw unauthorized('Invalid app credentials');
  return issueTokens({ token_type: 'sdk', user_id: userId, app_id: app.app_id });
}
