import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenEndpointError } from '#shared/oauth/errors.js';
import { exchangeCode, refreshTokenSet } from '#shared/oauth/token-endpoint.js';
import { PROVIDER_INFO, type ProviderConfig } from '#shared/providers/registry.js';
import { type RunningHttpServer, readBody, sendJson, startHttpServer } from '#test/fakes/oauth-fake.js';

/** A token endpoint that records requests and answers what the test queued. */
let server: RunningHttpServer;
const requests: Array<{ form: Record<string, string>; authorization: string | undefined }> = [];
let answers: Array<{ status: number; body: unknown }> = [];

beforeAll(async () => {
  server = await startHttpServer(async (req, res) => {
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
    requests.push({ form, authorization: req.headers.authorization });
    const answer = answers.shift() ?? { status: 500, body: { error: 'server_error' } };
    if (typeof answer.body === 'string') {
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.body);
    } else sendJson(res, answer.status, answer.body);
  });
});
afterAll(() => server.stop());

function config(provider: 'fitbit' | 'oura'): ProviderConfig {
  const info = PROVIDER_INFO[provider];
  return {
    provider,
    info,
    clientId: 'cid',
    clientSecret: 'csecret',
    scope: info.oauth!.defaultScope,
    authorizeUrl: `${server.url}/authorize`,
    tokenUrl: `${server.url}/token`,
    apiBaseUrl: server.url,
    configured: true,
  };
}

const ok = (extra: Record<string, unknown> = {}) => ({
  status: 200,
  body: { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-1', ...extra },
});

describe('code exchange', () => {
  it('BASIC providers send the credentials in the Authorization header, with the PKCE verifier', async () => {
    answers = [ok({ scope: 'activity', user_id: 'FB-1' })];
    const tokens = await exchangeCode(config('fitbit'), 'the-code', 'the-verifier', 'https://cb/x', 1_000);
    const request = requests.at(-1)!;
    expect(request.authorization).toBe(`Basic ${Buffer.from('cid:csecret').toString('base64')}`);
    expect(request.form).toEqual({
      grant_type: 'authorization_code',
      code: 'the-code',
      redirect_uri: 'https://cb/x',
      code_verifier: 'the-verifier',
    });
    expect(tokens).toEqual({
      accessToken: 'at-1',
      refreshToken: 'rt-1',
      expiresAt: 1_000 + 3_600_000,
      scope: 'activity',
      extras: { token_type: 'Bearer', user_id: 'FB-1' },
    });
  });

  it('BODY providers send client_id and client_secret as form fields; redirect_uri defaults to our callback', async () => {
    answers = [ok()];
    await exchangeCode(config('oura'), 'c');
    const request = requests.at(-1)!;
    expect(request.authorization).toBeUndefined();
    expect(request.form).toMatchObject({ client_id: 'cid', client_secret: 'csecret', code: 'c' });
    expect(request.form.code_verifier).toBeUndefined();
    expect(request.form.redirect_uri).toBe(`${process.env.API_BASE_URL}/api/v1/oauth/oura/callback`);
  });

  it('accepts expires_in as a numeric string', async () => {
    answers = [ok({ expires_in: '60' })];
    expect((await exchangeCode(config('oura'), 'c', undefined, 'x', 0)).expiresAt).toBe(60_000);
  });

  it.each([
    ['access_token', { token_type: 'Bearer', expires_in: 1 }],
    ['token_type', { access_token: 'a', expires_in: 1 }],
    ['expires_in', { access_token: 'a', token_type: 'Bearer' }],
  ])('requires %s', async (field, body) => {
    answers = [{ status: 200, body }];
    const error = await exchangeCode(config('oura'), 'c').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenEndpointError);
    expect((error as TokenEndpointError).providerText).toBe(`token response has no valid ${field}`);
  });

  it('reports the provider error in its own words', async () => {
    answers = [{ status: 400, body: { error: 'invalid_grant', error_description: 'Code expired' } }];
    const error = (await exchangeCode(config('oura'), 'c').catch((e: unknown) => e)) as TokenEndpointError;
    expect(error.providerText).toBe('invalid_grant: Code expired');
    expect(error.invalidGrant).toBe(true);
    answers = [{ status: 502, body: 'Bad Gateway' }];
    const outage = (await exchangeCode(config('oura'), 'c').catch((e: unknown) => e)) as TokenEndpointError;
    expect(outage.providerText).toBe('HTTP 502: Bad Gateway');
    expect(outage.invalidGrant).toBe(false);
  });

  it("recognises Fitbit's error format and a 200 carrying an error", async () => {
    answers = [
      { status: 401, body: { errors: [{ errorType: 'invalid_grant', message: 'Refresh token invalid' }] } },
    ];
    const fitbit = (await refreshTokenSet(config('fitbit'), 'r').catch(
      (e: unknown) => e,
    )) as TokenEndpointError;
    expect(fitbit.invalidGrant).toBe(true);
    expect(fitbit.providerText).toBe('invalid_grant: Refresh token invalid');
    answers = [{ status: 200, body: { error: 'invalid_request' } }];
    const inBody = (await exchangeCode(config('oura'), 'c').catch((e: unknown) => e)) as TokenEndpointError;
    expect(inBody.providerText).toBe('invalid_request');
  });

  it('never repeats the code, refresh token or client secret a provider echoes back', async () => {
    answers = [
      { status: 400, body: { error: 'invalid_grant', error_description: 'unknown code the-code-123' } },
    ];
    const echoed = (await exchangeCode(config('oura'), 'the-code-123').catch((e: unknown) => e)) as Error;
    expect(echoed.message).toBe('invalid_grant: unknown code [redacted]');
    answers = [{ status: 400, body: 'bad refresh token rt-secret-9 for client csecret' }];
    const refresh = (await refreshTokenSet(config('oura'), 'rt-secret-9').catch((e: unknown) => e)) as Error;
    expect(refresh.message).toBe('HTTP 400: bad refresh token [redacted] for client [redacted]');
  });

  it('an unreachable endpoint is a TokenEndpointError without status', async () => {
    const error = (await exchangeCode({ ...config('oura'), tokenUrl: 'http://127.0.0.1:9/token' }, 'c').catch(
      (e: unknown) => e,
    )) as TokenEndpointError;
    expect(error).toBeInstanceOf(TokenEndpointError);
    expect(error.status).toBeNull();
    expect(error.invalidGrant).toBe(false);
  });
});

describe('refresh', () => {
  it('sends the refresh grant and takes a rotated refresh token', async () => {
    answers = [ok({ refresh_token: 'rt-2' })];
    const tokens = await refreshTokenSet(config('oura'), 'rt-1');
    expect(requests.at(-1)!.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-1' });
    expect(tokens.refreshToken).toBe('rt-2');
  });

  it('keeps the old refresh token when none is returned', async () => {
    answers = [{ status: 200, body: { access_token: 'at-2', token_type: 'Bearer', expires_in: 10 } }];
    expect((await refreshTokenSet(config('oura'), 'rt-keep')).refreshToken).toBe('rt-keep');
  });
});
