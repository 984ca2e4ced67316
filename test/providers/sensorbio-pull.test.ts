import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  bearerGet,
  ProviderRequestError,
  RateLimitedError,
  TransientProviderError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import { MAX_PAGES, PAGE_LIMIT, recordsWithin } from '#shared/providers/sensorbio/cursor.js';
import { identityFrom, sensorbioModule } from '#shared/providers/sensorbio/index.js';
import { dayUnits as dailyUnits } from '#shared/providers/time.js';
import type { ProviderGet, SyncUnit, TokenSet } from '#shared/providers/types.js';
import { followConsent } from '#test/fakes/oauth-fake.js';
import {
  emptyDataset,
  type FakeSensorbio,
  type SensorbioDataset,
  startFakeSensorbio,
} from '#test/fakes/sensorbio.js';

const DAY = 86_400_000;
const DAY_START = Date.UTC(2024, 0, 15);
const unit: SyncUnit = { key: '2024-01-15', start: DAY_START, end: DAY_START + DAY };
const tokens = (accessToken: string): TokenSet => ({
  accessToken,
  refreshToken: null,
  expiresAt: Date.now() + 3_600_000,
  scope: null,
  extras: {},
});

let fake: FakeSensorbio;
let dataset: SensorbioDataset;

beforeAll(async () => {
  fake = await startFakeSensorbio({ names: { 'sb-7': 'Ada' } });
  // Ten days ending the unit's day, and five later days the walk must not read.
  dataset = fake.seed('sb-7', { days: 15, end: DAY_START + 6 * DAY - 1, seed: 3 });
});

afterAll(() => fake.stop());

beforeEach(() => {
  fake.rateLimitNext(0);
  fake.requests.length = 0;
});

const getAs = (userId: string) =>
  bearerGet(fake.apiBaseUrl, fake.oauth.issueTokens(userId).access_token as string);
const dataRequests = (path: string) => fake.requests.filter((r) => r.path === path);
const inUnit = (t: unknown) => Number(t) >= unit.start && Number(t) < unit.end;

describe('connect: OAuth and identity', () => {
  it('authorize -> consent -> code; token with body client auth; refresh rotates; revoked grant is invalid_grant', async () => {
    const redirectUri = 'http://127.0.0.1:9/api/v1/oauth/sensorbio/callback';
    const authorize = new URL(fake.authorizeUrl);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: fake.clientId,
      redirect_uri: redirectUri,
      state: 'st-1',
    }).toString();
    const consent = await followConsent(authorize.toString());
    expect(consent.state).toBe('st-1');
    const post = (form: Record<string, string>) =>
      fetch(fake.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
    const client = { client_id: fake.clientId, client_secret: fake.clientSecret };
    const exchanged = await post({
      grant_type: 'authorization_code',
      code: consent.code!,
      redirect_uri: redirectUri,
      ...client,
    });
    expect(exchanged.status).toBe(200);
    const first = (await exchanged.json()) as Record<string, string>;
    expect(first).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });

    const refreshed = (await (
      await post({ grant_type: 'refresh_token', refresh_token: first.refresh_token!, ...client })
    ).json()) as Record<string, string>;
    expect(refreshed.refresh_token).not.toBe(first.refresh_token);
    const reused = await post({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token!,
      ...client,
    });
    expect(reused.status).toBe(400);

    fake.oauth.revokeUser('sb-user-1');
    const revoked = await post({
      grant_type: 'refresh_token',
      refresh_token: refreshed.refresh_token!,
      ...client,
    });
    expect(revoked.status).toBe(400);
    expect(await revoked.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('identity is /v1/user data.id and data.name', async () => {
    const get = getAs('sb-7');
    await expect(sensorbioModule.identity(get, tokens('x'))).resolves.toEqual({
      providerUserId: 'sb-7',
      providerUsername: 'Ada',
    });
    expect(identityFrom({ id: 41, name: 'Top' })).toEqual({ providerUserId: '41', providerUsername: 'Top' });
    expect(identityFrom('nope')).toEqual({ providerUserId: null, providerUsername: null });
  });
});

