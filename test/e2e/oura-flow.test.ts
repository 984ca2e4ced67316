import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_OURA_USER,
  type FakeOura,
  generateOuraDays,
  type OuraDocument,
  ouraWorkout,
  startFakeOura,
} from '#test/fakes/oura.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { dates, type E2eSession, startE2eSession, times, until } from '#test/helpers/e2e-session.js';

/**
 * Oura end to end over HTTP, against the fake Oura API: subscriptions through our API (Oura challenges our
 * callback) -> connect through the consent page -> the 90-day backfill -> heart rate, sleep with stages, workouts,
 * readiness with its contributors and the daily totals readable with Oura's values and our units -> signed
 * notifications create, update and delete data (the access token expired meanwhile: the worker refreshes the
 * single-use refresh token) -> a wrongly signed one is refused -> disconnect revokes the token at Oura.
 * Waits are polls bounded well below each test's timeout.
 */
const DAY = 86_400_000;
const VERIFICATION_TOKEN = 'e2e-oura-verification-token';
let oura: FakeOura;
let sandbox: E2eSession;
let userId: string;
let callbackUrl: string;

beforeAll(async () => {
  oura = await startFakeOura({ pageSize: 5, heartRatePageSize: 500 });
  oura.seed(DEFAULT_OURA_USER, generateOuraDays({ days: 8, end: Date.now(), seed: 11 }));
  sandbox = await startE2eSession({
    env: {
      ...fakeProviderEnv('OURA', oura),
      OURA_WEBHOOK_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
      HISTORICAL_SYNC_ON_CONNECT: 'true',
    },
  });
  callbackUrl = `${sandbox.url}/api/v1/providers/oura/webhooks`;
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  await oura?.stop();
});

const range = dates(Date.now() - 20 * DAY, Date.now() + DAY);
const workouts = async () =>
  (await sandbox.get(`/api/v1/users/${userId}/events/workouts?${range}&limit=100`)).data as Array<{
    id: string;
    type: string;
    start_time: string;
    calories_kcal: number | null;
  }>;

