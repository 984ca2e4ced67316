import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuthHeader, followConsent } from '#test/fakes/oauth-fake.js';
import { DEFAULT_OURA_USER, type FakeOura, startFakeOura } from '#test/fakes/oura.js';

/** The fake Oura server speaks Oura's OAuth and error formats (providers.md 4.5, 5). */

let fake: FakeOura;
beforeAll(async () => {
  fake = await startFakeOura({ rateLimit: { requests: 3, windowSeconds: 300 } });
});
afterAll(() => fake?.stop());

const REDIRECT = 'https://api.example/api/v1/oauth/oura/callback';

async function token(form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(fake.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const api = (path: string, accessToken: string) =>
  fetch(`${fake.apiBaseUrl}${path}`, { headers: { authorization: `Bearer ${accessToken}` } });

describe('fake oura oauth', () => {
  it('consent -> code -> tokens with the client credentials in the body (not Basic)', async () => {
    const authorize = new URL(fake.authorizeUrl);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: fake.clientId,
      redirect_uri: REDIRECT,
      state: 's1',
      scope: 'personal daily',
    }))
      authorize.searchParams.set(k, v);
    const consent = await followConsent(authorize.toString());
    expect(consent.state).toBe('s1');
    const basic = await token(
      { grant_type: 'authorization_code', code: consent.code!, redirect_uri: REDIRECT },
      { authorization: basicAuthHeader(fake.clientId, fake.clientSecret) },
    );
    expect(basic.status).toBe(401);
    const second = await followConsent(authorize.toString());
    const exchanged = await token({
      grant_type: 'authorization_code',
      code: second.code!,
      redirect_uri: REDIRECT,
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
    });
    expect(exchanged.status).toBe(200);
    expect(exchanged.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 86_400,
      scope: 'personal daily',
    });
    const me = await api('/v2/usercollection/personal_info', exchanged.body.access_token as string);
    expect(await me.json()).toMatchObject({ id: DEFAULT_OURA_USER, weight: 72.5, height: 1.78 });
  });

  it('refresh tokens are single use; a revoked grant is invalid_grant', async () => {
    const issued = fake.issueTokens('refresher');
    const refresh = (refreshToken: string) =>
      token({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
      });
    const first = await refresh(issued.refresh_token as string);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).not.toBe(issued.refresh_token);
    expect(await refresh(issued.refresh_token as string)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    fake.oauth.revokeUser('refresher');
    expect(await refresh(first.body.refresh_token as string)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });

  it('POST /oauth/revoke?access_token= ends the authorization', async () => {
    const issued = fake.issueTokens('leaver');
    const revoked = await fetch(`${fake.url}/oauth/revoke?access_token=${issued.access_token}`, {
      method: 'POST',
    });
    expect(revoked.status).toBe(200);
    const after = await api('/v2/usercollection/personal_info', issued.access_token as string);
    expect(after.status).toBe(401);
  });
});

describe('fake oura api errors', () => {
  it('401 problem for an expired token; 429 with Retry-After past the per-token window', async () => {
    const expired = fake.issueTokens('expiring');
    fake.oauth.expireAccessTokens();
    const response = await api('/v2/usercollection/sleep', expired.access_token as string);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ status: 401, title: 'Unauthorized', detail: 'Expired Token' });

    const busy = fake.issueTokens('busy').access_token as string;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api('/v2/usercollection/workout', busy)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await api('/v2/usercollection/workout', busy);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      (await api('/v2/usercollection/workout', fake.issueTokens('other').access_token as string)).status,
    ).toBe(200);
  });

  it('paging tokens, date validation and unknown documents', async () => {
    const access = fake.issueTokens('pager').access_token as string;
    expect((await api('/v2/usercollection/sleep?next_token=garbage', access)).status).toBe(400);
    expect((await api('/v2/usercollection/sleep?start_date=15.01.2024', access)).status).toBe(422);
    const missing = await api(
      '/v2/usercollection/sleep/nope',
      fake.issueTokens('pager2').access_token as string,
    );
    expect(missing.status).toBe(404);
    expect(fake.requestCounts()['GET /v2/usercollection/sleep/{id}']).toBe(1);
  });
});
