import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followConsent } from '#test/fakes/oauth-fake.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { randomTools } from '#test/fakes/random.js';
import {
  DEFAULT_WITHINGS_USER,
  type FakeWithings,
  measure,
  measureGroup,
  startFakeWithings,
  type WithingsRecord,
  workoutRecord,
} from '#test/fakes/withings.js';
import { until } from '#test/helpers/e2e-session.js';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';

/**
 * Withings end to end over HTTP, against the fake Withings API: connect (consent, Withings' token envelope, the
 * notification subscriptions after Withings' HEAD probe of our ingress) -> 90-day backfill within the app's
 * request rate -> measures, activity, workouts, nights and sleep scores in the read API with Withings' values in
 * our units -> notifications (form POSTs, the secret in the callback URL) fetched and saved, a wrong token
 * refused -> disconnect unsubscribes.
 */

const DAY = 86_400_000;
const TOKEN = 'e2e-withings-callback-token';
const BACKFILL_WAIT_MS = 200_000;
let withings: FakeWithings;
let sandbox: TestSandbox;
let apiKey: Record<string, string>;
let userId: string;

beforeAll(async () => {
  withings = await startFakeWithings();
  withings.seed(DEFAULT_WITHINGS_USER, { days: 20, end: Date.now(), seed: 'e2e', timezone: 'Europe/Paris' });
  sandbox = await startTestSandbox({
    env: {
      ...fakeProviderEnv('WITHINGS', withings),
      WITHINGS_WEBHOOK_TOKEN: TOKEN,
      HISTORICAL_SYNC_ON_CONNECT: 'true',
    },
  });
  const login = await sandbox.api('POST', '/api/v1/auth/login', {
    form: { username: sandbox.admin.email, password: sandbox.admin.password },
  });
  const key = await sandbox.api('POST', '/api/v1/developer/api-keys', {
    headers: { authorization: `Bearer ${login.json.access_token}` },
  });
  apiKey = { 'x-open-wearables-api-key': key.json.key };
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  await withings?.stop();
});

const get = async (path: string) => {
  const response = await sandbox.api('GET', path, { headers: apiKey });
  expect(response.status, `${path}: ${response.text.slice(0, 300)}`).toBe(200);
  return response.json;
};

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const dates = (from: number, to: number) => `start_date=${iso(from)}&end_date=${iso(to)}`;
const times = (from: number, to: number) => `start_time=${iso(from)}&end_time=${iso(to)}`;

const series = async (type: string, from: number, to: number) =>
  (await get(`/api/v1/users/${userId}/timeseries?types=${type}&${times(from, to)}&limit=100`)).data as Array<{
    timestamp: string;
    value: number;
    unit: string;
    zone_offset: string | null;
  }>;

const events = async (kind: 'sleep' | 'workouts') =>
  (
    await get(
      `/api/v1/users/${userId}/events/${kind}?${dates(Date.now() - 95 * DAY, Date.now() + DAY)}&limit=100`,
    )
  ).data as Array<Record<string, unknown>>;

/** A measure's value as Withings means it: mantissa x 10^unit. */
const measured = (group: WithingsRecord, type: number) => {
  const m = (group.measures as Array<{ type: number; value: number; unit: number }>).find(
    (x) => x.type === type,
  )!;
  return Number((m.value * 10 ** m.unit).toFixed(3));
};

