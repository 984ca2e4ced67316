import { randomBytes, randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { decryptTokens, resetTokenVault } from '#shared/crypto/token-vault.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { issueTokens } from '#shared/identity/tokens.js';
import { createUser, deleteUser } from '#shared/identity/users.js';
import { db } from '#shared/store/client.js';
import { getConnection } from '#shared/store/connections.js';
import { getDeveloperByEmail } from '#shared/store/developers.js';
import { consumeState, createState } from '#shared/store/oauth-state.js';
import { queueHistoricalSync } from '#shared/sync/enqueue.js';
import { followConsent, type RunningOAuthFake, sendJson, startOAuthFake } from '#test/fakes/oauth-fake.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { useLocalQueues } from '#test/helpers/local-queues.js';
import { handler } from '../../functions/oauth.js';

// DELETE /users queues erasure's second pass on a real (local) queue.
useLocalQueues();

// The callback's side effects that belong to other modules: the historical sync is recorded, not sent, and the
// provider identity comes from a controlled implementation (the fake's profile endpoint).
vi.mock('#shared/sync/enqueue.js', () => ({ queueHistoricalSync: vi.fn(async () => null) }));
vi.mock('#shared/providers/index.js', () => ({
  providerModules: {
    fitbit: {
      name: 'fitbit',
      identity: async (get: (path: string) => Promise<unknown>) => {
        const body = (await get('/1/user/-/profile.json')) as {
          user: { encodedId: string; displayName: string };
        };
        return { providerUserId: body.user.encodedId, providerUsername: body.user.displayName };
      },
      units: () => [],
      pull: async () => ({ series: [], events: [], scores: [] }),
    },
  },
}));

let fake: RunningOAuthFake;
let developerJwt: string;

/** Fitbit: PKCE and Basic client auth, pointed at the fake; every other provider unconfigured. */
beforeAll(async () => {
  fake = await startOAuthFake({
    clients: [{ clientId: 'fitbit-id', clientSecret: 'fitbit-secret' }],
    clientAuth: 'basic',
    pkce: 'required',
    autoApprove: true,
    userId: 'FB-1',
    tokenExtras: (context) => ({ user_id: context.userId }),
    fallback: (req, res, url) => {
      if (url.pathname === '/1/user/-/profile.json' && fake.oauth.authenticate(req)) {
        return sendJson(res, 200, { user: { encodedId: 'FB-1', displayName: 'Fit Person' } });
      }
      sendJson(res, 401, { errors: [{ errorType: 'invalid_token' }] });
    },
  });
  for (const name of Object.keys(process.env)) {
    if (/_(CLIENT_ID|CLIENT_SECRET)$/.test(name)) delete process.env[name];
  }
  Object.assign(process.env, {
    FITBIT_CLIENT_ID: 'fitbit-id',
    FITBIT_CLIENT_SECRET: 'fitbit-secret',
    FITBIT_AUTHORIZE_URL: fake.authorizeUrl,
    FITBIT_TOKEN_URL: fake.tokenUrl,
    FITBIT_API_BASE_URL: fake.url,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  });
  delete process.env.TOKEN_KMS_KEY_ID;
  delete process.env.OAUTH_REDIRECT_ALLOWLIST;
  delete process.env.HISTORICAL_SYNC_ON_CONNECT;
  resetEnvCache();
  resetTokenVault();
  await ensureAdminDeveloper();
  const admin = await getDeveloperByEmail(process.env.ADMIN_EMAIL!);
  developerJwt = (
    await issueTokens({ token_type: 'developer', developer_id: admin!.id, credential_version: 0 })
  ).access_token;
});
afterAll(() => fake.stop());
beforeEach(() => vi.mocked(queueHistoricalSync).mockClear());

interface Answer {
  status: number;
  body: Record<string, unknown> & Array<Record<string, unknown>>;
  location: string | undefined;
}

async function call(
  method: string,
  path: string,
  options: Parameters<typeof httpEvent>[2] = {},
): Promise<Answer> {
  const result = (await handler(
    httpEvent(method, path, options),
    lambdaContext('oauth'),
  )) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode!,
    body: result.body ? JSON.parse(result.body) : undefined,
    location: result.headers?.location as string | undefined,
  };
}

