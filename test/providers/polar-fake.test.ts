import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuthHeader, followConsent } from '#test/fakes/oauth-fake.js';
import { DEFAULT_POLAR_USER, type FakePolar, generatePolarDays, startFakePolar } from '#test/fakes/polar.js';

/** The fake Polar speaks AccessLink's OAuth: Basic client auth, `x_user_id`, no refresh token. */
let polar: FakePolar;
const REDIRECT = 'http://127.0.0.1:9/api/v1/oauth/polar/callback';

beforeAll(async () => {
  polar = await startFakePolar();
});
afterAll(() => polar.stop());

async function code() {
  const authorize = new URL(polar.authorizeUrl);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: polar.clientId,
    redirect_uri: REDIRECT,
    state: 'state-1',
    scope: 'accesslink.read_all',
  }).toString();
  return (await followConsent(authorize.toString())).code!;
}

const exchange = (form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(polar.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: REDIRECT, ...form }),
  });

describe('fake Polar OAuth', () => {
  it('exchanges a code with Basic client credentials: x_user_id, years of validity, no refresh token', async () => {
    const response = await exchange(
      { code: await code() },
      { authorization: basicAuthHeader(polar.clientId, polar.clientSecret) },
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'bearer', x_user_id: DEFAULT_POLAR_USER });
    expect(body.expires_in).toBeGreaterThan(5 * 365 * 86_400);
    expect(body).not.toHaveProperty('refresh_token');
  });

  it('refuses client credentials in the body', async () => {
    const response = await exchange({
      code: await code(),
      client_id: polar.clientId,
      client_secret: polar.clientSecret,
    });
    expect(response.status).toBe(401);
  });

  it('counts requests per route for benchmarks', async () => {
    const token = polar.issueTokens(DEFAULT_POLAR_USER).access_token as string;
    const headers = { authorization: `Bearer ${token}` };
    await fetch(`${polar.apiBaseUrl}/v3/users`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ 'member-id': 'm1' }),
    });
    polar.seed(DEFAULT_POLAR_USER, generatePolarDays({ userId: '12345', days: 3, end: Date.now() }));
    const dates = generatePolarDays({ userId: '12345', days: 3, end: Date.now() }).nights.map((n) => n.date);
    for (const date of dates) await fetch(`${polar.apiBaseUrl}/v3/users/sleep/${date}`, { headers });
    expect(polar.counts()).toMatchObject({ 'POST /v3/users': 1, 'GET /v3/users/sleep/{date}': 3 });
  });
});
