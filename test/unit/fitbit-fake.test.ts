import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activityUnits } from '#shared/providers/fitbit/activities.js';
import { fitbit } from '#shared/providers/fitbit/index.js';
import { mapActivity } from '#shared/providers/fitbit/mapping.js';
import { bearerGet, RateLimitedError, UnauthorizedError } from '#shared/providers/http.js';
import { PROVIDER_INFO } from '#shared/providers/registry.js';
import type { TokenSet } from '#shared/providers/types.js';
import {
  type FakeFitbit,
  type FitbitActivity,
  generateActivities,
  startFakeFitbit,
} from '#test/fakes/fitbit.js';
import { basicAuthHeader, createPkcePair, followConsent } from '#test/fakes/oauth-fake.js';

const DAY_MS = 86_400_000;
const REDIRECT = 'http://localhost:8000/api/v1/oauth/fitbit/callback';
/** A fixed "now" for the fake's clock: 10:45 UTC, so the top of the hour is 900 s away. */
const NOW = Date.UTC(2024, 3, 30, 10, 45);

let clock = NOW;
let fake: FakeFitbit;

beforeAll(async () => {
  fake = await startFakeFitbit({ now: () => clock, redirectUris: [REDIRECT] });
});
afterAll(() => fake.stop());
beforeEach(() => {
  clock = NOW;
  fake.resetRateLimits();
  fake.setRateLimit(150);
  fake.requests.length = 0;
});

const tokenSet = (body: Record<string, unknown>): TokenSet => ({
  accessToken: String(body.access_token),
  refreshToken: String(body.refresh_token),
  expiresAt: clock + Number(body.expires_in) * 1000,
  scope: String(body.scope),
  extras: { user_id: body.user_id },
});