const authorize = (provider: string, query: Record<string, string>) =>
  call('GET', `/api/v1/oauth/${provider}/authorize`, {
    query,
    headers: { authorization: `Bearer ${developerJwt}` },
  });
const callback = (provider: string, query: Record<string, string>) =>
  call('GET', `/api/v1/oauth/${provider}/callback`, { query });

/** authorize -> the user approves at the fake -> the query our callback receives. */
async function consent(userId: string, extra: Record<string, string> = {}) {
  const start = await authorize('fitbit', { user_id: userId, ...extra });
  expect(start.status).toBe(200);
  const outcome = await followConsent(start.body.authorization_url as string);
  const params = Object.fromEntries(new URL(outcome.location).searchParams);
  return { start, outcome, params };
}

describe('authorize', () => {
  it('answers a consent URL at the provider with state, PKCE challenge and the encoded callback', async () => {
    const user = await createUser({});
    const { body } = await authorize('fitbit', { user_id: user.id });
    expect(body.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const url = new URL(body.authorization_url as string);
    expect(`${url.origin}${url.pathname}`).toBe(fake.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'fitbit-id',
      redirect_uri: 'http://localhost:8000/api/v1/oauth/fitbit/callback',
      state: body.state,
      code_challenge_method: 'S256',
      scope: 'activity heartrate sleep profile',
    });
    expect(body.authorization_url).toContain('redirect_uri=http%3A%2F%2Flocalhost%3A8000%2Fapi%2Fv1%2Foauth');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses providers without OAuth, unknown users, unconfigured and invalid providers', async () => {
    const user = await createUser({});
    for (const provider of ['apple', 'samsung']) {
      expect(await authorize(provider, { user_id: user.id })).toMatchObject({
        status: 400,
        body: { detail: `Provider '${provider}' does not support OAuth` },
      });
    }
    const unknown = randomUUID();
    expect(await authorize('fitbit', { user_id: unknown })).toMatchObject({
      status: 404,
      body: { detail: `User with ID: ${unknown} not found.` },
    });
    expect(await authorize('oura', { user_id: user.id })).toMatchObject({
      status: 400,
      body: { detail: "Provider 'oura' is not configured: set OURA_CLIENT_ID and OURA_CLIENT_SECRET" },
    });
    expect((await authorize('nope', { user_id: user.id })).status).toBe(400);
    expect(await authorize('fitbit', {})).toMatchObject({ status: 400, body: { detail: 'Field required' } });
    expect((await authorize('fitbit', { user_id: 'not-a-uuid' })).status).toBe(400);
  });

  it('with OAUTH_REDIRECT_ALLOWLIST, accepts only redirect_uris of the listed origins', async () => {
    const user = await createUser({});
    process.env.OAUTH_REDIRECT_ALLOWLIST = 'https://app.example.com, http://localhost:3000/';
    resetEnvCache();
    try {
      expect(
        (await authorize('fitbit', { user_id: user.id, redirect_uri: 'https://app.example.com/done?x=1' }))
          .status,
      ).toBe(200);
      expect(
        (await authorize('fitbit', { user_id: user.id, redirect_uri: 'http://localhost:3000/cb' })).status,
      ).toBe(200);
      expect(
        await authorize('fitbit', { user_id: user.id, redirect_uri: 'https://evil.example.com/' }),
      ).toMatchObject({
        status: 400,
        body: { detail: "redirect_uri origin 'https://evil.example.com' is not allowed" },
      });
      expect(await authorize('fitbit', { user_id: user.id, redirect_uri: '/relative' })).toMatchObject({
        status: 400,
        body: { detail: 'redirect_uri must be an absolute http(s) URL' },
      });
      // Without a redirect_uri the default success page is used, which is always allowed.
      expect((await authorize('fitbit', { user_id: user.id })).status).toBe(200);
    } finally {
      delete process.env.OAUTH_REDIRECT_ALLOWLIST;
      resetEnvCache();
    }
  });
});

