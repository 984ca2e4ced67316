import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenEndpointError } from '#shared/oauth/errors.js';
import { exchangeCode, refreshTokenSet } from '#shared/oauth/token-endpoint.js';
import { PROVIDER_INFO, type ProviderConfig } from '#shared/providers/registry.js';
import { withingsModule } from '#shared/providers/withings/index.js';
import { followConsent } from '#test/fakes/oauth-fake.js';
import { DEFAULT_WITHINGS_USER, type FakeWithings, startFakeWithings } from '#test/fakes/withings.js';

/**
 * Withings' token endpoint through the shared token client: `action=requesttoken` on every request, the
 * `{status, body}` envelope unwrapped (with `userid`, the account), rotation, and the error classification that
 * decides a connection's fate: a refused grant revokes (invalid_grant), an outage leaves it alone (unavailable).
 */
let fake: FakeWithings;
let config: ProviderConfig;
const REDIRECT = 'https://api.example.test/api/v1/oauth/withings/callback';

beforeAll(async () => {
  fake = await startFakeWithings();
  config = {
    provider: 'withings',
    info: PROVIDER_INFO.withings,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    scope: PROVIDER_INFO.withings.oauth!.defaultScope,
    authorizeUrl: fake.authorizeUrl,
    tokenUrl: fake.tokenUrl,
    apiBaseUrl: fake.apiBaseUrl,
    configured: true,
  };
});
afterAll(() => fake?.stop());

async function code(): Promise<string> {
  const url = fake.oauth.buildAuthorizeUrl(fake.url, {
    redirectUri: REDIRECT,
    state: 's',
    scope: config.scope,
  });
  const consent = await followConsent(url);
  return consent.code!;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a TokenEndpointError');
    },
    (error: unknown) => error as TokenEndpointError,
  );

describe('code exchange and refresh', () => {
  let refreshToken: string;

  it('exchanges a code: the body of the envelope is the token set, userid the account', async () => {
    const tokens = await exchangeCode(config, await code(), undefined, REDIRECT, 1_000);
    const request = fake.oauth.tokenRequests.at(-1)!;
    expect(fake.tokenAnswers.at(-1)).toMatchObject({ grantType: 'authorization_code', status: 0 });
    expect(tokens).toMatchObject({
      expiresAt: 1_000 + 10_800_000,
      scope: 'user.info,user.metrics,user.activity,user.sleepevents',
      extras: { userid: DEFAULT_WITHINGS_USER, token_type: 'Bearer' },
    });
    expect(request.form).toMatchObject({
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      code: expect.any(String),
    });
    expect(await withingsModule.identity(async () => null, tokens)).toEqual({
      providerUserId: String(DEFAULT_WITHINGS_USER),
      providerUsername: null,
    });
    refreshToken = tokens.refreshToken!;
  });

  it('every token request carries action=requesttoken first, then the grant and the client credentials', async () => {
    const tokens = await refreshTokenSet(config, refreshToken);
    expect(fake.tokenAnswers.at(-1)).toEqual({
      fields: ['action', 'grant_type', 'refresh_token', 'client_id', 'client_secret'],
      grantType: 'refresh_token',
      status: 0,
    });
    expect(fake.tokenAnswers.every((a) => a.fields[0] === 'action')).toBe(true);
    refreshToken = tokens.refreshToken!;
  });

  it('refresh tokens rotate: the new one works, the old one is refused as invalid_grant', async () => {
    const before = refreshToken;
    const tokens = await refreshTokenSet(config, before);
    expect(tokens.refreshToken).not.toBe(before);
    const reused = await failure(refreshTokenSet(config, before));
    expect(reused.invalidGrant).toBe(true);
    expect(reused.unavailable).toBe(false);
    expect(reused.providerText).toBe(
      'invalid_grant: Withings status 503: Invalid Params: invalid refresh_token',
    );
    expect(reused.message).not.toContain(before);
    refreshToken = tokens.refreshToken!;
  });

  it('a refused code says so in Withings words', async () => {
    const error = await failure(exchangeCode(config, 'not-a-code', undefined, REDIRECT));
    expect(error.invalidGrant).toBe(true);
    expect(error.providerText).toContain('Invalid Params: invalid code');
  });
});

describe('outages and other failures', () => {
  it.each([522, 601, 2557])('envelope status %i is an outage: unavailable, not a refusal', async (status) => {
    fake.failNextToken({ status });
    const error = await failure(refreshTokenSet(config, 'whatever'));
    expect(error.unavailable).toBe(true);
    expect(error.invalidGrant).toBe(false);
  });

  it('an HTTP 502 from a gateway is an outage too', async () => {
    fake.failNextToken({ http: 502 });
    const error = await failure(refreshTokenSet(config, 'whatever'));
    expect(error.unavailable).toBe(true);
  });

  it('an authentication failure is a refusal', async () => {
    fake.failNextToken({ status: 401 });
    expect((await failure(refreshTokenSet(config, 'whatever'))).invalidGrant).toBe(true);
  });

  it('"not implemented" is neither: the connection expires', async () => {
    fake.failNextToken({ status: 2554 });
    const error = await failure(refreshTokenSet(config, 'whatever'));
    expect(error.invalidGrant).toBe(false);
    expect(error.unavailable).toBe(false);
  });

  it('an envelope without a status, or a success without tokens, is not a token set', async () => {
    fake.failNextToken({ status: 0 });
    const error = await failure(refreshTokenSet(config, 'whatever'));
    expect(error.providerText).toBe('token response has no valid access_token');
  });
});