describe('units', () => {
  it('a 90-day window is 91 whole UTC days, contiguous, keyed by date', () => {
    const end = Date.UTC(2024, 3, 10, 13, 30);
    const units = dailyUnits(end - 90 * DAY, end);
    expect(units).toHaveLength(91);
    expect(units[0]).toEqual({ key: '2024-01-11', start: Date.UTC(2024, 0, 11), end: Date.UTC(2024, 0, 12) });
    expect(units.at(-1)?.key).toBe('2024-04-10');
    for (let i = 1; i < units.length; i++) expect(units[i]!.start).toBe(units[i - 1]!.end);
    expect(dailyUnits(end, end)).toEqual([]);
    expect(dailyUnits(Number.NaN, end)).toEqual([]);
  });
});

describe('pull of one day', () => {
  it('maps the day from all five collections, with values in the model units', async () => {
    const result = await sensorbioModule.pull(getAs('sb-7'), unit);
    const byType = Object.fromEntries(result.series.map((s) => [s.series, s.samples]));

    const biometrics = dataset.biometrics.filter((r) => inUnit(r.timestamp));
    expect(byType.heart_rate?.map((s) => [s.timestamp, s.value])).toEqual(
      biometrics.map((r) => [r.timestamp, r.bpm]),
    );
    const metrics = dataset.steps[unit.key]!.metrics as Array<{ name: string; value: number }>;
    const km = metrics.find((m) => m.name === 'Distance')!.value;
    expect(byType.distance_walking_running).toEqual([
      {
        timestamp: DAY_START,
        value: Math.round(km * 1000 * 1000) / 1000,
        zoneOffset: null,
        isDailyTotal: true,
      },
    ]);
    expect(byType.steps?.[0]?.value).toBe(metrics.find((m) => m.name === 'Steps')!.value);

    const night = dataset.sleep[unit.key]![0]!;
    const sleep = result.events.find((e) => e.category === 'sleep');
    expect(sleep).toMatchObject({ externalId: night.id, start: Number(night.start_timestamp) * 1000 });
    const workouts = dataset.activities.filter((r) => inUnit(r.timestamp));
    expect(result.events.filter((e) => e.category === 'workout')).toHaveLength(workouts.length);

    const scores = dataset.scores[unit.key] as { recovery: { value: number; stage: string } };
    expect(result.scores.find((s) => s.category === 'recovery')).toMatchObject({
      value: scores.recovery.value,
      qualifier: scores.recovery.stage,
      recordedAt: DAY_START,
    });
  });

  it('walks each cursor from just before the day and stops at its end: never from 0, never the later days', async () => {
    await sensorbioModule.pull(getAs('sb-7'), unit);
    for (const path of ['/v1/activities', '/v1/biometrics']) {
      const cursors = dataRequests(path).map((r) => Number(r.query['last-timestamp']));
      expect(cursors[0]).toBe(DAY_START - 1);
      for (const cursor of cursors) expect(cursor).toBeGreaterThanOrEqual(DAY_START - 1);
      for (const cursor of cursors) expect(cursor).toBeLessThan(unit.end);
    }
    // 96 biometrics a day at 50 a page: two pages; the day's workout (if any) fits one.
    expect(dataRequests('/v1/biometrics')).toHaveLength(2);
    expect(dataRequests('/v1/activities')).toHaveLength(1);
    expect(fake.counts()).toMatchObject({ '/v1/sleep': 1, '/v1/scores': 1, '/v1/step/details': 1 });
  });

  it('the same pull twice gives the same result (idempotent saving relies on it)', async () => {
    const get = getAs('sb-7');
    expect(await sensorbioModule.pull(get, unit)).toEqual(await sensorbioModule.pull(get, unit));
  });

  it('a day of one-minute biometrics pages through all of them, once each', async () => {
    fake.seed('sb-dense', { days: 1, end: DAY_START + DAY - 1, biometricsEveryMinutes: 1 });
    const result = await sensorbioModule.pull(getAs('sb-dense'), unit);
    const hr = result.series.find((s) => s.series === 'heart_rate')!.samples;
    expect(hr).toHaveLength(1440);
    expect(new Set(hr.map((s) => s.timestamp)).size).toBe(1440);
    expect(dataRequests('/v1/biometrics')).toHaveLength(Math.ceil(1440 / PAGE_LIMIT));
  });

  it('a user without data gives an empty day', async () => {
    fake.setData('sb-empty', emptyDataset());
    await expect(sensorbioModule.pull(getAs('sb-empty'), unit)).resolves.toEqual({
      series: [],
      events: [],
      scores: [],
    });
  });
});

