import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearerGet, RateLimitedError, UnauthorizedError } from '#shared/providers/http.js';
import type { TokenSet } from '#shared/providers/types.js';
import { ultrahuman } from '#shared/providers/ultrahuman/index.js';
import { mapDailyMetrics } from '#shared/providers/ultrahuman/mapping.js';
import { followConsent } from '#test/fakes/oauth-fake.js';
import { type FakeUltrahuman, generateUltrahumanDay, startFakeUltrahuman } from '#test/fakes/ultrahuman.js';

const DAY = '2024-01-15';
const DAY_START = Date.UTC(2024, 0, 15);
const unit = { key: DAY, start: DAY_START, end: DAY_START + 86_400_000 };

const tokenSet = (accessToken: string): TokenSet => ({
  accessToken,
  refreshToken: null,
  expiresAt: Date.now() + 3_600_000,
  scope: null,
  extras: {},
});

let fake: FakeUltrahuman;

beforeAll(async () => {
  fake = await startFakeUltrahuman({
    users: [
      { userId: 'uh-42', username: 'ringwearer', email: 'ring@example.com' },
      { userId: 'uh-43', username: null, email: 'only-email@example.com' },
    ],
  });
});

afterAll(() => fake.stop());

beforeEach(() => {
  fake.rateLimitNext(0);
  fake.requests.length = 0;
});

const accessTokenFor = (userId: string) => fake.oauth.issueTokens(userId).access_token as string;

