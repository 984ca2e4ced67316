import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TokenEndpointError } from '#shared/oauth/errors.js';
import { refreshTokenSet } from '#shared/oauth/token-endpoint.js';
import {
  bearerGet,
  ProviderRequestError,
  RateLimitedError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import type { ProviderConfig } from '#shared/providers/registry.js';
import type { ConnectionContext, ProviderGet, PullResult } from '#shared/providers/types.js';
import { whoopIdentity } from '#shared/providers/whoop/api.js';
import { whoopModule } from '#shared/providers/whoop/index.js';
import { whoopInfo } from '#shared/providers/whoop/info.js';
import { DEFAULT_WHOOP_USER, type FakeWhoop, generateWhoopDays, startFakeWhoop } from '#test/fakes/whoop.js';

/**
 * The WHOOP pull against the fake server speaking WHOOP's formats: units, paging (25 a page, `nextToken`), what a
 * 90-day backfill maps to and costs, error classification, disconnect, and the OAuth refresh with rotation.
 */
const DAY = 86_400_000;
const END = Date.now();
const DAYS = generateWhoopDays({ days: 90, end: END, seed: 7 });
let fake: FakeWhoop;
let get: ProviderGet;

beforeAll(async () => {
  fake = await startFakeWhoop();
  fake.seed(DEFAULT_WHOOP_USER, DAYS);
});

afterAll(() => fake?.stop());

beforeEach(() => {
  fake.resetRateLimits();
  get = bearerGet(fake.apiBaseUrl, fake.issueTokens().access_token as string);
});

const scored = <T extends { score_state: string }>(list: T[]) =>
  list.filter((r) => r.score_state === 'SCORED');

async function pullAll(start: number, end: number): Promise<PullResult> {
  const all: PullResult = { series: [], events: [], scores: [] };
  for (const unit of whoopModule.units(start, end)) {
    const result = await whoopModule.pull(get, unit);
    all.series.push(...result.series);
    all.events.push(...result.events);
    all.scores.push(...result.scores);
  }
  return all;
}

const distinct = <T>(items: T[], key: (item: T) => string) => new Map(items.map((i) => [key(i), i]));

describe('whoop module', () => {
  it('declares external event identity, a bucket under WHOOP’s 100 a minute, webhooks and a disconnect hook', () => {
    expect(whoopModule.name).toBe('whoop');
    expect(whoopModule.eventIdentity).toBe('external');
    expect(whoopModule.budget).toMatchObject({ kind: 'bucket' });
    const budget = whoopModule.budget as { perMinute: number };
    expect(budget.perMinute).toBeGreaterThan(0);
    expect(budget.perMinute).toBeLessThanOrEqual(100);
    expect(whoopModule.disconnecting).toBeTypeOf('function');
    expect(whoopInfo.oauth).toMatchObject({ clientAuth: 'body', pkce: false });
    expect(whoopInfo.oauth!.defaultScope.split(' ')).toContain('offline');
  });

  it('units: 30-day chunks covering the window, then one body-measurement unit', () => {
    const start = Date.UTC(2024, 0, 1);
    const units = whoopModule.units(start, start + 90 * DAY);
    expect(units.map((u) => u.key)).toEqual([
      'whoop:2024-01-01',
      'whoop:2024-01-31',
      'whoop:2024-03-01',
      'body:2024-03-31',
    ]);
    expect(units[0]!.start).toBe(start);
    expect(units[2]!.end).toBe(start + 90 * DAY);
    expect(whoopModule.units(start, start)).toEqual([]);
  });

  it('identity: the profile’s integer user_id as text, the email as name', async () => {
    expect(await whoopIdentity(get)).toEqual({
      providerUserId: String(DEFAULT_WHOOP_USER),
      providerUsername: `member${DEFAULT_WHOOP_USER}@example.com`,
    });
  });
});

describe('whoop 90-day pull', () => {
  let result: PullResult;
  let requests: typeof fake.requests;

  beforeAll(async () => {
    const before = fake.requests.length;
    // A day more than the generated 90: the first night may begin before them, depending on the time of day.
    result = await pullAll(END - 91 * DAY, END);
    requests = fake.requests.slice(before);
  });

  it('reads every collection 25 at a time, following nextToken, in about 25 requests', () => {
    const collections = requests.filter((r) => r.path !== '/developer/v2/user/measurement/body');
    expect(collections.every((r) => r.query.limit === '25' && r.status === 200)).toBe(true);
    expect(collections.some((r) => r.query.nextToken)).toBe(true);
    for (const path of ['/developer/v2/cycle', '/developer/v2/recovery', '/developer/v2/activity/sleep']) {
      expect(requests.filter((r) => r.path === path).length).toBeGreaterThanOrEqual(4);
    }
    expect(requests.length).toBeLessThanOrEqual(30);
  });

  it('saves every sleep, every scored workout, and the scores of what WHOOP scored', () => {
    const events = distinct(result.events, (e) => `${e.category}|${e.externalId}`);
    const sleeps = [...events.values()].filter((e) => e.category === 'sleep');
    const workouts = [...events.values()].filter((e) => e.category === 'workout');
    expect(sleeps.map((s) => s.externalId).sort()).toEqual(DAYS.sleeps.map((s) => s.id).sort());
    expect(workouts.map((w) => w.externalId).sort()).toEqual(
      scored(DAYS.workouts)
        .map((w) => w.id)
        .sort(),
    );
    expect(DAYS.workouts.length).toBeGreaterThan(workouts.length); // some were unscored

    const scores = distinct(result.scores, (s) => `${s.category}|${s.recordedAt}`);
    const count = (category: string) => [...scores.values()].filter((s) => s.category === category).length;
    expect(count('recovery')).toBe(scored(DAYS.recoveries).length);
    expect(count('strain')).toBe(scored(DAYS.cycles).length + workouts.length);
    expect(count('sleep')).toBe(scored(DAYS.sleeps).length);
  });

  it('recovery readings land in their series with the cycle’s zone offset', () => {
    const recovery = scored(DAYS.recoveries).at(-1)!;
    const at = Date.parse(recovery.created_at);
    const sample = (series: string) =>
      result.series
        .filter((s) => s.series === series)
        .flatMap((s) => s.samples)
        .find((s) => s.timestamp === at);
    expect(sample('heart_rate_variability_rmssd')).toMatchObject({
      value: expect.closeTo(recovery.score!.hrv_rmssd_milli, 3),
      zoneOffset: '-05:00',
    });
    expect(sample('resting_heart_rate')?.value).toBe(recovery.score!.resting_heart_rate);
    expect(sample('oxygen_saturation')?.value).toBeCloseTo(recovery.score!.spo2_percentage, 3);
    expect(sample('skin_temperature')?.value).toBeCloseTo(recovery.score!.skin_temp_celsius, 3);
  });

  it('the body measurement once, at the UTC day of the window end: height in cm, weight in kg', () => {
    expect(requests.filter((r) => r.path === '/developer/v2/user/measurement/body')).toHaveLength(1);
    const day = Math.floor(END / DAY) * DAY;
    expect(result.series.find((s) => s.series === 'height')?.samples).toEqual([
      { timestamp: day, value: 183, zoneOffset: null, isDailyTotal: null },
    ]);
    expect(result.series.find((s) => s.series === 'weight')?.samples[0]?.value).toBe(82.1);
  });

  it('a window ending in the past reads no body measurement', async () => {
    const before = fake.requests.length;
    const unit = whoopModule.units(END - 40 * DAY, END - 30 * DAY).at(-1)!;
    expect(await whoopModule.pull(get, unit)).toEqual({ series: [], events: [], scores: [] });
    expect(fake.requests.length).toBe(before);
  });
});

describe('whoop errors', () => {
  const unit = () => whoopModule.units(END - 5 * DAY, END)[0]!;

  it('429 is a rate limit until WHOOP’s X-RateLimit-Reset', async () => {
    fake.rateLimitNext(1);
    const error = await whoopModule.pull(get, unit()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    const retryAt = (error as RateLimitedError).retryAt;
    expect(retryAt).toBeGreaterThan(Date.now() - 1000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 61_000);
    const refused = fake.requests.find((r) => r.status === 429);
    expect(refused).toBeDefined();
  });

  it('the fake enforces 100 a minute with WHOOP’s headers', async () => {
    fake.setRateLimits({ minute: 2 });
    try {
      const response = async () =>
        fetch(`${fake.apiBaseUrl}/v2/user/profile/basic`, {
          headers: { authorization: `Bearer ${fake.issueTokens().access_token}` },
        });
      const first = await response();
      expect(first.headers.get('x-ratelimit-limit')).toMatch(/^\d+, 2;window=60, 10000;window=86400$/);
      expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
      await response();
      const third = await response();
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('x-ratelimit-reset'))).toBeLessThanOrEqual(60);
    } finally {
      fake.setRateLimits({ minute: 100 });
    }
  });

  it('an expired access token is a 401: UnauthorizedError (the worker refreshes once and retries)', async () => {
    fake.oauth.expireAccessTokens();
    await expect(whoopModule.pull(get, unit())).rejects.toThrow(UnauthorizedError);
  });

  it('a page above 25 is refused with 400; an unknown id is 404: both permanent request errors', async () => {
    await expect(get('/v2/activity/workout', { limit: 26 })).rejects.toMatchObject({ status: 400 });
    await expect(get('/v2/activity/sleep/00000000-0000-4000-a000-000000000000')).rejects.toBeInstanceOf(
      ProviderRequestError,
    );
  });

  it('a collection page is newest first and within the window', async () => {
    const from = END - 10 * DAY;
    const body = (await get('/v2/activity/sleep', {
      start: new Date(from).toISOString(),
      end: new Date(END).toISOString(),
      limit: 25,
    })) as { records: Array<{ start: string; end: string }>; next_token: string | null };
    const starts = body.records.map((r) => Date.parse(r.start));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    expect(body.records.every((r) => Date.parse(r.end) >= from)).toBe(true);
  });
});

