import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALL_DATA_TYPES } from '#shared/providers/google-health/data-types.js';
import { googleHealthModule } from '#shared/providers/google-health/index.js';
import { UNIT_DAYS } from '#shared/providers/google-health/pull.js';
import {
  bearerGet,
  PermissionDeniedError,
  ProviderRequestError,
  RateLimitedError,
  TransientProviderError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import type { ProviderGet, PullResult, SyncUnit } from '#shared/providers/types.js';
import {
  exercisePoint,
  type FakeGoogleHealth,
  generateGoogleHealthData,
  startFakeGoogleHealth,
  DEFAULT_GOOGLE_HEALTH_USER as USER,
} from '#test/fakes/google-health.js';
import { timeOf } from '#test/fakes/google-health-api.js';

/**
 * The Google Health module pulling from the fake API over HTTP (no store): the units a backfill is cut into, every
 * data type of a unit read with its own operation and time filter, page after page, the exercise history read only
 * for the unit's window, and how failures of one type, of the rate limit and of the token are told apart.
 */
const DAY = 86_400_000;
const END = Date.UTC(2026, 0, 29, 12);
let fake: FakeGoogleHealth;
let get: ProviderGet;

const unitOf = (start: number, end: number): SyncUnit => ({ key: 'test', start, end });
const seriesOf = (result: PullResult, type: string) =>
  result.series.filter((s) => s.series === type).flatMap((s) => s.samples);

beforeAll(async () => {
  fake = await startFakeGoogleHealth();
});
afterAll(() => fake?.stop());

beforeEach(() => {
  fake.seed(USER, 30, { end: END, seed: 3 });
  fake.requests.length = 0;
  get = bearerGet(fake.apiBaseUrl, String(fake.issueTokens().access_token));
});

describe('google_health units', () => {
  it('cuts a 90-day window into contiguous 7-day UTC chunks keyed by their first date', () => {
    const start = END - 90 * DAY;
    const units = googleHealthModule.units(start, END);
    expect(units).toHaveLength(13);
    expect(units[0]).toMatchObject({
      key: `google_health:${new Date(start).toISOString().slice(0, 10)}`,
      start,
    });
    expect(units.at(-1)!.end).toBe(END);
    for (const [i, unit] of units.entries()) {
      expect(unit.end - unit.start).toBeLessThanOrEqual(UNIT_DAYS * DAY);
      if (i > 0) expect(unit.start).toBe(units[i - 1]!.end);
    }
    expect(new Set(units.map((u) => u.key)).size).toBe(units.length);
  });
});

describe('google_health pull of one unit', () => {
  it('reads every type with its operation: reconcile for metrics, rollUp for total calories, list for sessions', async () => {
    await googleHealthModule.pull(get, unitOf(END - 7 * DAY, END));
    const byType = new Map(fake.requests.map((r) => [r.dataType, r]));
    expect(byType.get('heart-rate')).toMatchObject({ method: 'GET', operation: 'reconcile', status: 200 });
    expect(byType.get('heart-rate')!.query.filter).toBe(
      `heart_rate.sample_time.physical_time >= "${new Date(END - 7 * DAY).toISOString()}" AND heart_rate.sample_time.physical_time < "${new Date(END).toISOString()}"`,
    );
    expect(byType.get('steps')!.query.filter).toMatch(
      /^steps\.interval\.start_time >= ".+" AND steps\.interval\.start_time < ".+"$/,
    );
    expect(byType.get('daily-resting-heart-rate')!.query.filter).toBe(
      'daily_resting_heart_rate.date >= "2026-01-22" AND daily_resting_heart_rate.date < "2026-01-30"',
    );
    expect(byType.get('total-calories')).toMatchObject({ method: 'POST', operation: 'rollUp', status: 200 });
    expect(byType.get('total-calories')!.body).toMatchObject({ windowSize: '3600s', pageSize: 7 * 24 });
    expect(byType.get('sleep')).toMatchObject({ operation: 'list', query: { pageSize: '25' } });
    expect(byType.get('sleep')!.query.filter).toMatch(/^sleep\.interval\.end_time >= /);
    expect(byType.get('exercise')!.query.filter).toMatch(
      /^exercise\.interval\.civil_start_time >= "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"/,
    );
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
    expect(fake.requests).toHaveLength(16);
  });

  it('returns exactly the unit: what is stored at the fake for the window, nothing from outside', async () => {
    const start = END - 10 * DAY;
    const end = END - 3 * DAY;
    const result = await googleHealthModule.pull(get, unitOf(start, end));
    const inWindow = (type: string) =>
      fake.points(USER, type).filter((p) => timeOf(type, p) >= start && timeOf(type, p) < end);
    const hr = inWindow('heart-rate');
    expect(seriesOf(result, 'heart_rate')).toHaveLength(hr.length);
    const steps = inWindow('steps');
    expect(seriesOf(result, 'steps').reduce((sum, s) => sum + s.value, 0)).toBe(
      steps.reduce((sum, p) => sum + Number((p.steps as { count: string }).count), 0),
    );
    const workouts = inWindow('exercise');
    expect(
      result.events
        .filter((e) => e.category === 'workout')
        .map((e) => e.externalId)
        .sort(),
    ).toEqual(workouts.map((p) => p.name).sort());
    const nights = inWindow('sleep');
    expect(result.events.filter((e) => e.category === 'sleep')).toHaveLength(nights.length);
    const hydration = inWindow('hydration-log');
    expect(seriesOf(result, 'hydration')).toHaveLength(hydration.length);
  });

  it('follows pageToken until the last page (a heart-rate stream larger than one page)', async () => {
    fake.seed(USER, generateGoogleHealthData({ days: 7, end: END, heartRateSampleSeconds: 30, seed: 1 }));
    const result = await googleHealthModule.pull(get, unitOf(END - 7 * DAY, END));
    const hrRequests = fake.requests.filter((r) => r.dataType === 'heart-rate');
    expect(hrRequests.length).toBe(3);
    expect(hrRequests[1]!.query.pageToken).toBeTruthy();
    expect(seriesOf(result, 'heart_rate')).toHaveLength(fake.points(USER, 'heart-rate').length);
  });

  it('reads exercise only for the unit (filtered at the API), never the whole history, across pages of 25', async () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      exercisePoint({ start: END - 6 * DAY + i * 2 * 3_600_000, minutes: 30, offsetSeconds: -18_000 }),
    );
    const old = Array.from({ length: 200 }, (_, i) =>
      exercisePoint({ start: END - 400 * DAY + i * DAY, minutes: 30 }),
    );
    await fake.addPoints(USER, 'exercise', [...many, ...old]);
    const result = await googleHealthModule.pull(get, unitOf(END - 7 * DAY, END));
    const exerciseRequests = fake.requests.filter((r) => r.dataType === 'exercise');
    const seeded = fake.points(USER, 'exercise').filter((p) => timeOf('exercise', p) >= END - 7 * DAY);
    expect(exerciseRequests).toHaveLength(Math.ceil(seeded.length / 25));
    expect(exerciseRequests.reduce((sum, r) => sum + r.returned, 0)).toBeLessThan(seeded.length + 25);
    expect(result.events.filter((e) => e.category === 'workout')).toHaveLength(seeded.length);
  });
});