describe('fake Ultrahuman OAuth', () => {
  it('authorise -> code -> token with body client auth, no PKCE; refresh rotates', async () => {
    const redirectUri = 'http://127.0.0.1:9/api/v1/oauth/ultrahuman/callback';
    const authorize = new URL(fake.authorizeUrl);
    expect(authorize.pathname).toBe('/authorise');
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: fake.clientId,
      redirect_uri: redirectUri,
      state: 'st-1',
      scope: 'ring_data cgm_data profile',
    }).toString();
    const consent = await followConsent(authorize.toString());
    expect(consent.state).toBe('st-1');
    expect(consent.code).toBeTruthy();

    const post = (form: Record<string, string>) =>
      fetch(fake.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
    const exchanged = await post({
      grant_type: 'authorization_code',
      code: consent.code!,
      redirect_uri: redirectUri,
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
    });
    expect(exchanged.status).toBe(200);
    const tokens = (await exchanged.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'ring_data cgm_data profile',
    });

    const identity = await ultrahuman.identity(
      bearerGet(fake.apiBaseUrl, tokens.access_token as string),
      tokenSet(tokens.access_token as string),
    );
    expect(identity).toEqual({ providerUserId: 'uh-42', providerUsername: 'ringwearer' });

    // Basic auth is not how Ultrahuman authenticates clients.
    const basic = await fetch(fake.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token as string,
      }),
    });
    expect(basic.status).toBe(401);

    const refresh = (refreshToken: string) =>
      post({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
      });
    const refreshed = (await (await refresh(tokens.refresh_token as string)).json()) as Record<
      string,
      unknown
    >;
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    const reused = await refresh(tokens.refresh_token as string);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('ultrahuman provider against the fake', () => {
  it('identity: username, else email; data envelope too', async () => {
    const get = bearerGet(fake.apiBaseUrl, accessTokenFor('uh-43'));
    expect(await ultrahuman.identity(get, tokenSet('x'))).toEqual({
      providerUserId: 'uh-43',
      providerUsername: 'only-email@example.com',
    });
    expect(fake.requests.at(-1)).toMatchObject({ path: '/api/partners/v1/user_data/user_info', status: 200 });

    const wrapped = await startFakeUltrahuman({ userInfoEnvelope: 'data' });
    try {
      const token = wrapped.oauth.issueTokens('uh-9').access_token as string;
      expect(await ultrahuman.identity(bearerGet(wrapped.apiBaseUrl, token), tokenSet(token))).toEqual({
        providerUserId: 'uh-9',
        providerUsername: 'uh-9',
      });
    } finally {
      await wrapped.stop();
    }
  });

  it('pulls one generated day: every mapped type, sleep and recovery, ignored types left out', async () => {
    const get = bearerGet(fake.apiBaseUrl, accessTokenFor('uh-42'));
    const result = await ultrahuman.pull(get, unit);
    expect(fake.requests.at(-1)).toMatchObject({
      path: '/api/partners/v1/user_data/metrics',
      query: { date: DAY },
      status: 200,
    });
    expect(result).toEqual(
      mapDailyMetrics({ data: { metric_data: generateUltrahumanDay(DAY, 'uh-42') } }, DAY, DAY_START),
    );

    const bySeries = Object.fromEntries(result.series.map((s) => [s.series, s.samples]));
    expect(Object.keys(bySeries).sort()).toEqual([
      'active_time',
      'heart_rate',
      'heart_rate_variability_sdnn',
      'skin_temperature',
      'steps',
      'vo2_max',
    ]);
    expect(bySeries.heart_rate).toHaveLength(288);
    expect(bySeries.skin_temperature).toHaveLength(288);
    expect(bySeries.heart_rate?.every((s) => s.timestamp >= DAY_START && s.timestamp < unit.end)).toBe(true);
    const steps = bySeries.steps ?? [];
    const dailyTotal = steps.filter((s) => s.isDailyTotal === true);
    const intraday = steps.filter((s) => s.isDailyTotal === false);
    expect(dailyTotal).toEqual([
      { timestamp: DAY_START, value: expect.any(Number), zoneOffset: null, isDailyTotal: true },
    ]);
    expect(dailyTotal[0]?.value).toBe(intraday.reduce((sum, s) => sum + s.value, 0));
    expect(intraday.every((s) => s.value > 0)).toBe(true);

    expect(result.events).toHaveLength(1);
    const sleep = result.events[0]!;
    expect(sleep).toMatchObject({ category: 'sleep', externalId: 'sleep-2024-01-15', zoneOffset: null });
    if (sleep.category !== 'sleep') throw new Error('not a sleep');
    const d = sleep.details;
    expect(d.sleep_time_in_bed_minutes).toBe((sleep.end - sleep.start) / 60_000);
    expect(d.sleep_total_duration_minutes).toBe(
      d.sleep_deep_minutes! + d.sleep_light_minutes! + d.sleep_rem_minutes!,
    );
    expect(d.sleep_stages).toBeNull();

    expect(result.scores).toEqual([expect.objectContaining({ category: 'recovery', recordedAt: DAY_START })]);
  });

  it("setDays replaces an account's data; an empty day is an empty result", async () => {
    fake.setDays('uh-44', (date) => (date === DAY ? [] : null));
    const get = bearerGet(fake.apiBaseUrl, accessTokenFor('uh-44'));
    expect(await ultrahuman.pull(get, unit)).toEqual({ series: [], events: [], scores: [] });
  });

  it('429 -> RateLimitedError with retryAt from Retry-After, then the day pulls', async () => {
    const get = bearerGet(fake.apiBaseUrl, accessTokenFor('uh-42'));
    fake.rateLimitNext(1, 120);
    const before = Date.now();
    const error = await ultrahuman.pull(get, unit).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    const retryAt = (error as RateLimitedError).retryAt;
    expect(retryAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 120_000);
    expect(fake.requests.at(-1)?.status).toBe(429);

    expect((await ultrahuman.pull(get, unit)).events).toHaveLength(1);
  });

  it('401 -> UnauthorizedError for unknown, expired and revoked tokens', async () => {
    await expect(ultrahuman.pull(bearerGet(fake.apiBaseUrl, 'not-a-token'), unit)).rejects.toThrow(
      UnauthorizedError,
    );
    const token = accessTokenFor('uh-42');
    const get = bearerGet(fake.apiBaseUrl, token);
    await ultrahuman.pull(get, unit);
    fake.oauth.expireAccessTokens();
    await expect(ultrahuman.pull(get, unit)).rejects.toThrow(UnauthorizedError);
    await expect(ultrahuman.identity(get, tokenSet(token))).rejects.toThrow(UnauthorizedError);
    expect(fake.requests.at(-1)?.status).toBe(401);

    const other = accessTokenFor('uh-43');
    fake.oauth.revokeUser('uh-43');
    await expect(ultrahuman.pull(bearerGet(fake.apiBaseUrl, other), unit)).rejects.toThrow(UnauthorizedError);
  });

  it('a malformed date is a 400', async () => {
    const response = await fetch(`${fake.apiBaseUrl}/user_data/metrics?date=2024-02-30`, {
      headers: { authorization: `Bearer ${accessTokenFor('uh-42')}` },
    });
    expect(response.status).toBe(400);
  });
});