describe('whoop disconnect and OAuth', () => {
  const config = (): ProviderConfig => ({
    provider: 'whoop',
    info: whoopInfo,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    scope: whoopInfo.oauth!.defaultScope,
    authorizeUrl: fake.authorizeUrl,
    tokenUrl: fake.tokenUrl,
    apiBaseUrl: fake.apiBaseUrl,
    configured: true,
  });

  it('disconnecting revokes the app’s access at WHOOP (DELETE /v2/user/access)', async () => {
    const tokens = fake.issueTokens();
    const userGet = bearerGet(fake.apiBaseUrl, tokens.access_token as string);
    await whoopModule.disconnecting!({ get: userGet } as unknown as ConnectionContext);
    expect(fake.accessRevocations).toContain(DEFAULT_WHOOP_USER);
    await expect(userGet('/v2/user/profile/basic')).rejects.toThrow(UnauthorizedError);
    await expect(refreshTokenSet(config(), tokens.refresh_token as string)).rejects.toMatchObject({
      invalidGrant: true,
    });
  });

  it('refresh rotates: the new refresh token works, the old one is invalid_grant', async () => {
    const first = fake.issueTokens();
    const refreshed = await refreshTokenSet(config(), first.refresh_token as string);
    expect(refreshed.refreshToken).not.toBe(first.refresh_token);
    const again = await refreshTokenSet(config(), first.refresh_token as string).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(TokenEndpointError);
    expect((again as TokenEndpointError).invalidGrant).toBe(true);
    const next = await refreshTokenSet(config(), refreshed.refreshToken!);
    expect(next.accessToken).toBeTruthy();
  });

  it('no refresh token without the offline scope', () => {
    expect(fake.issueTokens(DEFAULT_WHOOP_USER, 'read:sleep read:recovery').refresh_token).toBeUndefined();
    expect(fake.issueTokens(DEFAULT_WHOOP_USER, 'offline read:sleep').refresh_token).toBeTruthy();
  });
});