describe('Withings end to end', () => {
  it('connect: consent, the token envelope, a subscription per category after the HEAD probe, the backfill', {
    timeout: BACKFILL_WAIT_MS + 60_000,
  }, async () => {
    const user = await sandbox.api('POST', '/api/v1/users', { headers: apiKey, json: {} });
    userId = user.json.id;
    const authorize = await get(`/api/v1/oauth/withings/authorize?user_id=${userId}`);
    expect(authorize.authorization_url).toContain(
      'scope=user.info%2Cuser.metrics%2Cuser.activity%2Cuser.sleepevents',
    );
    const consent = await followConsent(authorize.authorization_url, 'allow');
    const callback = await fetch(consent.location.replace(sandbox.apiBaseUrl, sandbox.url), {
      redirect: 'manual',
    });
    expect(callback.status).toBe(303);
    expect(withings.tokenAnswers.at(-1)).toMatchObject({ grantType: 'authorization_code', status: 0 });
    const [connection] = await get(`/api/v1/users/${userId}/connections`);
    expect(connection).toMatchObject({
      provider: 'withings',
      status: 'active',
      provider_user_id: String(DEFAULT_WITHINGS_USER),
    });
    const subscriptions = withings.notify.subscriptions.filter((s) => s.userid === DEFAULT_WITHINGS_USER);
    expect(subscriptions.map((s) => s.appli).sort((a, b) => a - b)).toEqual([1, 2, 4, 16, 44, 46]);
    expect(subscriptions[0]!.callbackurl).toBe(
      `${sandbox.apiBaseUrl}/api/v1/providers/withings/webhooks?token=${TOKEN}`,
    );
    expect(withings.notify.probes.every((p) => p.status === 200)).toBe(true);

    const run = await until(
      'the backfill',
      async () => {
        const runs = (await get(`/api/v1/users/${userId}/sync/runs`)) as Array<Record<string, string>>;
        return runs.find((r) => r.provider === 'withings' && r.stage === 'completed');
      },
      BACKFILL_WAIT_MS,
    );
    expect(run.status).toBe('success');
  });

  it('the backfill kept within Withings request rate: never a 601, never more than 120 in 60 s', () => {
    expect(withings.requests.filter((r) => r.status === 601)).toEqual([]);
    expect(withings.maxRequestsPerMinute()).toBeLessThanOrEqual(120);
    const counts = withings.counts();
    expect(counts['/measure getmeas']).toBeGreaterThanOrEqual(4);
    expect(counts['/v2/measure getintradayactivity']).toBeGreaterThanOrEqual(90);
  });

  it('measures: weight and body composition in kg and percent, blood pressure in mmHg, with the zone offset', async () => {
    const data = withings.user(DEFAULT_WITHINGS_USER);
    const weighIns = data.measureGroups.filter((g) => g.model === 'Body Cardio');
    const weights = await series('weight', Date.now() - 25 * DAY, Date.now() + DAY);
    expect(weights).toHaveLength(weighIns.length);
    const last = weighIns.at(-1)!;
    expect(weights.at(-1)).toMatchObject({
      timestamp: iso((last.date as number) * 1000),
      value: measured(last, 1),
      unit: 'kg',
      zone_offset: expect.stringMatching(/^\+0[12]:00$/),
      source: expect.objectContaining({ provider: 'withings', device: 'Body Cardio', device_type: 'scale' }),
    });
    const at = (last.date as number) * 1000;
    const [fat] = await series('body_fat_percentage', at, at + 1000);
    expect(fat).toMatchObject({ value: measured(last, 6), unit: 'percent' });
    const [muscle] = await series('muscle_mass', at, at + 1000);
    expect(muscle).toMatchObject({ value: measured(last, 76), unit: 'kg' });
    const pressure = data.measureGroups.filter((g) => g.model === 'BPM Connect').at(-1)!;
    const bpAt = (pressure.date as number) * 1000;
    const [systolic] = await series('blood_pressure_systolic', bpAt, bpAt + 1000);
    expect(systolic).toMatchObject({ value: measured(pressure, 10), unit: 'mmHg' });
  });

  it('nights: sleep sessions with stages, efficiency and the sleep score', async () => {
    const nights = withings.user(DEFAULT_WITHINGS_USER).sleeps;
    const sessions = await events('sleep');
    expect(sessions).toHaveLength(nights.length);
    const night = nights.at(-1)!;
    const data = night.data as Record<string, number>;
    const session = sessions.find((s) => s.start_time === iso((night.startdate as number) * 1000))!;
    expect(session).toMatchObject({
      end_time: iso((night.enddate as number) * 1000),
      sleep_duration_seconds: Math.round(data.total_sleep_time! / 60) * 60,
      efficiency_percent: data.sleep_efficiency! * 100,
      stages: expect.objectContaining({ deep_minutes: Math.round(data.deepsleepduration! / 60) }),
    });
    expect((session.sleep_stage_intervals as unknown[]).length).toBeGreaterThan(3);
    const scores = await get(`/api/v1/users/${userId}/health-scores?category=sleep&limit=100`);
    expect(scores.pagination.total_count).toBe(nights.length);
  });

  it('activity: daily totals as the day summary; workouts with their type and values', async () => {
    const day = withings.user(DEFAULT_WITHINGS_USER).activities.at(-3)!;
    const date = day.date as string;
    const summary = await get(
      `/api/v1/users/${userId}/summaries/activity?${dates(Date.parse(date), Date.parse(date) + DAY)}`,
    );
    expect(summary.data).toEqual([
      expect.objectContaining({
        date,
        steps: day.steps,
        active_calories_kcal: day.calories,
        distance_meters: day.distance,
      }),
    ]);
    const heartRate = await series(
      'heart_rate',
      Date.parse(`${date}T00:00:00Z`),
      Date.parse(`${date}T23:59:59Z`),
    );
    expect(heartRate.length).toBeGreaterThan(30);

    const expected = withings.user(DEFAULT_WITHINGS_USER).workouts;
    const workouts = await events('workouts');
    expect(workouts).toHaveLength(expected.length);
    const last = expected.at(-1)!;
    const data = last.data as Record<string, number>;
    expect(workouts.find((w) => w.start_time === iso((last.startdate as number) * 1000))).toMatchObject({
      calories_kcal: data.calories,
      distance_meters: data.distance,
      avg_heart_rate_bpm: data.hr_average,
      source: expect.objectContaining({ provider: 'withings' }),
    });
  });

  it('a weigh-in notification (form POST, our token in the callback URL) is readable within seconds', async () => {
    const at = Math.floor(Date.now() / 1000) - 600;
    const [delivery] = await withings.add(
      DEFAULT_WITHINGS_USER,
      'measureGroups',
      measureGroup(at, [measure(1, 81.25, -3)]),
      { appli: 1, startdate: at, enddate: at },
    );
    expect(delivery).toMatchObject({ status: 200 });
    const weight = await until('the notified weight', async () => {
      const [sample] = await series('weight', at * 1000, at * 1000 + 1000);
      return sample;
    });
    expect(weight).toMatchObject({ value: 81.25, unit: 'kg' });
  });

  it('an activity notification brings the new workout', async () => {
    const start = Math.floor(Date.now() / 1000) - 3 * 3600;
    const workout = workoutRecord(randomTools('pushed'), start, 'Europe/Paris', { category: 498 });
    await withings.add(DEFAULT_WITHINGS_USER, 'workouts', workout, {
      appli: 16,
      startdate: start,
      enddate: workout.enddate as number,
    });
    const pushed = await until('the notified workout', async () =>
      (await events('workouts')).find((w) => w.start_time === iso(start * 1000)),
    );
    expect(pushed).toMatchObject({ type: 'trail_running' });
  });

  it('a notification with a wrong token, or none, is refused 401; the HEAD probe is answered 200', async () => {
    const hook = `${sandbox.url}/api/v1/providers/withings/webhooks`;
    const body = { userid: DEFAULT_WITHINGS_USER, appli: 1, startdate: 1, enddate: 2 };
    expect((await withings.notify.send(`${hook}?token=wrong`, body)).status).toBe(401);
    expect((await withings.notify.send(hook, body)).status).toBe(401);
    expect((await fetch(`${hook}?token=${TOKEN}`, { method: 'HEAD' })).status).toBe(200);
  });

  it('disconnect unsubscribes every category at Withings', async () => {
    const response = await sandbox.api('DELETE', `/api/v1/users/${userId}/connections/withings`, {
      headers: apiKey,
    });
    expect(response.status).toBe(204);
    expect(withings.notify.subscriptions.filter((s) => s.userid === DEFAULT_WITHINGS_USER)).toEqual([]);
    const [connection] = await get(`/api/v1/users/${userId}/connections`);
    expect(connection).toMatchObject({ provider: 'withings', status: 'revoked' });
  });
});
