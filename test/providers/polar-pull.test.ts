import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  bearerGet,
  ProviderRequestError,
  RateLimitedError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import { polarModule } from '#shared/providers/polar/index.js';
import { polarUnits, pullPolar, UNIT_DAYS, unitDates } from '#shared/providers/polar/pull.js';
import type { ConnectionContext, PullResult, TokenSet } from '#shared/providers/types.js';
import {
  DEFAULT_POLAR_USER,
  type FakePolar,
  generatePolarDays,
  polarExercise,
  startFakePolar,
} from '#test/fakes/polar.js';

const DAY = 86_400_000;
let polar: FakePolar;
let token: string;

beforeAll(async () => {
  polar = await startFakePolar();
});
afterAll(() => polar.stop());

beforeEach(() => {
  polar.registrations.clear();
  polar.requests.length = 0;
  token = polar.issueTokens(DEFAULT_POLAR_USER).access_token as string;
});

const client = () => bearerGet(polar.apiBaseUrl, token);

function tokenSet(): TokenSet {
  return {
    accessToken: token,
    refreshToken: null,
    expiresAt: Date.now() + 1e12,
    scope: null,
    extras: { x_user_id: DEFAULT_POLAR_USER },
  };
}

const connection = (): ConnectionContext => ({
  userId: 'our-user-1',
  providerUserId: String(DEFAULT_POLAR_USER),
  get: client(),
  tokens: tokenSet(),
  settings: () => undefined,
  webhookUrl: 'http://127.0.0.1/api/v1/providers/polar/webhooks',
});

describe('units', () => {
  it('cut a 90-day window into 28-day units aligned on its end; the last one reads the recent lists', () => {
    const end = Date.UTC(2024, 3, 10, 15, 30);
    const units = polarUnits(end - 90 * DAY, end);
    expect(units.map((u) => u.key)).toEqual([
      'days:2024-01-11',
      'days:2024-01-18',
      'days:2024-02-15',
      'recent:2024-03-14',
    ]);
    expect(unitDates(units.at(-1)!)).toEqual({ from: '2024-03-14', to: '2024-04-10' });
    expect(unitDates(units[1]!)).toEqual({ from: '2024-01-18', to: '2024-02-14' });
  });

  it('property: contiguous, disjoint dates, at most 28 dates each, exactly one recent unit, last', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2010, 0, 1), max: Date.UTC(2060, 0, 1) }),
        fc.integer({ min: 1, max: 400 * DAY }),
        (end, length) => {
          const units = polarUnits(end - length, end);
          expect(units[0]!.start).toBe(end - length);
          expect(units.at(-1)!.end).toBe(end);
          units.forEach((unit, i) => {
            const { from, to } = unitDates(unit);
            expect((Date.parse(to) - Date.parse(from)) / DAY).toBeLessThan(UNIT_DAYS);
            if (i > 0) {
              expect(unit.start).toBe(units[i - 1]!.end);
              expect(from > unitDates(units[i - 1]!).to).toBe(true);
            }
            expect(unit.key.startsWith('recent:')).toBe(i === units.length - 1);
          });
        },
      ),
    );
    expect(polarUnits(10, 10)).toEqual([]);
  });
});