/** Runs `body` with FITBIT_SUNSET set to `value` (unset: the default), then restores the tests' `false`. */
async function withSunset(value: string | undefined, body: () => Promise<void>) {
  if (value === undefined) delete process.env.FITBIT_SUNSET;
  else process.env.FITBIT_SUNSET = value;
  resetEnvCache();
  try {
    await body();
  } finally {
    process.env.FITBIT_SUNSET = 'false';
    resetEnvCache();
  }
}

describe('Fitbit sunset (FITBIT_SUNSET)', () => {
  const refusal = {
    status: 400,
    body: {
      detail:
        'New Fitbit connections are refused: Google shut the Fitbit Web API down on 2026-11-02; connect Fitbit devices through the Google Health API (provider google_health)',
    },
  };

  it('by default (and with true) authorize refuses Fitbit with a 400 naming google_health', async () => {
    const user = await createUser({});
    for (const value of [undefined, 'true']) {
      await withSunset(value, async () => {
        expect(await authorize('fitbit', { user_id: user.id })).toMatchObject(refusal);
      });
    }
    // Other providers are not concerned: oura answers its own (unconfigured) 400.
    await withSunset('true', async () => {
      expect((await authorize('oura', { user_id: user.id })).body.detail).toMatch(/not configured/);
    });
  });

  it('a consent started before the sunset is refused at the callback: no exchange, no connection', async () => {
    const user = await createUser({});
    const { params } = await consent(user.id);
    fake.oauth.resetCounters();
    await withSunset('true', async () => {
      expect(await callback('fitbit', params)).toMatchObject(refusal);
    });
    expect(fake.oauth.counters.token).toBe(0);
    expect(await getConnection(user.id, 'fitbit')).toBeUndefined();
  });

  it('with false, Fitbit connects as before', async () => {
    const user = await createUser({});
    await withSunset('false', async () => {
      const { params } = await consent(user.id);
      expect((await callback('fitbit', params)).status).toBe(303);
    });
    expect(await getConnection(user.id, 'fitbit')).toMatchObject({ status: 'active' });
  });
});

