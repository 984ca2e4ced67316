import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_POLAR_USER,
  type FakePolar,
  generatePolarDays,
  localText,
  polarExercise,
  polarNight,
  polarRecharge,
  startFakePolar,
} from '#test/fakes/polar.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import {
  dates,
  type E2eSession,
  RUN_WAIT_MS,
  startE2eSession,
  times,
  until,
} from '#test/helpers/e2e-session.js';

/**
 * Polar end to end over HTTP, against the fake AccessLink: the app's webhook created through our DEV route (Polar
 * PINGs our ingress, the one-time key is stored sealed) -> connect (consent, token with x_user_id, registration) ->
 * 90-day backfill -> the data in the read API with Polar's values in our units -> signed notifications fetched and
 * saved, a wrongly signed one refused -> disconnect deregisters the user at Polar.
 */
const DAY = 86_400_000;
const OFFSET = 120;
let polar: FakePolar;
let sandbox: E2eSession;
let userId: string;

beforeAll(async () => {
  polar = await startFakePolar();
  polar.seed(
    DEFAULT_POLAR_USER,
    generatePolarDays({
      userId: String(DEFAULT_POLAR_USER),
      days: 40,
      end: Date.now(),
      offsetMinutes: OFFSET,
      seed: 11,
      exerciseSampleSeconds: 30,
      heartRateEveryMinutes: 15,
    }),
  );
  sandbox = await startE2eSession({
    env: { ...fakeProviderEnv('POLAR', polar), HISTORICAL_SYNC_ON_CONNECT: 'true' },
  });
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  await polar?.stop();
});

const events = async (kind: 'workouts' | 'sleep') =>
  (
    await sandbox.get(
      `/api/v1/users/${userId}/events/${kind}?${dates(Date.now() - 95 * DAY, Date.now() + DAY)}&limit=100`,
    )
  ).data as Array<Record<string, unknown>>;
const workouts = () => events('workouts');
const sleeps = () => events('sleep');

/** Local `start_time` - offset: the UTC start as the read API writes it. */
const utcStart = (exercise: Record<string, unknown>) =>
  new Date(Date.parse(`${exercise.start_time}Z`) - Number(exercise.start_time_utc_offset) * 60_000)
    .toISOString()
    .replace('.000Z', 'Z');

