import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApplication } from '#shared/identity/applications.js';
import { sha256 } from '#shared/identity/credentials.js';
import {
  REFRESH_GRACE_MS,
  refreshTokens,
  revokeToken,
  tokensForAppCredentials,
} from '#shared/identity/tokens.js';
import { createUser, deleteUser } from '#shared/identity/users.js';
import { getRefreshToken, insertRefreshToken } from '#shared/store/refresh-tokens.js';
import { useLocalQueues } from '#test/helpers/local-queues.js';
import { statusOf } from '#test/helpers/status.js';

// DELETE /users queues erasure's second pass on a real (local) queue.
useLocalQueues();

let app: { app_id: string; app_secret: string };

beforeAll(async () => {
  app = await createApplication('dev-1', 'tokens test');
});

async function sdkTokens() {
  const user = await createUser({});
  return { user, tokens: await tokensForAppCredentials(user.id, app.app_id, app.app_secret) };
}

const afterGrace = () => Date.now() + REFRESH_GRACE_MS + 1_000;

describe('refresh tokens', () => {
  it('issue SDK JWTs with the contract claims and a 60 minute lifetime', async () => {
    const { user, tokens } = await sdkTokens();
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ sub: user.id, scope: 'sdk', app_id: app.app_id });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    expect(tokens.refresh_token).toMatch(/^rt-[0-9a-f]{32}$/);
  });

  it('are stored only as hashes, with a 90-day expiry', async () => {
    const { tokens } = await sdkTokens();
    const record = await getRefreshToken(sha256(tokens.refresh_token));
    expect(record).toBeDefined();
    expect(JSON.stringify(record)).not.toContain(tokens.refresh_token);
    const days = (Date.parse(record!.expires_at) - Date.parse(record!.created_at)) / 86_400_000;
    expect(days).toBe(90);
  });

  it('rotate: the new pair works; after the grace window the old refresh token is refused', async () => {
    const { tokens } = await sdkTokens();
    const next = await refreshTokens(tokens.refresh_token);
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(decodeJwt(next.access_token).scope).toBe('sdk');
    expect(await statusOf(refreshTokens(tokens.refresh_token, afterGrace()))).toBe(401);
  });

  it('the successor is sealed: the table never holds it in clear', async () => {
    const { tokens } = await sdkTokens();
    const next = await refreshTokens(tokens.refresh_token);
    const rotated = await getRefreshToken(sha256(tokens.refresh_token));
    expect(rotated?.successor_sealed).toBeDefined();
    expect(JSON.stringify(rotated)).not.toContain(next.refresh_token);
  });

  it('reuse of a rotated token after the window revokes the whole family, including the newest token', async () => {
    const { tokens } = await sdkTokens();
    const second = await refreshTokens(tokens.refresh_token);
    expect(await statusOf(refreshTokens(tokens.refresh_token, afterGrace()))).toBe(401);
    expect(await statusOf(refreshTokens(second.refresh_token))).toBe(401);
  });

  it('a family is independent of other families of the same user', async () => {
    const { user, tokens } = await sdkTokens();
    const other = await tokensForAppCredentials(user.id, app.app_id, app.app_secret);
    await refreshTokens(tokens.refresh_token);
    await statusOf(refreshTokens(tokens.refresh_token, afterGrace()));
    expect(await statusOf(refreshTokens(other.refresh_token))).toBe(200);
  });

  it('expired refresh tokens are refused', async () => {
    const { user } = await sdkTokens();
    const past = new Date(Date.now() - 86_400_000).toISOString();
    await insertRefreshToken(sha256('rt-expired'), {
      token_type: 'sdk',
      user_id: user.id,
      app_id: app.app_id,
      credential_version: 0,
      family_id: crypto.randomUUID(),
      created_at: past,
      expires_at: past,
    });
    expect(await statusOf(refreshTokens('rt-expired'))).toBe(401);
  });

  it('revoke: 204 once, then 404, and the token no longer refreshes', async () => {
    const { tokens } = await sdkTokens();
    await revokeToken(tokens.refresh_token);
    expect(await statusOf(revokeToken(tokens.refresh_token))).toBe(404);
    expect(await statusOf(revokeToken('rt-unknown'))).toBe(404);
    expect(await statusOf(refreshTokens(tokens.refresh_token))).toBe(401);
  });

  it('tokens of a deleted user stop refreshing', async () => {
    const { user, tokens } = await sdkTokens();
    await deleteUser(user.id);
    expect(await statusOf(refreshTokens(tokens.refresh_token))).toBe(401);
  });
});