describe('errors are classified', () => {
  it('429 is a rate limit until Retry-After', async () => {
    fake.rateLimitNext(1, 30);
    const before = Date.now();
    const error = await sensorbioModule.pull(getAs('sb-7'), unit).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAt).toBeGreaterThanOrEqual(before + 30_000);
  });

  it('an expired token is a 401: UnauthorizedError (the worker refreshes and retries)', async () => {
    const get = getAs('sb-7');
    fake.oauth.expireAccessTokens();
    await expect(sensorbioModule.pull(get, unit)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('a 404 on a per-date collection is a day without that data; other 4xx fail the unit; 5xx are transient', async () => {
    fake.failNext('/v1/sleep', 404);
    const result = await sensorbioModule.pull(getAs('sb-7'), unit);
    expect(result.events.some((e) => e.category === 'sleep')).toBe(false);
    expect(result.scores.length).toBeGreaterThan(0);

    fake.failNext('/v1/scores', 400);
    await expect(sensorbioModule.pull(getAs('sb-7'), unit)).rejects.toBeInstanceOf(ProviderRequestError);
    fake.failNext('/v1/biometrics', 503);
    await expect(sensorbioModule.pull(getAs('sb-7'), unit)).rejects.toBeInstanceOf(TransientProviderError);
  });
});

/**
 * An in-memory cursor collection: `last-timestamp` exclusive (or, to be safe, inclusive), pages of `pageSize`
 * (the API may cap `limit` below what is asked), `links.next` while records remain.
 */
function cursorApi(timestamps: number[], pageSize: number, inclusive: boolean): ProviderGet {
  const sorted = [...timestamps].sort((a, b) => a - b);
  return async (_path, query = {}) => {
    const cursor = Number(query['last-timestamp']);
    const after = sorted.filter((t) => (inclusive ? t >= cursor : t > cursor));
    const page = after.slice(0, Math.min(pageSize, Number(query.limit)));
    return {
      data: page.map((timestamp) => ({ timestamp })),
      links: { next: after.length > page.length ? 'more' : null },
    };
  };
}

describe('the bounded cursor walk (property)', () => {
  it('returns exactly the records of [start, end), whatever the page size and cursor semantics', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 10_000 }), { maxLength: 300 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 3_000 }),
        fc.integer({ min: 2, max: 60 }),
        fc.boolean(),
        async (timestamps, start, length, pageSize, inclusive) => {
          // Distinct epoch ms: with an inclusive cursor a page of equal stamps could never advance.
          const distinct = [...new Set(timestamps)].map((t) => DAY_START + t);
          const window = { key: 'w', start: DAY_START + start, end: DAY_START + start + length };
          const got = await recordsWithin(cursorApi(distinct, pageSize, inclusive), '/v1/x', window);
          const unique = [...new Set(got.map((r) => Number(r.timestamp)))].sort((a, b) => a - b);
          const expected = distinct.filter((t) => t >= window.start && t < window.end).sort((a, b) => a - b);
          expect(unique).toEqual(expected);
        },
      ),
    );
  });

  it('a provider that keeps answering pages fails the unit instead of looping', async () => {
    let t = DAY_START;
    const endless: ProviderGet = async () => ({ data: [{ timestamp: ++t }], links: { next: 'more' } });
    await expect(recordsWithin(endless, '/v1/biometrics', unit)).rejects.toThrow(`after ${MAX_PAGES}`);
  });
});