describe('Oura', () => {
  it('subscriptions through our API: Oura challenges our callback for each of them', async () => {
    const created = await sandbox.api(
      'POST',
      `/api/v1/providers/oura/webhooks/subscriptions?callback_url=${encodeURIComponent(callbackUrl)}`,
      { headers: sandbox.bearer },
    );
    expect(created.status).toBe(200);
    expect(created.json.subscriptions).toHaveLength(18);
    expect(oura.webhooks.challenges.every((c) => c.ok)).toBe(true);
    const renewed = await sandbox.api('POST', '/api/v1/providers/oura/webhooks/subscriptions/renew', {
      headers: sandbox.bearer,
    });
    expect(renewed.json).toEqual({ renewed: [] });
  });

  it('connect and backfill: values in the read API are Oura values in our units', async () => {
    userId = await sandbox.createUser();
    await sandbox.connect('oura', userId);
    const [connection] = await sandbox.get(`/api/v1/users/${userId}/connections`);
    expect(connection).toMatchObject({
      provider: 'oura',
      status: 'active',
      provider_user_id: DEFAULT_OURA_USER,
    });

    const run = await sandbox.waitForRun(userId, 'oura');
    expect(run.status).toBe('success');
    const data = oura.data(DEFAULT_OURA_USER);

    // Heart rate: an hour of 5-minute samples, exactly as Oura reported them.
    const from = Date.parse(data.heartrate[40]!.timestamp);
    const expectedHr = data.heartrate.filter(
      (s) => Date.parse(s.timestamp) >= from && Date.parse(s.timestamp) < from + 3_600_000,
    );
    const hr = await sandbox.get(
      `/api/v1/users/${userId}/timeseries?types=heart_rate&${times(from, from + 3_599_000)}&limit=100`,
    );
    expect(hr.data.map((s: { value: number }) => s.value)).toEqual(expectedHr.map((s) => s.bpm));
    expect(hr.data[0]).toMatchObject({ unit: 'bpm', source: { provider: 'oura' } });

    // Sleep: every night but rest periods, with Oura's stage durations and hypnogram.
    const sleeps = (await sandbox.get(`/api/v1/users/${userId}/events/sleep?${range}&limit=100`)).data;
    const nights = data.documents.sleep.filter((s) => s.type !== 'rest');
    expect(sleeps).toHaveLength(nights.length);
    const night = nights.at(-1)!;
    const stored = sleeps.find(
      (s: { start_time: string }) => Date.parse(s.start_time) === Date.parse(night.bedtime_start as string),
    );
    expect(stored).toMatchObject({
      zone_offset: '+01:00',
      efficiency_percent: night.efficiency,
      stages: {
        deep_minutes: (night.deep_sleep_duration as number) / 60,
        rem_minutes: (night.rem_sleep_duration as number) / 60,
        light_minutes: (night.light_sleep_duration as number) / 60,
      },
      is_nap: false,
    });
    expect(stored.sleep_stage_intervals.length).toBeGreaterThan(5);

    // Workouts with their type and kcal; readiness with its contributors; steps as the day's total.
    expect((await workouts()).map((w) => w.calories_kcal).sort()).toEqual(
      data.documents.workout.map((w) => w.calories as number).sort(),
    );
    const readiness = (
      await sandbox.get(`/api/v1/users/${userId}/health-scores?category=readiness&limit=100`)
    ).data;
    expect(readiness).toHaveLength(data.documents.daily_readiness.length);
    const lastReadiness = data.documents.daily_readiness.at(-1)!;
    expect(readiness[0]).toMatchObject({
      provider: 'oura',
      value: lastReadiness.score,
      components: {
        hrv_balance: { value: (lastReadiness.contributors as Record<string, number>).hrv_balance },
      },
    });
    const activity = data.documents.daily_activity.at(-2)!;
    const at = Date.parse(activity.timestamp as string);
    const steps = await sandbox.get(
      `/api/v1/users/${userId}/timeseries?types=steps&types=skin_temperature_deviation&${times(at - DAY, at + 1000)}&limit=100`,
    );
    expect(
      steps.data.find(
        (s: { type: string; timestamp: string }) => s.type === 'steps' && Date.parse(s.timestamp) === at,
      ),
    ).toMatchObject({
      value: activity.steps,
      unit: 'count',
      is_daily_total: true,
    });
    expect(steps.data.find((s: { type: string }) => s.type === 'skin_temperature_deviation')).toMatchObject({
      unit: 'celsius',
    });
  }, 200_000);

  it('signed notifications create, update and delete (after the access token expired)', async () => {
    oura.oauth.expireAccessTokens();
    const refreshesBefore = oura.oauth.counters.refreshes;
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 3_600_000;
    const day = new Date(start).toISOString().slice(0, 10);
    const workout = ouraWorkout({
      day,
      start,
      minutes: 40,
      offset: '+00:00',
      activity: 'hiit',
      seed: 'push',
    });
    const [created] = await oura.putDocument(DEFAULT_OURA_USER, 'workout', workout);
    expect(created!.status).toBe(200);
    const match = () => workouts().then((list) => list.find((w) => Date.parse(w.start_time) === start));
    expect(await until('the created workout', match)).toMatchObject({ type: 'cardio_training' });
    expect(oura.oauth.counters.refreshes).toBe(refreshesBefore + 1);

    await oura.putDocument(DEFAULT_OURA_USER, 'workout', { ...workout, activity: 'yoga' });
    await until('the updated workout', async () => ((await match())?.type === 'yoga' ? true : undefined));

    const readiness = oura.data(DEFAULT_OURA_USER).documents.daily_readiness.at(-1)! as OuraDocument;
    await oura.putDocument(DEFAULT_OURA_USER, 'daily_readiness', { ...readiness, score: 12 });
    await until('the revised readiness score', async () => {
      const scores = (await sandbox.get(`/api/v1/users/${userId}/health-scores?category=readiness&limit=1`))
        .data;
      return scores[0]?.value === 12 ? true : undefined;
    });

    await oura.deleteDocument(DEFAULT_OURA_USER, 'workout', workout.id);
    await until('the deleted workout', async () => ((await match()) === undefined ? true : undefined));
    expect(oura.webhooks.deliveries.every((d) => d.status === 200)).toBe(true);
  }, 90_000);

  it('a wrongly signed or unsigned notification is refused', async () => {
    const event = {
      event_type: 'create' as const,
      data_type: 'workout',
      object_id: 'forged',
      user_id: DEFAULT_OURA_USER,
      event_time: new Date().toISOString(),
    };
    expect((await oura.sendWebhook(callbackUrl, event, { signing: 'wrong' })).status).toBe(401);
    expect((await oura.sendWebhook(callbackUrl, event, { signing: 'none' })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 3_600;
    expect((await oura.sendWebhook(callbackUrl, event, { timestamp: stale })).status).toBe(401);
  });

  it('disconnect revokes the token at Oura', async () => {
    const response = await sandbox.api('DELETE', `/api/v1/users/${userId}/connections/oura`, {
      headers: sandbox.apiKey,
    });
    expect(response.status).toBe(204);
    expect(oura.requests.some((r) => r.path === '/oauth/revoke' && r.status === 200)).toBe(true);
    const [connection] = await sandbox.get(`/api/v1/users/${userId}/connections`);
    expect(connection.status).toBe('revoked');
  });
});