function authorizeUrl(params: { challenge?: string; state?: string; scope?: string } = {}): string {
  // Parameter order and encoding as our OAuth client builds it (providers.md 3.1).
  const url = new URL(fake.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', fake.clientId);
  url.searchParams.set('redirect_uri', REDIRECT);
  url.searchParams.set('state', params.state ?? 'state-123');
  if (params.challenge) {
    url.searchParams.set('code_challenge', params.challenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  url.searchParams.set('scope', params.scope ?? PROVIDER_INFO.fitbit.oauth!.defaultScope);
  return url.toString();
}

async function postToken(
  form: Record<string, string>,
  authorization: string | null = basicAuthHeader(fake.clientId, fake.clientSecret),
) {
  const response = await fetch(fake.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function connect(userId: string, scope?: string) {
  fake.oauth.setUser(userId);
  const pkce = createPkcePair();
  const consent = await followConsent(
    authorizeUrl({ challenge: pkce.challenge, ...(scope ? { scope } : {}) }),
  );
  const exchange = await postToken({
    grant_type: 'authorization_code',
    code: consent.code!,
    redirect_uri: REDIRECT,
    code_verifier: pkce.verifier,
  });
  expect(exchange.status).toBe(200);
  return exchange.body;
}

describe('fake Fitbit OAuth', () => {
  it('runs the code + PKCE + Basic flow and returns user_id', async () => {
    const pkce = createPkcePair();
    fake.oauth.setUser('ABC123');
    const consent = await followConsent(authorizeUrl({ challenge: pkce.challenge }));
    expect(consent.state).toBe('state-123');
    expect(consent.location.startsWith(`${REDIRECT}?`)).toBe(true);
    const exchange = await postToken({
      grant_type: 'authorization_code',
      code: consent.code!,
      redirect_uri: REDIRECT,
      code_verifier: pkce.verifier,
    });
    expect(exchange.status).toBe(200);
    expect(exchange.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 28_800,
      user_id: 'ABC123',
      scope: 'activity heartrate sleep profile',
    });
    expect(typeof exchange.body.refresh_token).toBe('string');
    // The code is single use.
    const again = await postToken({
      grant_type: 'authorization_code',
      code: consent.code!,
      redirect_uri: REDIRECT,
      code_verifier: pkce.verifier,
    });
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('rejects a wrong PKCE verifier', async () => {
    const pkce = createPkcePair();
    const consent = await followConsent(authorizeUrl({ challenge: pkce.challenge }));
    const exchange = await postToken({
      grant_type: 'authorization_code',
      code: consent.code!,
      redirect_uri: REDIRECT,
      code_verifier: createPkcePair().verifier,
    });
    expect(exchange).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('requires PKCE at authorize', async () => {
    const consent = await followConsent(authorizeUrl());
    expect(consent).toMatchObject({ code: null, error: 'invalid_request', state: 'state-123' });
  });

  it('requires Basic client auth: body credentials or a wrong secret are invalid_client', async () => {
    const pkce = createPkcePair();
    const consent = await followConsent(authorizeUrl({ challenge: pkce.challenge }));
    const form = {
      grant_type: 'authorization_code',
      code: consent.code!,
      redirect_uri: REDIRECT,
      code_verifier: pkce.verifier,
    };
    const inBody = await postToken(
      { ...form, client_id: fake.clientId, client_secret: fake.clientSecret },
      null,
    );
    expect(inBody).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const wrong = await postToken(form, basicAuthHeader(fake.clientId, 'nope'));
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    // The failed attempts did not burn the code.
    expect((await postToken(form)).status).toBe(200);
  });

  it('lets the user deny', async () => {
    const consent = await followConsent(authorizeUrl({ challenge: createPkcePair().challenge }), 'deny');
    expect(consent).toMatchObject({ code: null, error: 'access_denied', state: 'state-123' });
    expect(consent.errorDescription).toBeTruthy();
  });

  it('rotates refresh tokens; reuse, revocation and forced failures', async () => {
    const first = await connect('ROT001');
    const refresh = (token: unknown) =>
      postToken({ grant_type: 'refresh_token', refresh_token: String(token) });
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(second.body.user_id).toBe('ROT001');
    expect(await refresh(first.refresh_token)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });

    fake.oauth.failNextRefresh(500);
    expect((await refresh(second.body.refresh_token)).status).toBe(500);
    const third = await refresh(second.body.refresh_token);
    expect(third.status).toBe(200);

    fake.oauth.revokeUser('ROT001');
    expect(await refresh(third.body.refresh_token)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });
});

describe('fake Fitbit data API with the provider', () => {
  it('pages by following next to the end, and the units cover the window exactly', async () => {
    const userId = 'PAGE01';
    const activities = generateActivities({ days: 90, end: NOW, seed: 7, perDay: 3, offsetMinutes: -300 });
    expect(activities.length).toBeGreaterThan(200);
    fake.setActivities(userId, activities);
    const body = await connect(userId);
    const get = bearerGet(fake.apiBaseUrl, String(body.access_token));

    const start = NOW - 90 * DAY_MS;
    const units = activityUnits(start, NOW);
    const events = [];
    for (const unit of units) events.push(...(await fitbit.pull(get, unit)).events);

    const expected = activities.map((a) => mapActivity(a)!).filter((e) => e.start >= start && e.start < NOW);
    expect(events.map((e) => e.externalId)).toEqual(expected.map((e) => e.externalId));
    expect(events).toEqual(expected);

    for (const request of fake.requests) {
      expect(request.status).toBe(200);
      expect(request.query.sort).toBe('asc');
      expect(request.query.limit).toBe('100');
    }
    const firstUnitStart = new Date(units[0]!.start - DAY_MS).toISOString().slice(0, 10);
    const firstUnitPages = fake.requests.filter((r) => r.query.afterDate === firstUnitStart);
    const total = activities.filter((a) => a.startTime.slice(0, 10) >= firstUnitStart).length;
    // The first unit stops early: fewer pages than the listing has.
    expect(firstUnitPages.length).toBeLessThan(Math.ceil(total / 100));
    expect(firstUnitPages.map((r) => r.query.offset)).toEqual(firstUnitPages.map((_, i) => String(i * 100)));
  });

  it('follows next through every page when the unit reaches today', async () => {
    const userId = 'PAGE02';
    const activities: FitbitActivity[] = Array.from({ length: 250 }, (_, i) => ({
      logId: 5_000 + i,
      activityName: 'Walk',
      activityTypeId: 90013,
      logType: 'auto_detected',
      startTime: new Date(NOW - 20 * DAY_MS + i * 3_600_000).toISOString().replace('Z', '+00:00'),
      duration: 600_000,
    }));
    fake.setActivities(userId, activities);
    const get = bearerGet(fake.apiBaseUrl, String((await connect(userId)).access_token));
    const [unit] = activityUnits(NOW - 25 * DAY_MS, NOW + DAY_MS);
    const { events } = await fitbit.pull(get, unit!);
    expect(events).toHaveLength(250);
    expect(fake.requests.map((r) => r.query.offset)).toEqual(['0', '100', '200']);
  });

  it('identity reads user_id and the profile display name', async () => {
    fake.setProfile('PROF01', { displayName: 'Jo R.' });
    const body = await connect('PROF01');
    const get = bearerGet(fake.apiBaseUrl, String(body.access_token));
    expect(await fitbit.identity(get, tokenSet(body))).toEqual({
      providerUserId: 'PROF01',
      providerUsername: 'Jo R.',
    });
    const narrow = await connect('PROF02', 'activity heartrate');
    fake.requests.length = 0;
    const getNarrow = bearerGet(fake.apiBaseUrl, String(narrow.access_token));
    expect(await fitbit.identity(getNarrow, tokenSet(narrow))).toEqual({
      providerUserId: 'PROF02',
      providerUsername: null,
    });
    expect(fake.requests).toEqual([]);
  });

  it('429 surfaces as RateLimitedError with the reset time (forced)', async () => {
    const get = bearerGet(fake.apiBaseUrl, String((await connect('RATE01')).access_token));
    const unit = activityUnits(NOW - DAY_MS, NOW)[0]!;
    fake.rateLimitNext(1, 120);
    const before = Date.now();
    const error = await fitbit.pull(get, unit).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    const retryAt = (error as RateLimitedError).retryAt;
    expect(retryAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 120_000);
    // Only the forced one.
    await expect(fitbit.pull(get, unit)).resolves.toBeDefined();
  });

  it('429 when the hourly budget is used up, resetting at the top of the hour', async () => {
    const get = bearerGet(fake.apiBaseUrl, String((await connect('RATE02')).access_token));
    const unit = activityUnits(NOW - DAY_MS, NOW)[0]!;
    fake.setRateLimit(2);
    await fitbit.pull(get, unit);
    await fitbit.pull(get, unit);
    const before = Date.now();
    const error = await fitbit.pull(get, unit).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    // 10:45 on the fake's clock: 900 s to the top of the hour.
    expect((error as RateLimitedError).retryAt).toBeGreaterThanOrEqual(before + 900_000);
    expect((error as RateLimitedError).retryAt).toBeLessThanOrEqual(Date.now() + 900_000);
    const limited = fake.requests.at(-1)!;
    expect(limited.status).toBe(429);
    // The next hour has a fresh budget.
    clock = NOW + 15 * 60_000;
    await expect(fitbit.pull(get, unit)).resolves.toBeDefined();
  });

  it('sends the rate-limit headers and answers 401 for expired or unknown tokens', async () => {
    const body = await connect('AUTH01');
    const response = await fetch(
      `${fake.apiBaseUrl}/1/user/-/activities/list.json?afterDate=2024-01-01&sort=asc&limit=10&offset=0`,
      {
        headers: { authorization: `Bearer ${body.access_token}` },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('fitbit-rate-limit-limit')).toBe('150');
    expect(response.headers.get('fitbit-rate-limit-remaining')).toBe('149');
    expect(response.headers.get('fitbit-rate-limit-reset')).toBe('900');

    const unit = activityUnits(NOW - DAY_MS, NOW)[0]!;
    await expect(fitbit.pull(bearerGet(fake.apiBaseUrl, 'made-up'), unit)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    clock = NOW + 28_800_000;
    const expired = await fetch(
      `${fake.apiBaseUrl}/1/user/-/activities/list.json?afterDate=2024-01-01&sort=asc&limit=10&offset=0`,
      {
        headers: { authorization: `Bearer ${body.access_token}` },
      },
    );
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ errors: [{ errorType: 'expired_token' }], success: false });
    expect(fake.oauth.isAccessTokenValid(String(body.access_token))).toBe(false);
  });

  it('validates the list parameters like Fitbit', async () => {
    const body = await connect('VALID1');
    const list = async (query: string) =>
      (
        await fetch(`${fake.apiBaseUrl}/1/user/-/activities/list.json?${query}`, {
          headers: { authorization: `Bearer ${body.access_token}` },
        })
      ).status;
    expect(await list('sort=asc&limit=10&offset=0')).toBe(400);
    expect(await list('afterDate=2024-01-01&beforeDate=2024-02-01&sort=asc&limit=10&offset=0')).toBe(400);
    expect(await list('afterDate=2024-01-01&sort=desc&limit=10&offset=0')).toBe(400);
    expect(await list('afterDate=2024-01-01&sort=asc&limit=101&offset=0')).toBe(400);
    expect(await list('afterDate=2024-01-01&sort=asc&limit=10')).toBe(400);
    expect(await list('afterDate=01-01-2024&sort=asc&limit=10&offset=0')).toBe(400);
    expect(await list('beforeDate=2024-01-01&sort=desc&limit=10&offset=0')).toBe(200);
    expect(await list('afterDate=2024-01-01T10:00:00&sort=asc&limit=100&offset=0')).toBe(200);
  });
});

describe('activity generator', () => {
  it('is deterministic, sorted, in the past and mappable', () => {
    const end = Date.UTC(2024, 5, 1, 12);
    const a = generateActivities({ days: 30, end, seed: 3, offsetMinutes: 120 });
    expect(generateActivities({ days: 30, end, seed: 3, offsetMinutes: 120 })).toEqual(a);
    expect(a.length).toBeGreaterThan(15);
    const events = a.map((activity) => mapActivity(activity));
    for (const event of events) {
      expect(event).not.toBeNull();
      expect(event!.end).toBeLessThanOrEqual(end);
      expect(event!.zoneOffset).toBe('+02:00');
      expect(event!.type).not.toBe('other');
    }
    const starts = events.map((e) => e!.start);
    expect(starts).toEqual([...starts].sort((x, y) => x - y));
    expect(new Set(a.map((x) => x.activityName)).size).toBeGreaterThan(5);
  });
});
