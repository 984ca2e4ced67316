import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { apiEnvSchema, env } from '#shared/config/env.js';
import { notFound, unauthorized } from '#shared/http/errors.js';
import { newRefreshToken, sameDigest, sha256 } from '#shared/identity/credentials.js';
import { accessTokenSeconds, signAccessToken } from '#shared/identity/jwt.js';
import { getApplication } from '#shared/store/applications.js';
import { getDeveloper } from '#shared/store/developers.js';
import {
  getRefreshToken,
  insertRefreshToken,
  isFamilyRevoked,
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

/**
 * A refresh token presented again within this window of its rotation gets the same successor instead of revoking
 * its family: a mobile app refreshing from two threads at once must not log its user out. Later, it is reuse.
 */
export const REFRESH_GRACE_MS = 10_000;
/** Successors followed at most, when a successor was itself rotated within the window. */
const MAX_GRACE_HOPS = 5;
const ROTATE_ATTEMPTS = 8;

const lifetimeDays = () => env(apiEnvSchema).REFRESH_TOKEN_EXPIRE_DAYS;

function accessClaims(subject: RefreshSubject) {
  return subject.token_type === 'sdk'
    ? { sub: subject.user_id, scope: 'sdk' as const, app_id: subject.app_id }
    : { sub: subject.developer_id, cv: subject.credential_version };
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
const reject = () => unauthorized(INVALID_REFRESH, true);

/**
 * What issued the token must still stand: the user (SDK) or developer exists, and the application secret or the
 * developer password that issued it is unchanged. `app_<hex>` tokens follow their application, `admin:<developer>`
 * tokens the developer's password, `invite:<developer>` tokens the inviting developer's existence.
 */
async function issuerStillValid(record: RefreshTokenRecord): Promise<boolean> {
  const version = record.credential_version ?? 0;
  if (record.token_type === 'developer') {
    const developer = await getDeveloper(record.developer_id);
    return developer !== undefined && (developer.credential_version ?? 0) === version;
  }
  if (!(await getUser(record.user_id))) return false;
  const [kind, developerId] = record.app_id.split(':') as [string, string | undefined];
  if (kind === 'admin' || kind === 'invite') {
    const developer = developerId ? await getDeveloper(developerId) : undefined;
    return developer !== undefined && (kind === 'invite' || (developer.credential_version ?? 0) === version);
  }
  const app = await getApplication(record.app_id);
  return app !== undefined && (app.secret_version ?? 0) === version;
}

/** The successor is sealed under a key only the presented token yields: the table alone never reveals it. */
function graceKey(presented: string): Buffer {
  return Buffer.from(hkdfSync('sha256', presented, new Uint8Array(), 'open-wearables/refresh-successor', 32));
}

function sealSuccessor(presented: string, successor: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', graceKey(presented), iv);
  const sealed = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url')).join('.');
}

function openSuccessor(presented: string, sealed: string): string | undefined {
  const [iv, tag, data] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', graceKey(presented), iv!);
    decipher.setAuthTag(tag!);
    return Buffer.concat([decipher.update(data!), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

const withinGrace = (record: RefreshTokenRecord, now: number) =>
  record.rotated_at !== undefined && now - Date.parse(record.rotated_at) <= REFRESH_GRACE_MS;

/**
 * A token rotated moments ago: the live head of its chain (its successor, or that one's successor if it was
 * rotated within the window too), or undefined when the presentation is reuse.
 */
async function liveSuccessor(
  presented: string,
  record: RefreshTokenRecord,
  now: number,
): Promise<{ token: string; record: RefreshTokenRecord } | undefined> {
  let token = presented;
  let current = record;
  for (let hop = 0; hop < MAX_GRACE_HOPS; hop++) {
    if (!withinGrace(current, now) || !current.successor_sealed) return undefined;
    const next = openSuccessor(token, current.successor_sealed);
    const nextRecord = next ? await getRefreshToken(sha256(next)) : undefined;
    if (!next || !nextRecord || nextRecord.revoked_at) return undefined;
    if (!nextRecord.rotated_at) {
      return (await isFamilyRevoked(nextRecord.family_id)) ? undefined : { token: next, record: nextRecord };
    }
    token = next;
    current = nextRecord;
  }
  return undefined;
}

const subjectOf = ({
  family_id,
  created_at,
  expires_at,
  rotated_at,
  revoked_at,
  successor_sealed,
  ...subject
}: RefreshTokenRecord): RefreshSubject => ({
  ...subject,
  credential_version: subject.credential_version ?? 0,
});

/**
 * Rotation with reuse detection: a refresh token works once; presenting one that was already rotated (after the
 * grace window) means it leaked or a client replayed it, so its whole family is revoked. Racing refreshes of one
 * token get the same successor.
 */
export async function refreshTokens(presented: string, now = Date.now()): Promise<TokenResponse> {
  const hash = sha256(presented);
  for (let attempt = 0; attempt < ROTATE_ATTEMPTS; attempt++) {
    const record = await getRefreshToken(hash);
    if (!record) throw reject();
    if (record.rotated_at) {
      const live = await liveSuccessor(presented, record, now);
      if (live && (await issuerStillValid(live.record))) return respond(subjectOf(live.record), live.token);
      if (!live) await revokeFamily(record.family_id, record.expires_at);
      throw reject();
    }
    if (record.revoked_at || record.expires_at <= new Date(now).toISOString()) throw reject();
    if (!(await issuerStillValid(record))) throw reject();

    const subject = subjectOf(record);
    const successor = newRefreshToken();
    const outcome = await rotateRefreshToken(
      hash,
      sha256(successor),
      newRecord(subject, record.family_id, lifetimeDays()),
      sealSuccessor(presented, successor),
    );
    if (outcome === 'rotated') return respond(subject, successor);
    // Another refresh of this token won (or is committing): read again and take its successor.
    await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt));
  }
  throw reject();
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
  return issueTokens({
    token_type: 'sdk',
    user_id: userId,
    app_id: app.app_id,
    credential_version: app.secret_version ?? 0,
  });
}
