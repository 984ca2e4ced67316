import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { encryptTokens } from '#shared/crypto/token-vault.js';
import { createApiKey } from '#shared/identity/api-keys.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { createUser } from '#shared/identity/users.js';
import type { ProviderName } from '#shared/model/provider.js';
import type { TokenSet } from '#shared/providers/types.js';
import { getConnection, setConnectionStatus, upsertConnection } from '#shared/store/connections.js';
import { getDeveloperByEmail } from '#shared/store/developers.js';
import { runAsFunction } from '#shared/store/write-scopes.js';
import { type FakeGarmin, startFakeGarmin } from '#test/fakes/garmin.js';
import { garminActivity } from '#test/fakes/garmin-activities.js';
import { DEFAULT_GARMIN_USER } from '#test/fakes/garmin-data.js';
import {
  DEFAULT_GOOGLE_HEALTH_USER,
  type FakeGoogleHealth,
  startFakeGoogleHealth,
} from '#test/fakes/google-health.js';
import { type FakeOura, startFakeOura } from '#test/fakes/oura.js';
import { DEFAULT_POLAR_USER, type FakePolar, startFakePolar } from '#test/fakes/polar.js';
import { polarExercise } from '#test/fakes/polar-data.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { type FakeStrava, startFakeStrava } from '#test/fakes/strava.js';
import { DEFAULT_STRAVA_ATHLETE, stravaActivity } from '#test/fakes/strava-data.js';
import { type FakeSuunto, startFakeSuunto } from '#test/fakes/suunto.js';
import { DEFAULT_SUUNTO_USER, suuntoWorkout } from '#test/fakes/suunto-data.js';
import { startFakeWhoop } from '#test/fakes/whoop.js';
import { DEFAULT_WHOOP_USER, whoopWorkout } from '#test/fakes/whoop-data.js';
import { DEFAULT_WITHINGS_USER, type FakeWithings, startFakeWithings } from '#test/fakes/withings.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { handler } from '../../functions/sync.js';

/**
 * The vendor passthrough (contract 4.6, reference test_vendor_workouts.py) against the provider fakes: the provider's
 * own JSON fetched live with the user's token (refreshed as the sync worker does), the contract's query mapped to each
 * provider's parameters, and the errors: 400 invalid provider, 401 no connection, 501 no workout API, provider
 * failures as clear statuses.
 */

const DAY = 86_400_000;
let apiKey: string;
let garmin: FakeGarmin;
let polar: FakePolar;
let suunto: FakeSuunto;
let strava: FakeStrava;
let oura: FakeOura;
let whoop: Awaited<ReturnType<typeof startFakeWhoop>>;
let withings: FakeWithings;
let google: FakeGoogleHealth;

beforeAll(async () => {
  [garmin, polar, suunto, strava, oura, whoop, withings, google] = await Promise.all([
    startFakeGarmin(),
    startFakePolar(),
    startFakeSuunto(),
    startFakeStrava(),
    startFakeOura(),
    startFakeWhoop(),
    startFakeWithings(),
    startFakeGoogleHealth(),
  ]);
  Object.assign(process.env, {
    ...fakeProviderEnv('GARMIN', garmin),
    ...fakeProviderEnv('POLAR', polar),
    ...fakeProviderEnv('STRAVA', strava),
    ...fakeProviderEnv('OURA', oura),
    ...fakeProviderEnv('WHOOP', whoop),
    ...fakeProviderEnv('WITHINGS', withings),
    ...fakeProviderEnv('GOOGLE_HEALTH', google),
    ...suunto.env(),
  });
  resetEnvCache();
  await ensureAdminDeveloper();
  const admin = await getDeveloperByEmail(process.env.ADMIN_EMAIL!);
  apiKey = (await createApiKey('vendor', admin!.id)).key;
});

afterAll(async () => {
  await Promise.all(
    [garmin, polar, suunto, strava, oura, whoop, withings, google].map((fake) => fake?.stop()),
  );
});

