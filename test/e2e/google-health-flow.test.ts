import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exercisePoint,
  type FakeGoogleHealth,
  point,
  sampleTimeOf,
  startFakeGoogleHealth,
  DEFAULT_GOOGLE_HEALTH_USER as USER,
} from '#test/fakes/google-health.js';
import { timeOf } from '#test/fakes/google-health-api.js';
import { followConsent } from '#test/fakes/oauth-fake.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { until } from '#test/helpers/e2e-session.js';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';

/**
 * Google Health API end to end over HTTP, against a fake Google speaking its formats: connect through Google's
 * consent (offline access) -> the 90-day backfill, every data type read per 7-day unit, the exercise history only
 * for each unit -> the data in the read API with its values in canonical units -> the subscriber's verification
 * handshake -> notified upserts and deletions -> a wrongly authorized notification refused -> disconnect.
 */
const DAY = 86_400_000;
const SECRET = 'e2e-google-health-webhook-secret';
const SEEDED_DAYS = 21;
let fake: FakeGoogleHealth;
let sandbox: TestSandbox;
let headers: Record<string, string>;
let userId: string;
let webhookUrl: string;

beforeAll(async () => {
  fake = await startFakeGoogleHealth();
  fake.seed(USER, SEEDED_DAYS, { end: Date.now(), seed: 11 });
  // A long exercise history before the backfill window: a sync that paged the whole history would read it all.
  await fake.addPoints(
    USER,
    'exercise',
    Array.from({ length: 150 }, (_, i) =>
      exercisePoint({ start: Date.now() - (400 - 2 * i) * DAY, minutes: 45 }),
    ),
  );
  sandbox = await startTestSandbox({
    env: {
      ...fakeProviderEnv('GOOGLE_HEALTH', fake),
      GOOGLE_HEALTH_WEBHOOK_SECRET: SECRET,
      HISTORICAL_SYNC_ON_CONNECT: 'true',
    },
  });
  webhookUrl = `${sandbox.url}/api/v1/providers/google_health/webhooks`;
  const login = await sandbox.api('POST', '/api/v1/auth/login', {
    form: { username: sandbox.admin.email, password: sandbox.admin.password },
  });
  const key = await sandbox.api('POST', '/api/v1/developer/api-keys', {
    headers: { authorization: `Bearer ${login.json.access_token}` },
  });
  headers = { 'x-open-wearables-api-key': key.json.key };
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  await fake?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString();

async function timeseries(type: string, from: number, to: number) {
  const page = await sandbox.api(
    'GET',
    `/api/v1/users/${userId}/timeseries?types=${type}&start_time=${iso(from)}&end_time=${iso(to)}&limit=100`,
    { headers },
  );
  expect(page.status).toBe(200);
  return page.json.data as Array<{
    timestamp: string;
    value: number;
    unit: string;
    source: { provider: string };
  }>;
}

async function events(kind: 'workouts' | 'sleep', days = 100) {
  const page = await sandbox.api(
    'GET',
    `/api/v1/users/${userId}/events/${kind}?start_date=${iso(Date.now() - days * DAY)}&end_date=${iso(Date.now() + DAY)}&limit=100`,
    { headers },
  );
  expect(page.status).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: the read API's JSON, asserted field by field.
  return page.json.data as any[];
}

describe('Google Health API', () => {
  it('connect: Google consent with offline access, the healthUserId as the account, the backfill completes', {
    timeout: 240_000,
  }, async () => {
    const user = await sandbox.api('POST', '/api/v1/users', { headers, json: {} });
    userId = user.json.id;
    const authorize = await sandbox.api('GET', `/api/v1/oauth/google_health/authorize?user_id=${userId}`, {
      headers,
    });
    expect(authorize.status).toBe(200);
    const consent = await followConsent(authorize.json.authorization_url, 'allow');
    const callback = await fetch(consent.location.replace(sandbox.apiBaseUrl, sandbox.url), {
      redirect: 'manual',
    });
    expect(callback.status).toBe(303);
    expect(fake.authorizeRequests.at(-1)).toMatchObject({
      access_type: 'offline',
      prompt: 'consent',
      include_granted_scopes: 'true',
    });
    expect(fake.oauth.tokenRequests.at(-1)!.form).toMatchObject({
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
    });

    let runs: Array<{ provider: string; stage: string; status: string }> = [];
    const run = await until(
      () => `the backfill; runs: ${JSON.stringify(runs)}`,
      async () => {
        runs = (await sandbox.api('GET', `/api/v1/users/${userId}/sync/runs`, { headers })).json;
        return runs.find((r) => r.provider === 'google_health' && r.stage === 'completed');
      },
      150_000,
    );
    expect(run.status).toBe('success');
    const [connection] = (await sandbox.api('GET', `/api/v1/users/${userId}/connections`, { headers })).json;
    expect(connection).toMatchObject({ provider: 'google_health', status: 'active', provider_user_id: USER });
  });

  it('the backfill read every type per 7-day unit, and the exercise history only for each unit', () => {
    const units = fake.countRequests({ dataType: 'steps', operation: 'reconcile' });
    expect(units).toBe(13);
    for (const [dataType, operation] of [
      ['heart-rate', 'reconcile'],
      ['total-calories', 'rollUp'],
      ['sleep', 'list'],
      ['exercise', 'list'],
    ] as const)
      expect(fake.countRequests({ dataType, operation }), dataType).toBeGreaterThanOrEqual(units);
    const exercise = fake.requests.filter((r) => r.dataType === 'exercise');
    expect(exercise.every((r) => r.query.filter?.startsWith('exercise.interval.civil_start_time >= '))).toBe(
      true,
    );
    const inWindow = fake
      .points(USER, 'exercise')
      .filter((p) => timeOf('exercise', p) >= Date.now() - 91 * DAY);
    const returned = exercise.reduce((sum, r) => sum + r.returned, 0);
    expect(returned).toBeGreaterThanOrEqual(inWindow.length);
    // Whole-history paging would return all 150+ old sessions per unit; the civil-time margin repeats only a few.
    expect(returned).toBeLessThan(inWindow.length * 1.5 + 10);
  });

  it('heart rate, steps and weight in the read API: canonical units, the values Google holds', async () => {
    const hr = fake.points(USER, 'heart-rate').at(-10)!;
    const at = timeOf('heart-rate', hr);
    const [sample] = await timeseries('heart_rate', at, at + 1000);
    expect(sample).toMatchObject({
      timestamp: expect.stringMatching(new RegExp(`^${iso(at).slice(0, 19)}`)),
      value: (hr.heartRate as { beatsPerMinute: number }).beatsPerMinute,
      unit: 'bpm',
      source: { provider: 'google_health' },
    });
    const weight = fake.points(USER, 'weight').at(-1)!;
    const weighedAt = timeOf('weight', weight);
    expect((await timeseries('weight', weighedAt, weighedAt + 1000))[0]).toMatchObject({
      value: (weight.weight as { weightGrams: number }).weightGrams / 1000,
      unit: 'kg',
    });
    const steps = fake.points(USER, 'steps').at(-20)!;
    const stepsAt = timeOf('steps', steps);
    expect((await timeseries('steps', stepsAt, stepsAt + 1000))[0]).toMatchObject({
      value: Number((steps.steps as { count: string }).count),
      unit: 'count',
    });
    const rhr = await timeseries('resting_heart_rate', Date.now() - 5 * DAY, Date.now());
    expect(rhr.length).toBeGreaterThan(0);
    expect(rhr[0]!.unit).toBe('bpm');
    expect(
      (await timeseries('heart_rate_variability_rmssd', Date.now() - 3 * DAY, Date.now()))[0]?.unit,
    ).toBe('ms');
    expect((await timeseries('energy', Date.now() - DAY, Date.now()))[0]?.unit).toBe('kcal');
  });

  it('workouts and nights: every session of the window, metrics in meters, stages', async () => {
    const seeded = fake
      .points(USER, 'exercise')
      .filter((p) => timeOf('exercise', p) >= Date.now() - 89 * DAY);
    const workouts = await events('workouts', 89);
    expect(workouts).toHaveLength(seeded.length);
    const last = seeded.sort((a, b) => timeOf('exercise', b) - timeOf('exercise', a))[0]!;
    const summary = (last.exercise as { metricsSummary: { distanceMillimeters: number } }).metricsSummary;
    const shown = workouts.find((w) => Date.parse(w.start_time) === timeOf('exercise', last));
    expect(shown.source.provider).toBe('google_health');
    expect(shown.distance_meters ?? 0).toBeCloseTo(summary.distanceMillimeters / 1000, 3);
    const nights = await events('sleep', SEEDED_DAYS + 2);
    expect(nights.length).toBeGreaterThanOrEqual(SEEDED_DAYS - 2);
    const night = nights.find((n) => !n.is_nap);
    expect(night.stages.deep_minutes).toBeGreaterThan(0);
    expect(night.sleep_stage_intervals.length).toBeGreaterThan(4);
    expect(nights.some((n) => n.is_nap)).toBe(true);
  });

  it("the subscriber's verification handshake: 201 with the bearer, 401 without", async () => {
    const verification = await fake.createSubscriber(webhookUrl, SECRET);
    expect(verification).toMatchObject({ withAuthorization: 201, withoutAuthorization: 401, ok: true });
  });

  it('a notified new workout and weight are fetched and readable; a deleted workout disappears', {
    timeout: 90_000,
  }, async () => {
    const before = (await events('workouts', 10)).length;
    const workout = exercisePoint({
      start: Date.now() - 3 * 3_600_000,
      minutes: 50,
      exerciseType: 'TRAIL_RUN',
      distanceMeters: 8400,
      offsetSeconds: 3600,
    });
    const upsert = await fake.addPoints(USER, 'exercise', [workout]);
    expect(upsert?.status).toBe(200);
    const added = await until(
      () => 'the notified workout',
      async () =>
        (await events('workouts', 10)).find((w) => w.type === 'trail_running' && w.distance_meters === 8400),
      30_000,
    );
    expect(added.start_time.slice(0, 19)).toBe(iso(timeOf('exercise', workout)).slice(0, 19));

    const weighedAt = Date.now() - 60_000;
    await fake.addPoints(USER, 'weight', [
      point('weight', 'weight', { sampleTime: sampleTimeOf(weighedAt, 3600), weightGrams: 70_250 }),
    ]);
    await until(
      () => 'the notified weight',
      async () =>
        (await timeseries('weight', weighedAt - 1000, weighedAt + 1000))[0]?.value === 70.25
          ? true
          : undefined,
      30_000,
    );

    const deleted = await fake.deletePoints(USER, 'exercise', [workout.name]);
    expect(deleted?.status).toBe(200);
    await until(
      () => 'the deleted workout to disappear',
      async () => ((await events('workouts', 10)).length === before ? true : undefined),
      30_000,
    );
  });

  it('a notification without the right bearer is refused; one for an unknown user is acknowledged', async () => {
    const item = {
      healthUserId: USER,
      dataType: 'steps',
      operation: 'UPSERT' as const,
      intervals: [[Date.now() - 60_000, Date.now()] as [number, number]],
    };
    expect((await fake.notifier.send([item], { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await fake.notifier.send([item], { authorization: null })).status).toBe(401);
    expect((await fake.notifier.send([{ ...item, healthUserId: 'someone-else' }])).status).toBe(200);
    const garbage = await fake.notifier.send([{ not: 'a notification' }]);
    expect(garbage.status).toBe(200);
    expect(JSON.parse(garbage.body)).toEqual({ status: 'accepted' });
  });

  it('disconnect: the connection is revoked and its tokens are gone', async () => {
    const response = await sandbox.api('DELETE', `/api/v1/users/${userId}/connections/google_health`, {
      headers,
    });
    expect(response.status).toBe(204);
    const [connection] = (await sandbox.api('GET', `/api/v1/users/${userId}/connections`, { headers })).json;
    expect(connection).toMatchObject({ provider: 'google_health', status: 'revoked' });
  });
});