describe('Polar end to end', () => {
  it('webhook through our DEV route: Polar PINGs our ingress first, the key comes back once and never through our API', async () => {
    const callback = `${sandbox.url}/api/v1/providers/polar/webhooks`;
    const created = await sandbox.api(
      'POST',
      `/api/v1/providers/polar/webhooks/subscriptions?callback_url=${encodeURIComponent(callback)}`,
      { headers: sandbox.bearer },
    );
    expect(created.status, created.text).toBe(200);
    expect(created.json.subscriptions).toEqual([expect.objectContaining({ url: callback, active: true })]);
    expect(polar.webhooks.pings.at(-1)).toMatchObject({ status: 200, signature: null });
    expect(created.text).not.toContain(polar.webhooks.webhook!.secret);
    const listed = await sandbox.api('GET', '/api/v1/providers/polar/webhooks/subscriptions', {
      headers: sandbox.bearer,
    });
    expect(listed.json.subscriptions[0].id).toBe(polar.webhooks.webhook!.id);
  });

  it('connect: consent, the Polar user registered with our user id, a 90-day backfill', {
    timeout: RUN_WAIT_MS + 60_000,
  }, async () => {
    userId = await sandbox.createUser();
    await sandbox.connect('polar', userId);
    expect(polar.registrations.get(String(DEFAULT_POLAR_USER))).toBe(userId);
    // Basic client authentication, and no refresh token to keep.
    expect(polar.oauth.tokenRequests.at(-1)?.authorization).toMatch(/^Basic /);
    const [connection] = await sandbox.get(`/api/v1/users/${userId}/connections`);
    expect(connection).toMatchObject({ provider: 'polar', status: 'active', provider_user_id: '12345' });

    const run = await sandbox.waitForRun(userId, 'polar');
    expect(run.status).toBe('success');
  });

  it('exercises are workouts starting at local time minus the offset, with Polar values in our units', async () => {
    const data = polar.data(DEFAULT_POLAR_USER);
    const latest = data.exercises.at(-1)!;
    const workout = (await workouts()).find((w) => w.start_time === utcStart(latest));
    expect(workout).toMatchObject({
      zone_offset: '+02:00',
      duration_seconds: expect.any(Number),
      calories_kcal: latest.calories,
      distance_meters: latest.distance,
      avg_heart_rate_bpm: (latest.heart_rate as { average: number }).average,
      source: expect.objectContaining({ provider: 'polar' }),
    });
    // The samples: heart rate every 30 s from the start, in bpm.
    const start = Date.parse(utcStart(latest));
    const hr = await sandbox.get(
      `/api/v1/users/${userId}/timeseries?types=heart_rate&${times(start, start + 60_000)}`,
    );
    const first = Number((latest.samples as Array<{ data: string }>)[0]!.data.split(',')[0]);
    expect(hr.data[0]).toMatchObject({
      timestamp: utcStart(latest),
      value: first,
      unit: 'bpm',
      zone_offset: '+02:00',
    });
  });

  it('nights are sleep sessions with stages; Nightly Recharge is the recovery score with RMSSD in ms', async () => {
    const night = polar.data(DEFAULT_POLAR_USER).nights.at(-1)!;
    const session = (await sleeps()).find(
      (s) => s.start_time === new Date(String(night.sleep_start_time)).toISOString().replace('.000Z', 'Z'),
    );
    const asleep = Number(night.light_sleep) + Number(night.deep_sleep) + Number(night.rem_sleep);
    expect(session).toMatchObject({
      zone_offset: '+02:00',
      sleep_duration_seconds: Math.round(asleep / 60) * 60,
      stages: expect.objectContaining({ deep_minutes: Math.round(Number(night.deep_sleep) / 60) }),
    });
    expect((session!.sleep_stage_intervals as unknown[]).length).toBeGreaterThan(3);

    const recharge = polar.data(DEFAULT_POLAR_USER).recharges.at(-1)!;
    const date = String(recharge.date);
    const recovery = await sandbox.get(
      `/api/v1/users/${userId}/summaries/recovery?${dates(Date.parse(date), Date.parse(date) + DAY)}`,
    );
    expect(recovery.data).toEqual([
      expect.objectContaining({ date, recovery_score: recharge.nightly_recharge_status }),
    ]);
    const hrv = await sandbox.get(
      `/api/v1/users/${userId}/timeseries?types=heart_rate_variability_rmssd&start_time=${date}T00:30:00Z&end_time=${date}T00:31:00Z`,
    );
    expect(hrv.data[0]).toMatchObject({
      value: (recharge.hrv_samples as Record<string, number>)['00:30'],
      unit: 'ms',
    });
    const scores = await sandbox.get(`/api/v1/users/${userId}/health-scores?category=sleep`);
    expect(scores.pagination.total_count).toBeGreaterThanOrEqual(26);
  });

  it("activity days older than Polar's recent lists are daily totals; physical information is body data", async () => {
    const day = polar.data(DEFAULT_POLAR_USER).activities[2]!;
    const date = String(day.start_time).slice(0, 10);
    const summary = await sandbox.get(
      `/api/v1/users/${userId}/summaries/activity?${dates(Date.parse(date), Date.parse(date) + DAY)}`,
    );
    expect(summary.data).toEqual([
      expect.objectContaining({
        date,
        steps: day.steps,
        active_calories_kcal: day.active_calories,
        total_calories_kcal: day.calories,
        distance_meters: day.distance_from_steps,
      }),
    ]);
    const heartRate = await sandbox.get(
      `/api/v1/users/${userId}/timeseries?types=heart_rate&start_time=${date}T00:00:00Z&end_time=${date}T23:59:59Z&limit=100`,
    );
    expect(heartRate.data.length).toBe(96);
    const weight = await sandbox.get(
      `/api/v1/users/${userId}/timeseries?types=weight&${times(Date.now() - 60 * DAY, Date.now())}`,
    );
    expect(weight.data).toEqual([expect.objectContaining({ value: 72.5, unit: 'kg' })]);
  });

  it('a signed EXERCISE notification: the exercise is fetched and readable within seconds', async () => {
    const localStart = Math.floor((Date.now() + OFFSET * 60_000 - 3 * 3_600_000) / 1000) * 1000;
    const exercise = polarExercise({
      userId: String(DEFAULT_POLAR_USER),
      id: 'pushEx01',
      localStart,
      offsetMinutes: OFFSET,
      durationSeconds: 2_400,
      sport: 'OTHER',
      detailedSport: 'CYCLING_MOUNTAIN_BIKE',
      sampleSeconds: 60,
    });
    polar.data(DEFAULT_POLAR_USER).exercises.push(exercise);
    const delivery = await polar.notify({
      event: 'EXERCISE',
      user_id: DEFAULT_POLAR_USER,
      entity_id: 'pushEx01',
    });
    expect(delivery.status).toBe(200);
    const workout = await until('the notified workout', async () =>
      (await workouts()).find((w) => w.start_time === utcStart(exercise)),
    );
    expect(workout).toMatchObject({
      type: 'mountain_biking',
      zone_offset: '+02:00',
      duration_seconds: 2_400,
    });
  });

  it('a signed SLEEP notification brings the night and its Nightly Recharge', async () => {
    const date = localText(Date.now() + OFFSET * 60_000).slice(0, 10);
    const data = polar.data(DEFAULT_POLAR_USER);
    data.nights.push(polarNight(String(DEFAULT_POLAR_USER), date, OFFSET, 'pushed'));
    data.recharges.push(polarRecharge(String(DEFAULT_POLAR_USER), date, 'pushed'));
    const before = (await sleeps()).length;
    expect((await polar.notify({ event: 'SLEEP', user_id: DEFAULT_POLAR_USER, date })).status).toBe(200);
    await until('the notified night', async () =>
      (await sleeps()).length === before + 1 ? true : undefined,
    );
  });

  it('a notification signed with another key, or not signed, is refused 401', async () => {
    const event = { event: 'EXERCISE', user_id: DEFAULT_POLAR_USER, entity_id: 'pushEx01' };
    expect((await polar.notify(event, 'wrong')).status).toBe(401);
    expect((await polar.notify(event, 'none')).status).toBe(401);
  });

  it('disconnect deregisters the user at Polar', async () => {
    const response = await sandbox.api('DELETE', `/api/v1/users/${userId}/connections/polar`, {
      headers: sandbox.apiKey,
    });
    expect(response.status).toBe(204);
    expect(polar.registrations.has(String(DEFAULT_POLAR_USER))).toBe(false);
    const [connection] = await sandbox.get(`/api/v1/users/${userId}/connections`);
    expect(connection).toMatchObject({ provider: 'polar', status: 'revoked' });
  });
});