async function call(path: string, query: Record<string, string> = {}, key = apiKey) {
  // Held to the sync area's write scope, as the sandbox and IAM hold it.
  const result = (await runAsFunction('sync', () =>
    handler(
      httpEvent('GET', path, { headers: { 'x-open-wearables-api-key': key }, query }),
      lambdaContext('sync'),
    ),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, body: result.body ? JSON.parse(result.body) : undefined };
}

/** A user connected to `provider` with tokens the fake issued for `account` (expiring in `expiresInMs`). */
async function connect(
  provider: ProviderName,
  issued: Record<string, unknown>,
  expiresInMs = 3_600_000,
): Promise<string> {
  const user = await createUser({});
  const tokens: TokenSet = {
    accessToken: issued.access_token as string,
    refreshToken: (issued.refresh_token as string | undefined) ?? null,
    expiresAt: Date.now() + expiresInMs,
    scope: null,
    extras: {},
  };
  await upsertConnection(user.id, provider, {
    provider_user_id: null,
    provider_username: null,
    scope: null,
    tokens: await encryptTokens(tokens, { userId: user.id, provider }),
    token_expires_at: tokens.expiresAt,
  });
  return user.id;
}

const workoutsPath = (provider: string, userId: string, id?: string) =>
  `/api/v1/providers/${provider}/users/${userId}/workouts${id === undefined ? '' : `/${id}`}`;

describe('GET /providers/{provider}/users/{user_id}/workouts', () => {
  it('Polar: its exercises as Polar answers them, samples/zones passed through; one by id; 404 for an unknown id', async () => {
    const polarUser = String(DEFAULT_POLAR_USER);
    polar.registrations.set(polarUser, 'member');
    const exercise = polarExercise({
      userId: polarUser,
      id: 'AbC123xYz',
      localStart: Date.now() - 2 * DAY,
      offsetMinutes: 60,
      durationSeconds: 1800,
    });
    polar.seed(DEFAULT_POLAR_USER, { ...polar.data(DEFAULT_POLAR_USER), exercises: [exercise] });
    const userId = await connect('polar', polar.issueTokens(DEFAULT_POLAR_USER));

    const plain = await call(workoutsPath('polar', userId));
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual([expect.objectContaining({ id: 'AbC123xYz', sport: exercise.sport })]);
    expect(plain.body[0]).not.toHaveProperty('samples');
    expect(polar.requests.at(-1)).toMatchObject({
      path: '/v3/exercises',
      query: { samples: 'false', zones: 'false', route: 'false' },
    });

    const withSamples = await call(workoutsPath('polar', userId), { samples: 'true', zones: 'true' });
    expect(withSamples.body[0].samples).toEqual(exercise.samples);

    const one = await call(workoutsPath('polar', userId, 'AbC123xYz'), { samples: 'true' });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: 'AbC123xYz', samples: exercise.samples });

    const missing = await call(workoutsPath('polar', userId, 'nope'));
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toMatch(/^Polar API error: /);
  });

  it('Suunto: since/limit/offset/filter_by_modification_time mapped to its own names, since in ms; detail by key', async () => {
    const now = Date.now();
    const workouts = [3, 2, 1].map((days) => suuntoWorkout({ start: now - days * DAY, sampleSeconds: 0 }));
    suunto.seed(DEFAULT_SUUNTO_USER, { workouts, sleep: [], activity: [], recovery: [] });
    const userId = await connect('suunto', suunto.issueTokens(DEFAULT_SUUNTO_USER));

    const page = await call(workoutsPath('suunto', userId), {
      since: String(Math.floor((now - 2.5 * DAY) / 1000)),
      limit: '1',
      offset: '1',
      filter_by_modification_time: 'false',
    });
    expect(page.status).toBe(200);
    expect(suunto.requests.at(-1)).toMatchObject({
      path: '/v3/workouts/',
      query: {
        since: String(Math.floor((now - 2.5 * DAY) / 1000) * 1000),
        limit: '1',
        offset: '1',
        'filter-by-modification-time': 'false',
      },
    });
    // Suunto's envelope, untouched: the second of the two workouts since then.
    const keyOf = (days: number) => workouts[3 - days]!.workout.workoutKey;
    expect(page.body.payload).toEqual([expect.objectContaining({ workoutKey: keyOf(1) })]);

    const one = await call(workoutsPath('suunto', userId, String(keyOf(2))));
    expect(one.status).toBe(200);
    expect(one.body.payload).toMatchObject({ workoutKey: keyOf(2) });
  });

  it('Strava: the window as after/before, limit and offset as per_page and page; an activity by id', async () => {
    const now = Date.now();
    const activities = [1, 2, 3, 4].map((i) =>
      stravaActivity({ id: 9000 + i, athleteId: DEFAULT_STRAVA_ATHLETE, start: now - i * DAY }),
    );
    strava.setActivities(DEFAULT_STRAVA_ATHLETE, activities);
    const userId = await connect('strava', strava.issueTokens(DEFAULT_STRAVA_ATHLETE, 'activity:read_all'));

    const start = new Date(now - 3.5 * DAY).toISOString();
    const page = await call(workoutsPath('strava', userId), {
      summary_start_time: start,
      limit: '2',
      offset: '2',
    });
    expect(page.status).toBe(200);
    expect(strava.requests.at(-1)).toMatchObject({
      path: '/api/v3/athlete/activities',
      query: { after: String(Math.floor(Date.parse(start) / 1000)), per_page: '2', page: '2' },
    });
    expect(page.body).toHaveLength(1);

    const one = await call(workoutsPath('strava', userId, '9002'));
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: 9002 });
    expect((await call(workoutsPath('strava', userId, '12345'))).status).toBe(404);
  });

  it('Garmin: the uploads of summary_start_time..summary_end_time, one request per 24 hours; no read by id (501)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const items = [40, 30, 2].map((hours) =>
      garminActivity({ userId: DEFAULT_GARMIN_USER, start: now - hours * 3600, seed: hours }),
    );
    garmin.setSummaries(DEFAULT_GARMIN_USER, 'activities', items);
    const userId = await connect('garmin', garmin.issueTokens(DEFAULT_GARMIN_USER));
    garmin.requests.length = 0;

    const recent = await call(workoutsPath('garmin', userId));
    expect(recent.status).toBe(200);
    expect(recent.body).toEqual([expect.objectContaining({ summaryId: items[2]!.summaryId })]);

    const two = await call(workoutsPath('garmin', userId), {
      summary_start_time: String(now - 48 * 3600),
      summary_end_time: String(now),
    });
    expect(two.body.map((a: { summaryId: string }) => a.summaryId)).toEqual(items.map((a) => a.summaryId));
    const windows = garmin.requests
      .filter((r) => r.path === '/wellness-api/rest/activities')
      .slice(1)
      .map((r) => Number(r.query.uploadEndTimeInSeconds) - Number(r.query.uploadStartTimeInSeconds));
    expect(windows).toEqual([86_400, 86_400]);

    const tooLong = await call(workoutsPath('garmin', userId), {
      summary_start_time: String(now - 40 * 86_400),
    });
    expect(tooLong.status).toBe(400);
    const one = await call(workoutsPath('garmin', userId, '123'));
    expect(one.status).toBe(501);
    expect(one.body.detail).toBe("Provider 'garmin' does not support reading one workout by its id");
  });

  it('WHOOP: the window as start/end (ISO), at most 25 a page; a workout by its UUID', async () => {
    const now = Date.now();
    const workouts = [1, 3].map((days) =>
      whoopWorkout({
        userId: DEFAULT_WHOOP_USER,
        start: now - days * DAY,
        durationMs: 3_600_000,
        seed: days,
      }),
    );
    whoop.seed(DEFAULT_WHOOP_USER, { cycles: [], sleeps: [], recoveries: [], workouts });
    const userId = await connect('whoop', whoop.issueTokens(DEFAULT_WHOOP_USER));
    const start = new Date(now - 2 * DAY).toISOString();
    const page = await call(workoutsPath('whoop', userId), { summary_start_time: start, limit: '80' });
    expect(page.status).toBe(200);
    expect(whoop.requests.at(-1)).toMatchObject({ query: { start, limit: '25' } });
    expect(page.body.records.map((w: { id: string }) => w.id)).toEqual([workouts[0]!.id]);
    const one = await call(workoutsPath('whoop', userId, workouts[1]!.id));
    expect(one.body).toMatchObject({ id: workouts[1]!.id, sport_name: workouts[1]!.sport_name });
  });

  it('Withings: getworkouts by days for a window, by lastupdate otherwise; no read by id', async () => {
    const userId = await connect('withings', withings.issueTokens(DEFAULT_WITHINGS_USER));
    const days = await call(workoutsPath('withings', userId), {
      summary_start_time: '2025-06-01',
      summary_end_time: '2025-06-03',
    });
    expect(days.status).toBe(200);
    expect(days.body).toEqual(
      expect.objectContaining({ series: expect.any(Array), more: expect.anything() }),
    );
    expect(withings.requests.at(-1)).toMatchObject({ path: '/v2/measure', action: 'getworkouts' });
    const since = await call(workoutsPath('withings', userId), { since: '1700000000' });
    expect(since.status).toBe(200);
    expect((await call(workoutsPath('withings', userId, '42'))).status).toBe(501);
  });

  it('Google Health: its exercise data points, a page of at most 25, filtered on the local start with a window', async () => {
    google.seed(DEFAULT_GOOGLE_HEALTH_USER, 10);
    const userId = await connect('google_health', google.issueTokens(DEFAULT_GOOGLE_HEALTH_USER));
    const all = await call(workoutsPath('google_health', userId), { limit: '100' });
    expect(all.status).toBe(200);
    expect(google.requests.at(-1)).toMatchObject({ query: { pageSize: '25' } });
    expect(all.body.dataPoints.length).toBeGreaterThan(0);
    const windowed = await call(workoutsPath('google_health', userId), {
      summary_start_time: String(Math.floor(Date.now() / 1000) - 3 * 86_400),
    });
    expect(windowed.status).toBe(200);
    expect(google.requests.at(-1)!.query.filter).toMatch(/^exercise\.interval\.civil_start_time >= "/);
    expect(windowed.body.dataPoints.length).toBeLessThanOrEqual(all.body.dataPoints.length);
  });

  it('refreshes an expiring token first, as the sync worker does, and stores the new one', async () => {
    const userId = await connect('oura', oura.issueTokens(`oura-${randomUUID()}`), 60_000);
    const before = await getConnection(userId, 'oura');
    const { status, body } = await call(workoutsPath('oura', userId));
    expect(status).toBe(200);
    expect(body).toEqual({ data: [], next_token: null });
    const after = await getConnection(userId, 'oura');
    expect(after!.token_version).toBeGreaterThan(before!.token_version);
    expect(after!.token_expires_at!).toBeGreaterThan(Date.now() + 10 * 60_000);
  });

  it('401 without a connection or with a revoked one (contract 4.5), 400 for an invalid provider, 501 without a workout API', async () => {
    const user = await createUser({});
    const none = await call(workoutsPath('polar', user.id));
    expect(none).toEqual({ status: 401, body: { detail: 'User not connected to polar' } });

    const userId = await connect('strava', strava.issueTokens(DEFAULT_STRAVA_ATHLETE, 'activity:read_all'));
    await setConnectionStatus((await getConnection(userId, 'strava'))!, 'revoked', { clearTokens: true });
    expect(await call(workoutsPath('strava', userId))).toEqual({
      status: 401,
      body: { detail: 'Connection to strava is revoked; reconnection required' },
    });

    const invalid = await call(workoutsPath('nokia', user.id));
    expect(invalid.status).toBe(400);
    expect(invalid.body.detail).toMatch(/^Input should be /);
    for (const provider of ['ultrahuman', 'apple']) {
      const { status, body } = await call(workoutsPath(provider, user.id));
      expect(status).toBe(501);
      expect(body.detail).toBe(`Provider '${provider}' does not support workouts`);
    }
  });

  it('the provider refusing the token even after a refresh is a 401; its rate limit a 429 with Retry-After', async () => {
    const issued = oura.issueTokens(`oura-${randomUUID()}`);
    const userId = await connect('oura', issued);
    oura.oauth.revokeAll();
    const refused = await call(workoutsPath('oura', userId));
    expect(refused.status).toBe(401);

    const other = await connect('suunto', suunto.issueTokens(DEFAULT_SUUNTO_USER));
    suunto.rateLimitNext(1, 42);
    const limited = await call(workoutsPath('suunto', other));
    expect(limited.status).toBe(429);
    expect(limited.body.detail).toMatch(/^Suunto rate limit reached; retry in \d+ s$/);
  });

  it('a workout id is one path segment at the provider: `.` and `..` (never walking its URL up) and other characters are 400', async () => {
    const userId = await connect('polar', polar.issueTokens(DEFAULT_POLAR_USER));
    // As API Gateway hands the segment over, whatever the request path spelled.
    const one = async (id: string) =>
      (await runAsFunction('sync', () =>
        handler(
          httpEvent('GET', workoutsPath('polar', userId, 'x'), {
            headers: { 'x-open-wearables-api-key': apiKey },
            routeKey: 'GET /api/v1/providers/{provider}/users/{user_id}/workouts/{workout_id}',
            pathParameters: { provider: 'polar', user_id: userId, workout_id: id },
          }),
          lambdaContext('sync'),
        ),
      )) as APIGatewayProxyStructuredResultV2;
    const idChars = fc.constantFrom(...'abcXYZ019_.:-');
    const refused = fc.oneof(
      fc.constantFrom('.', '..', '../x', 'a/../b', '%2E%2E', 'a b', ''),
      fc.string({ minLength: 65, maxLength: 80, unit: idChars }),
      fc
        .tuple(
          fc.string({ maxLength: 20, unit: idChars }),
          fc.constantFrom('/', '\\', '%', '?', '#', ' ', 'é'),
          fc.string({ maxLength: 20, unit: idChars }),
        )
        .map(([a, bad, b]) => `${a}${bad}${b}`),
    );
    await fc.assert(
      fc.asyncProperty(refused, async (id) => {
        const before = polar.requests.length;
        const result = await one(id);
        expect(result.statusCode).toBe(400);
        expect(polar.requests.length).toBe(before);
      }),
      { numRuns: 60 },
    );
    const accepted = fc
      .string({ minLength: 1, maxLength: 64, unit: idChars })
      .filter((id) => !/^\.{1,2}$/.test(id));
    await fc.assert(
      fc.asyncProperty(accepted, async (id) => {
        const result = await one(id);
        expect([200, 404]).toContain(result.statusCode);
        expect(polar.requests.at(-1)!.path).toBe(`/v3/exercises/${encodeURIComponent(id)}`);
      }),
      { numRuns: 15 },
    );
  });

  it('since is refused beyond 2100-01-01 (400), not sent on as an invalid date (Oura, WHOOP)', async () => {
    const users = {
      oura: await connect('oura', oura.issueTokens(`oura-${randomUUID()}`)),
      whoop: await connect('whoop', whoop.issueTokens(DEFAULT_WHOOP_USER)),
    };
    const provider = fc.constantFrom('oura', 'whoop' as const);
    await fc.assert(
      fc.asyncProperty(
        provider,
        fc.oneof(
          fc.integer({ min: 4_102_444_801, max: Number.MAX_SAFE_INTEGER }).map(String),
          fc.constantFrom('1e20', '1e300', '9007199254740993'),
        ),
        async (p, since) => {
          const { status, body } = await call(workoutsPath(p, users[p]), { since });
          expect(status).toBe(400);
          expect(body.detail).toMatch(/^Input should be less than or equal to \d+$/);
        },
      ),
      { numRuns: 20 },
    );
    await fc.assert(
      fc.asyncProperty(provider, fc.integer({ min: 1, max: 4_102_444_800 }), async (p, since) => {
        // Sent on as a valid date: the provider's own answer (Oura refuses a start after today).
        const { status, body } = await call(workoutsPath(p, users[p]), { since: String(since) });
        if (status !== 200) expect(body.detail).toMatch(/^(Oura|WHOOP) API error: /);
      }),
      { numRuns: 10 },
    );
  });

  it('needs an API key', async () => {
    const { status } = await call(workoutsPath('polar', randomUUID()), {}, 'wrong');
    expect(status).toBe(401);
  });
});