describe('google_health failures', () => {
  const unit = () => unitOf(END - 7 * DAY, END);

  it('a type the API refuses (403) is left out; every other type is still returned', async () => {
    fake.failNext('sleep', 403);
    fake.failNext('heart-rate', 400);
    const result = await googleHealthModule.pull(get, unit());
    expect(result.events.some((e) => e.category === 'sleep')).toBe(false);
    expect(seriesOf(result, 'heart_rate')).toHaveLength(0);
    expect(result.events.some((e) => e.category === 'workout')).toBe(true);
    expect(seriesOf(result, 'steps').length).toBeGreaterThan(0);
  });

  it('every type refused with 403 (an account not linked) stops the run; other refusals skip the unit', async () => {
    expect(ALL_DATA_TYPES).toHaveLength(16);
    for (const type of ALL_DATA_TYPES) fake.failNext(type, 403);
    await expect(googleHealthModule.pull(get, unit())).rejects.toBeInstanceOf(PermissionDeniedError);
    for (const type of ALL_DATA_TYPES) fake.failNext(type, type === 'steps' ? 400 : 403);
    const refused = await googleHealthModule.pull(get, unit()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderRequestError);
    expect(refused).not.toBeInstanceOf(PermissionDeniedError);
  });

  it('a 5xx of one type fails the unit (retried as a whole), a 429 is a rate limit with Retry-After', async () => {
    fake.failNext('weight', 500);
    await expect(googleHealthModule.pull(get, unit())).rejects.toBeInstanceOf(TransientProviderError);
    fake.rateLimitNext(1, 30);
    const before = Date.now();
    const limited = await googleHealthModule.pull(get, unit()).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAt).toBeGreaterThanOrEqual(before + 29_000);
  });

  it('an expired token is a 401 (the worker refreshes and retries), not a skipped type', async () => {
    fake.oauth.expireAccessTokens();
    await expect(googleHealthModule.pull(get, unit())).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

describe('google_health identity', () => {
  it('is the healthUserId of /v4/users/me/identity, without a username', async () => {
    expect(await googleHealthModule.identity(get, {} as never)).toEqual({
      providerUserId: USER,
      providerUsername: null,
    });
  });
});