describe('callback', () => {
  it('connects: exchange with the PKCE verifier, identity, encrypted tokens, historical sync, 303 to success', async () => {
    const user = await createUser({});
    fake.oauth.resetCounters();
    const before = Date.now();
    const { params } = await consent(user.id);
    const answer = await callback('fitbit', params);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`/api/v1/oauth/success?provider=fitbit&user_id=${user.id}`);
    expect(fake.oauth.counters.codeExchanges).toBe(1);
    expect(fake.oauth.tokenRequests[0]!.form.code_verifier).toBeDefined();

    const connection = (await getConnection(user.id, 'fitbit'))!;
    expect(connection).toMatchObject({
      status: 'active',
      provider_user_id: 'FB-1',
      provider_username: 'Fit Person',
      scope: 'activity heartrate sleep profile',
    });
    expect(Date.parse(connection.last_synced_at!)).toBeGreaterThanOrEqual(before - 1);
    expect(connection.token_expires_at).toBeGreaterThan(Date.now() + 3_500_000);
    const tokens = await decryptTokens(connection.tokens!, { userId: user.id, provider: 'fitbit' });
    expect(fake.oauth.isAccessTokenValid(tokens.accessToken)).toBe(true);
    expect(tokens.refreshToken).toMatch(/^rt_/);
    expect(tokens.extras.user_id).toBe('FB-1');
    expect(vi.mocked(queueHistoricalSync)).toHaveBeenCalledWith(user.id, 'fitbit', 90);

    // Nothing in the table holds a token in clear.
    const { doc, table } = db();
    const everything = JSON.stringify((await doc.send(new ScanCommand({ TableName: table }))).Items);
    expect(everything).not.toContain(tokens.accessToken);
    expect(everything).not.toContain(tokens.refreshToken);
  });

  it('303s to the redirect_uri given at authorize', async () => {
    const user = await createUser({});
    const { params } = await consent(user.id, { redirect_uri: 'https://app.example.com/connected?x=1' });
    const answer = await callback('fitbit', params);
    expect(answer).toMatchObject({ status: 303, location: 'https://app.example.com/connected?x=1' });
  });

  it('with HISTORICAL_SYNC_ON_CONNECT=false queues no historical sync', async () => {
    const user = await createUser({});
    process.env.HISTORICAL_SYNC_ON_CONNECT = 'false';
    resetEnvCache();
    try {
      const { params } = await consent(user.id);
      expect((await callback('fitbit', params)).status).toBe(303);
      expect(vi.mocked(queueHistoricalSync)).not.toHaveBeenCalled();
    } finally {
      delete process.env.HISTORICAL_SYNC_ON_CONNECT;
      resetEnvCache();
    }
  });

  it('a state works once', async () => {
    const user = await createUser({});
    const { params } = await consent(user.id);
    expect((await callback('fitbit', params)).status).toBe(303);
    expect(await callback('fitbit', params)).toMatchObject({
      status: 400,
      body: { detail: 'Invalid or expired state parameter' },
    });
  });

  it('two concurrent callbacks with one state: exactly one connects', async () => {
    const user = await createUser({});
    const { params } = await consent(user.id);
    const answers = await Promise.all([callback('fitbit', params), callback('fitbit', params)]);
    expect(answers.map((a) => a.status).sort()).toEqual([303, 400]);
  });

  it('a state expires after 15 minutes', async () => {
    const user = await createUser({});
    const old = await createState(
      { user_id: user.id, provider: 'fitbit', redirect_uri: null },
      Date.now() - 901_000,
    );
    expect(await callback('fitbit', { code: 'c', state: old })).toMatchObject({
      status: 400,
      body: { detail: 'Invalid or expired state parameter' },
    });
    const fresh = await createState(
      { user_id: user.id, provider: 'fitbit', redirect_uri: null },
      Date.now() - 899_000,
    );
    expect(await consumeState(fresh)).toMatchObject({
      user_id: user.id,
      provider: 'fitbit',
      redirect_uri: null,
    });
    expect(await consumeState(fresh)).toBeUndefined();
    expect(await consumeState('x'.repeat(43))).toBeUndefined();
    expect(await consumeState('not a state')).toBeUndefined();
  });

  it('provider errors and missing parameters redirect to the error page', async () => {
    const denied = await callback('fitbit', {
      error: 'access_denied',
      error_description: 'The user denied the request',
      state: 's',
    });
    expect(denied.status).toBe(303);
    expect(denied.location!.startsWith('/api/v1/oauth/error?message=')).toBe(true);
    expect(new URL(denied.location!, 'http://x').searchParams.get('message')).toBe(
      'access_denied: The user denied the request',
    );
    const bare = await callback('fitbit', { error: 'server_error' });
    expect(bare.location).toBe('/api/v1/oauth/error?message=server_error%3A+Unknown+error');
    for (const query of [{}, { code: 'c' }, { state: 's' }] as Array<Record<string, string>>) {
      expect(await callback('fitbit', query)).toMatchObject({
        status: 303,
        location: '/api/v1/oauth/error?message=Missing+OAuth+parameters',
      });
    }
  });

  it('the user denying at the provider ends on the error page', async () => {
    const user = await createUser({});
    const start = await authorize('fitbit', { user_id: user.id });
    fake.oauth.autoApprove = false;
    try {
      const outcome = await followConsent(start.body.authorization_url as string, 'deny');
      const answer = await callback('fitbit', Object.fromEntries(new URL(outcome.location).searchParams));
      expect(new URL(answer.location!, 'http://x').searchParams.get('message')).toBe(
        'access_denied: The user denied the authorization request',
      );
    } finally {
      fake.oauth.autoApprove = true;
    }
  });

  it('unknown state, provider mismatch and a failed exchange are 400s with the contract texts', async () => {
    const user = await createUser({});
    expect(
      await callback('fitbit', { code: 'c', state: randomBytes(32).toString('base64url') }),
    ).toMatchObject({
      status: 400,
      body: { detail: 'Invalid or expired state parameter' },
    });

    const forOura = await createState({ user_id: user.id, provider: 'oura', redirect_uri: null });
    expect(await callback('fitbit', { code: 'c', state: forOura })).toMatchObject({
      status: 400,
      body: { detail: 'Provider mismatch in state' },
    });

    const { params } = await consent(user.id);
    fake.oauth.failNextExchange(400, {
      error: 'invalid_grant',
      error_description: 'Authorization code expired',
    });
    expect(await callback('fitbit', params)).toMatchObject({
      status: 400,
      body: { detail: 'Failed to exchange authorization code: invalid_grant: Authorization code expired' },
    });

    const second = await consent(user.id);
    expect(await callback('fitbit', { ...second.params, code: 'forged' })).toMatchObject({
      status: 400,
      body: { detail: 'Failed to exchange authorization code: invalid_grant: unknown authorization code' },
    });
    expect(await getConnection(user.id, 'fitbit')).toBeUndefined();
  });

  it('a user erased between authorize and callback is not recreated', async () => {
    const user = await createUser({});
    const { params } = await consent(user.id);
    await deleteUser(user.id);
    expect(await callback('fitbit', params)).toMatchObject({
      status: 400,
      body: { detail: 'Invalid or expired state parameter' },
    });
    expect(await getConnection(user.id, 'fitbit')).toBeUndefined();
  });
});

