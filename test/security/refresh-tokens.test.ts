import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createApplication,
  removeApplication,
  rotateApplicationSecret,
} from '#shared/identity/applications.js';
import { hashPassword } from '#shared/identity/credentials.js';
import { changePassword, ensureAdminDeveloper } from '#shared/identity/developers.js';
import { createInvitationCode, redeem } from '#shared/identity/invitation-codes.js';
import {
  issueTokens,
  REFRESH_GRACE_MS,
  refreshTokens,
  tokensForAppCredentials,
} from '#shared/identity/tokens.js';
import { createUser } from '#shared/identity/users.js';
import { createDeveloper, type Developer, getDeveloper } from '#shared/store/developers.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { statusOf } from '#test/helpers/status.js';
import { handler } from '../../functions/tokens.js';

/**
 * Review findings 4 and 12: refresh tokens outlived the application, secret or password that issued them; ten
 * concurrent refreshes of one token logged the user out.
 */

const afterGrace = () => Date.now() + REFRESH_GRACE_MS + 1_000;

beforeAll(async () => {
  await ensureAdminDeveloper();
});

async function newDeveloper(): Promise<Developer> {
  return createDeveloper({
    email: `dev-${crypto.randomUUID()}@example.com`,
    password_hash: await hashPassword('first-password'),
  });
}

async function me(accessToken: string) {
  const result = (await handler(
    httpEvent('GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${accessToken}` } }),
    lambdaContext('tokens'),
  )) as APIGatewayProxyStructuredResultV2;
  return result.statusCode;
}

async function appTokens() {
  const app = await createApplication('dev-1', 'grace');
  const user = await createUser({});
  return { app, user, tokens: await tokensForAppCredentials(user.id, app.app_id, app.app_secret) };
}

describe('concurrent refreshes of one token (a mobile app refreshing from two threads)', () => {
  it('all get the same successor, and the session survives', async () => {
    const { tokens } = await appTokens();
    const results = await Promise.all(Array.from({ length: 10 }, () => refreshTokens(tokens.refresh_token)));
    expect(new Set(results.map((r) => r.refresh_token)).size).toBe(1);
    const next = await refreshTokens(results[0]!.refresh_token);
    expect(next.refresh_token).toMatch(/^rt-/);
  });

  it('a replay within the window gets the live head of the chain', async () => {
    const { tokens } = await appTokens();
    const second = await refreshTokens(tokens.refresh_token);
    const third = await refreshTokens(second.refresh_token);
    expect((await refreshTokens(tokens.refresh_token)).refresh_token).toBe(third.refresh_token);
  });

  it('a replay after the window is reuse: the family is revoked', async () => {
    const { tokens } = await appTokens();
    const second = await refreshTokens(tokens.refresh_token);
    expect(await statusOf(refreshTokens(tokens.refresh_token, afterGrace()))).toBe(401);
    expect(await statusOf(refreshTokens(second.refresh_token))).toBe(401);
  });
});

describe('refresh tokens end with what issued them', () => {
  it('a deleted application', async () => {
    const { app, tokens } = await appTokens();
    await removeApplication('dev-1', app.app_id);
    expect(await statusOf(refreshTokens(tokens.refresh_token))).toBe(401);
  });

  it('a rotated application secret (tokens from the new secret work)', async () => {
    const { app, user, tokens } = await appTokens();
    const rotated = await rotateApplicationSecret('dev-1', app.app_id);
    expect(await statusOf(refreshTokens(tokens.refresh_token))).toBe(401);
    const fresh = await tokensForAppCredentials(user.id, app.app_id, rotated.app_secret);
    expect(await statusOf(refreshTokens(fresh.refresh_token))).toBe(200);
  });

  it("a developer's password change: developer access and refresh tokens, and SDK tokens they issued", async () => {
    const developer = await newDeveloper();
    const session = await issueTokens({
      token_type: 'developer',
      developer_id: developer.id,
      credential_version: 0,
    });
    const user = await createUser({});
    const adminSdk = await issueTokens({
      token_type: 'sdk',
      user_id: user.id,
      app_id: `admin:${developer.id}`,
      credential_version: 0,
    });
    const { code } = await createInvitationCode(user.id, developer.id);
    const invited = await redeem(code, '10.0.0.3');
    expect(await me(session.access_token)).toBe(200);

    await changePassword(developer, 'first-password', 'second-password');
    expect(await me(session.access_token)).toBe(401);
    expect(await statusOf(refreshTokens(session.refresh_token))).toBe(401);
    expect(await statusOf(refreshTokens(adminSdk.refresh_token))).toBe(401);
    // An invitation is not a session of the developer: it stays valid while the developer exists.
    expect(await statusOf(refreshTokens(invited.refresh_token))).toBe(200);

    const changed = (await getDeveloper(developer.id))!;
    const renewed = await issueTokens({
      token_type: 'developer',
      developer_id: developer.id,
      credential_version: changed.credential_version!,
    });
    expect(await me(renewed.access_token)).toBe(200);
    expect(await statusOf(refreshTokens(renewed.refresh_token))).toBe(200);
  });
});