describe('registration (connect and disconnect hooks)', () => {
  it('identity is the token response x_user_id', async () => {
    expect(await polarModule.identity(client(), tokenSet())).toEqual({
      providerUserId: '12345',
      providerUsername: null,
    });
  });

  it('registers with our user id as member-id; a second registration (409) is fine', async () => {
    await polarModule.connected!(connection());
    expect(polar.registrations.get('12345')).toBe('our-user-1');
    await expect(polarModule.connected!(connection())).resolves.toBeUndefined();
  });

  it('data is refused (403) until the user is registered', async () => {
    await expect(client()('/v3/users/physical-info')).rejects.toMatchObject({ status: 403 });
  });

  it('deregisters the x_user_id, which ends the token', async () => {
    await polarModule.connected!(connection());
    await polarModule.disconnecting!(connection());
    expect(polar.registrations.has('12345')).toBe(false);
    expect(polar.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/v3/users/12345', status: 204 });
    await expect(client()('/v3/users/physical-info')).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

const count = (result: PullResult, series: string) =>
  result.series.filter((s) => s.series === series).reduce((n, s) => n + s.samples.length, 0);

describe('pull', () => {
  beforeEach(async () => {
    await polarModule.connected!(connection());
    polar.seed(
      DEFAULT_POLAR_USER,
      generatePolarDays({ userId: '12345', days: 60, end: Date.now(), seed: 7 }),
    );
    polar.requests.length = 0;
  });

  it('a 60-day backfill reads every endpoint within its date limits and maps every day', async () => {
    const end = Date.now();
    const units = polarUnits(end - 60 * DAY, end);
    const results: PullResult[] = [];
    for (const unit of units) results.push(await pullPolar(client(), unit));
    const data = polar.data(DEFAULT_POLAR_USER);
    expect(polar.requests.every((r) => r.status === 200)).toBe(true);
    const all = (series: string) => results.reduce((n, r) => n + count(r, series), 0);
    // Every activity day of the window, as daily totals.
    expect(all('steps')).toBe(data.activities.length);
    // Nights, recharges and exercises: Polar's recent lists only (28 and 30 days).
    const sleeps = results.flatMap((r) => r.events.filter((e) => e.category === 'sleep'));
    expect(sleeps.length).toBeGreaterThanOrEqual(27);
    expect(sleeps.length).toBeLessThanOrEqual(28);
    const workouts = results.flatMap((r) => r.events.filter((e) => e.category === 'workout'));
    const recentUploads = data.exercises.filter(
      (e) => Date.parse(String(e.upload_time)) >= units.at(-1)!.start,
    );
    expect(workouts.map((w) => w.externalId).sort()).toEqual(recentUploads.map((e) => e.id).sort());
    expect(all('heart_rate_variability_rmssd')).toBeGreaterThan(0);
    expect(all('weight')).toBe(1);
    // The lists are read once, by the recent unit.
    const paths = polar.requests.map((r) => r.path);
    expect(paths.filter((p) => p === '/v3/exercises')).toHaveLength(1);
    expect(paths.filter((p) => p === '/v3/users/activities')).toHaveLength(3);
  });

  it('a live window keeps the exercises uploaded in it, whatever their start', async () => {
    const end = Date.now();
    const late = polarExercise({
      userId: '12345',
      id: 'lateUpload1',
      localStart: end - 3 * DAY,
      offsetMinutes: 0,
      durationSeconds: 1200,
    });
    polar
      .data(DEFAULT_POLAR_USER)
      .exercises.push({ ...late, upload_time: new Date(end - 600_000).toISOString() });
    const [unit, ...rest] = polarUnits(end - 2 * 3_600_000, end);
    expect(rest).toEqual([]);
    const result = await pullPolar(client(), unit!);
    expect(result.events.filter((e) => e.category === 'workout').map((e) => e.externalId)).toEqual([
      'lateUpload1',
    ]);
  });

  it('no data is an empty result: 204 and 404 are not errors', async () => {
    polar.seed(DEFAULT_POLAR_USER, {
      exercises: [],
      nights: [],
      recharges: [],
      activities: [],
      heartRates: [],
      physicalInfo: null,
    });
    const end = Date.now();
    const result = await pullPolar(client(), polarUnits(end - DAY, end)[0]!);
    expect(result).toEqual({ series: [], events: [], scores: [] });
    expect(polar.requests.find((r) => r.path === '/v3/users/physical-info')?.status).toBe(204);
  });
});

describe('errors', () => {
  it('429 is a rate limit until RateLimit-Reset', async () => {
    await polarModule.connected!(connection());
    polar.rateLimitNext(1);
    const before = Date.now();
    const error = await client()('/v3/exercises').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    const retryAt = (error as RateLimitedError).retryAt;
    expect(retryAt).toBeGreaterThan(before);
    expect(retryAt).toBeLessThanOrEqual(before + 15 * 60_000 + 1000);
  });

  it('a refused token is 401, a date range beyond 28 days a request error', async () => {
    await polarModule.connected!(connection());
    await expect(bearerGet(polar.apiBaseUrl, 'nope')('/v3/exercises')).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    const error = await client()('/v3/users/activities', { from: '2024-01-01', to: '2024-02-15' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect((error as ProviderRequestError).status).toBe(400);
  });

  it('reports its usage in RateLimit-* headers, limits growing with registered users', async () => {
    await polarModule.connected!(connection());
    const response = await fetch(`${polar.apiBaseUrl}/v3/exercises`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.headers.get('ratelimit-limit')).toBe('520, 5100');
    expect(response.headers.get('ratelimit-usage')).toMatch(/^\d+, \d+$/);
    expect(Number(response.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
  });
});