describe('landing pages', () => {
  it('success and error echo their parameters', async () => {
    expect(
      await call('GET', '/api/v1/oauth/success', { query: { provider: 'fitbit', user_id: 'u-1' } }),
    ).toMatchObject({
      status: 200,
      body: {
        success: true,
        message: 'Successfully connected to fitbit',
        user_id: 'u-1',
        provider: 'fitbit',
      },
    });
    expect((await call('GET', '/api/v1/oauth/success', { query: { provider: 'fitbit' } })).status).toBe(400);
    expect(await call('GET', '/api/v1/oauth/error')).toMatchObject({
      status: 200,
      body: { success: false, message: 'OAuth authentication failed' },
    });
    expect(await call('GET', '/api/v1/oauth/error', { query: { message: 'x: y' } })).toMatchObject({
      body: { success: false, message: 'x: y' },
    });
  });
});

describe('provider settings', () => {
  const dev = () => ({ authorization: `Bearer ${developerJwt}` });
  const list = (query: Record<string, string> = {}) => call('GET', '/api/v1/oauth/providers', { query });

  it('lists every integrated provider in enum order with its settings', async () => {
    const { status, body } = await list();
    expect(status).toBe(200);
    expect(body.map((p) => p.provider)).toEqual([
      'apple',
      'samsung',
      'garmin',
      'health_connect',
      'google_health',
      'polar',
      'suunto',
      'whoop',
      'strava',
      'oura',
      'fitbit',
      'ultrahuman',
      'sensorbio',
      'withings',
    ]);
    const byProvider = Object.fromEntries(body.map((p) => [p.provider, p]));
    expect(byProvider.apple).toEqual({
      provider: 'apple',
      name: 'Apple Health',
      has_cloud_api: false,
      is_enabled: true,
      is_configured: true,
      icon_url: '/static/provider-icons/apple.svg',
      live_sync_mode: null,
      live_sync_configurable: false,
      data_granularity: null,
      deprecated: false,
      deprecation_message: null,
      replaced_by: null,
    });
    // Configured credentials make a cloud provider enabled; unconfigured ones are not.
    expect(byProvider.fitbit).toMatchObject({
      name: 'Fitbit',
      has_cloud_api: true,
      is_enabled: true,
      is_configured: true,
    });
    expect(byProvider.fitbit).toMatchObject({ live_sync_mode: 'pull', live_sync_configurable: false });
    expect(byProvider.oura).toMatchObject({
      is_enabled: false,
      is_configured: false,
      live_sync_configurable: true,
    });
    expect(byProvider.garmin).toMatchObject({ name: 'Garmin', live_sync_mode: 'webhook' });
    expect(byProvider.sensorbio!.name).toBe('Sensor Bio');
  });

  it('lists Fitbit as deprecated, replaced by google_health; no other provider', async () => {
    const { body } = await list();
    const fitbit = body.find((p) => p.provider === 'fitbit')!;
    expect(fitbit).toMatchObject({ deprecated: true, replaced_by: 'google_health' });
    expect(fitbit.deprecation_message).toMatch(/Fitbit Web API.*2026-11-02.*google_health/);
    for (const other of body.filter((p) => p.provider !== 'fitbit'))
      expect(other).toMatchObject({ deprecated: false, deprecation_message: null, replaced_by: null });
    // The filters and the single-provider answers carry the fields too.
    expect((await list({ cloud_only: 'true' })).body.find((p) => p.provider === 'fitbit')!.deprecated).toBe(
      true,
    );
  });

  it('filters by enabled_only and cloud_only', async () => {
    expect((await list({ enabled_only: 'true' })).body.map((p) => p.provider)).toEqual([
      'apple',
      'samsung',
      'health_connect',
      'fitbit',
    ]);
    expect((await list({ cloud_only: 'true' })).body.map((p) => p.provider)).not.toContain('apple');
    expect((await list({ enabled_only: 'true', cloud_only: 'true' })).body.map((p) => p.provider)).toEqual([
      'fitbit',
    ]);
    expect((await list({ enabled_only: 'maybe' })).status).toBe(400);
  });

  it('PUT one provider: toggle, live mode, granularity; contract 400s', async () => {
    const put = (provider: string, json: unknown) =>
      call('PUT', `/api/v1/oauth/providers/${provider}`, { headers: dev(), json });
    expect(await put('apple', { is_enabled: false })).toMatchObject({
      status: 200,
      body: { provider: 'apple', is_enabled: false },
    });
    expect((await list({ enabled_only: 'true' })).body.map((p) => p.provider)).not.toContain('apple');
    expect((await put('apple', { is_enabled: true })).body.is_enabled).toBe(true);

    expect(await put('oura', { live_sync_mode: 'webhook', data_granularity: 'daily' })).toMatchObject({
      status: 200,
      body: { live_sync_mode: 'webhook', data_granularity: 'daily', is_enabled: false },
    });
    // Fields not sent stay as they are; an explicit null granularity goes back to the provider default.
    expect((await put('oura', { data_granularity: null })).body).toMatchObject({
      live_sync_mode: 'webhook',
      data_granularity: null,
    });
    expect(await put('fitbit', { live_sync_mode: 'webhook' })).toMatchObject({
      status: 400,
      body: { detail: "Provider 'fitbit' does not support live sync mode configuration" },
    });
    expect((await put('oura', { live_sync_mode: null })).status).toBe(400);
    expect(await put('nope', { is_enabled: true })).toMatchObject({
      status: 400,
      body: { detail: 'Unknown provider: nope' },
    });
    expect(await put('internal', {})).toMatchObject({
      status: 400,
      body: { detail: 'Unknown provider: internal' },
    });
    expect((await call('PUT', '/api/v1/oauth/providers/oura', { json: {} })).status).toBe(401);
  });

  it('PUT all: bulk toggles, unknown slugs are a 400 and change nothing', async () => {
    const put = (json: unknown) => call('PUT', '/api/v1/oauth/providers', { headers: dev(), json });
    expect(await put({ providers: { samsung: false, nope: true } })).toMatchObject({
      status: 400,
      body: { detail: 'Unknown provider: nope' },
    });
    expect((await list()).body.find((p) => p.provider === 'samsung')!.is_enabled).toBe(true);
    const answer = await put({ providers: { samsung: false, fitbit: false } });
    expect(answer.status).toBe(200);
    expect(answer.body.filter((p) => !p.is_enabled).map((p) => p.provider)).toEqual(
      expect.arrayContaining(['samsung', 'fitbit']),
    );
    expect(answer.body).toHaveLength(14);
    await put({ providers: { samsung: true, fitbit: true } });
    expect((await put({})).status).toBe(400);
  });
});
