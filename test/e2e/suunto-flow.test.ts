import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SUUNTO_USER,
  type FakeSuunto,
  generateSuuntoDays,
  isoAt,
  type SuuntoDataset,
  startFakeSuunto,
} from '#test/fakes/suunto.js';
import { dates, type E2eSession, startE2eSession, times, until } from '#test/helpers/e2e-session.js';

/**
 * Suunto end to end over HTTP, against the fake Suunto Cloud API: connect (Basic client auth, JWT identity) -> the
 * 90-day backfill pulls workouts with their samples, nights, 24/7 samples, recovery and daily totals, every request
 * with the subscription key -> the read API shows them in the model's units -> a signed WORKOUT_CREATED is fetched
 * and a signed 24/7 push is stored without a request to Suunto -> a wrongly signed push is refused -> disconnect.
 */
const DAY = 86_400_000;
const OFFSET = 120;
let fake: FakeSuunto;
let sandbox: E2eSession;
let dataset: SuuntoDataset;
let userId: string;

beforeAll(async () => {
  fake = await startFakeSuunto();
  dataset = generateSuuntoDays({
    days: 12,
    end: Date.now(),
    seed: 42,
    offsetMinutes: OFFSET,
    workoutSampleSeconds: 30,
    recoveryEveryMinutes: 180,
  });
  fake.seed(DEFAULT_SUUNTO_USER, dataset, OFFSET);
  sandbox = await startE2eSession({ env: { ...fake.env(), HISTORICAL_SYNC_ON_CONNECT: 'true' } });
  fake.setWebhookUrl(`${sandbox.url}/api/v1/providers/suunto/webhooks`);
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  await fake?.stop();
});

/** How long a push may take to land: bounded well below its test's 90 s. */
const PUSH_WAIT_MS = 60_000;
const workouts = async () =>
  (
    await sandbox.get(
      `/api/v1/users/${userId}/events/workouts?${dates(Date.now() - 30 * DAY, Date.now() + DAY)}&limit=100`,
    )
  ).data as Array<Record<string, unknown>>;
const series = async (type: string, from: number, to: number) =>
  (await sandbox.get(`/api/v1/users/${userId}/timeseries?types=${type}&${times(from, to)}&limit=100`))
    .data as Array<{
    timestamp: string;
    value: number;
    unit: string;
    zone_offset: string;
    is_daily_total: boolean | null;
  }>;

describe('suunto', () => {
  it('connect: the username from the JWT is the account, and the 90-day backfill completes', async () => {
    userId = await sandbox.createUser();
    await sandbox.connect('suunto', userId);
    // Basic client credentials on the token request, as Suunto requires.
    expect(fake.oauth.tokenRequests.at(-1)).toMatchObject({
      status: 200,
      authorization: expect.stringMatching(/^Basic /),
    });

    const [connection] = await sandbox.get(`/api/v1/users/${userId}/connections`);
    expect(connection).toMatchObject({
      provider: 'suunto',
      status: 'active',
      provider_user_id: DEFAULT_SUUNTO_USER,
      provider_username: DEFAULT_SUUNTO_USER,
    });
    const run = await sandbox.waitForRun(userId, 'suunto');
    expect(run.status).toBe('success');
    // Five 20-day chunks, each request with the key (the fake refuses any without).
    expect(fake.requestCounts()).toMatchObject({
      workouts: 5,
      '247samples/sleep': 5,
      'daily-activity-statistics': 5,
    });
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
  }, 180_000);

  it('workouts: type, distance, calories, heart rate and pace; their samples as series in m/s', async () => {
    const list = await workouts();
    expect(list).toHaveLength(dataset.workouts.length);
    const { workout, samples } = dataset.workouts.at(-1)!;
    const shown = list.find((w) => Date.parse(String(w.start_time)) === workout.startTime);
    expect(shown).toMatchObject({
      zone_offset: '+02:00',
      duration_seconds: workout.totalTime,
      calories_kcal: workout.energyConsumption,
      distance_meters: workout.totalDistance,
      avg_heart_rate_bpm: (workout.hrdata as { avg: number }).avg,
      max_heart_rate_bpm: (workout.hrdata as { hrmax: number }).hrmax,
      source: { provider: 'suunto', device: 'Suunto 9 Peak' },
    });
    const speed = await series('speed', workout.startTime, workout.stopTime + 1);
    expect(speed.map((s) => s.value)).toEqual(samples.slice(0, 100).map((s) => s.speed));
    expect(speed[0]).toMatchObject({ unit: 'm_per_s', zone_offset: '+02:00' });
  });

  it('24/7 data: energy in kcal from joules, SpO2 in percent, resting HR and RMSSD of the night', async () => {
    // Not the sample at local midnight: the day's energy total is stamped there too and takes its place (noted in
    // the README's Suunto section).
    const localMidnight = (at: number) => (at + OFFSET * 60_000) % DAY === 0;
    const item = dataset.activity.find(
      (a) => a.entryData.SpO2 !== undefined && !localMidnight(Date.parse(a.timestamp)),
    )!;
    const at = Date.parse(item.timestamp);
    const [energy] = await series('energy', at, at + 1);
    expect(energy).toMatchObject({ unit: 'kcal', is_daily_total: false });
    expect(energy!.value).toBeCloseTo((item.entryData.EnergyConsumption as number) / 4184, 3);
    const [spo2] = await series('oxygen_saturation', at, at + 1);
    expect(spo2).toMatchObject({
      unit: 'percent',
      value: Math.round((item.entryData.SpO2 as number) * 100 * 1000) / 1000,
    });
    const night = dataset.sleep.find((s) => !s.entryData.IsNap)!;
    const wake = Date.parse(String(night.entryData.BedtimeEnd));
    expect((await series('resting_heart_rate', wake, wake + 1))[0]).toMatchObject({
      value: night.entryData.HRMin,
      unit: 'bpm',
    });
    expect((await series('heart_rate_variability_rmssd', wake, wake + 1))[0]).toMatchObject({
      value: night.entryData.AvgHRV,
      unit: 'ms',
    });
  });

  it('nights and naps, recovery x 100, stress, and the day’s steps from Suunto’s daily total', async () => {
    const sleep = (
      await sandbox.get(
        `/api/v1/users/${userId}/events/sleep?${dates(Date.now() - 30 * DAY, Date.now() + DAY)}&limit=100`,
      )
    ).data as Array<{ is_nap: boolean; start_time: string }>;
    expect(sleep).toHaveLength(dataset.sleep.length);
    expect(sleep.filter((s) => s.is_nap)).toHaveLength(dataset.sleep.filter((s) => s.entryData.IsNap).length);

    const recovery = dataset.recovery.at(-1)!;
    const scores = await sandbox.get(`/api/v1/users/${userId}/health-scores?category=recovery&limit=1000`);
    expect(scores.pagination.total_count).toBe(dataset.recovery.length);
    const score = scores.data.find(
      (s: { recorded_at: string }) => Date.parse(s.recorded_at) === Date.parse(recovery.timestamp),
    );
    expect(score).toMatchObject({
      provider: 'suunto',
      value: Math.round((recovery.entryData.Balance as number) * 100 * 100) / 100,
      zone_offset: '+02:00',
    });
    const stress = await sandbox.get(`/api/v1/users/${userId}/health-scores?category=stress&limit=1`);
    expect(stress.data[0]).toMatchObject({
      provider: 'suunto',
      qualifier: expect.stringMatching(/relaxing|active|passive|stressful/),
    });

    const date = isoAt(Date.now() - 3 * DAY, OFFSET).slice(0, 10);
    const midnight = Date.parse(`${date}T00:00:00+02:00`);
    const expected = dataset.activity
      .filter((a) => Date.parse(a.timestamp) >= midnight && Date.parse(a.timestamp) < midnight + DAY)
      .reduce((sum, a) => sum + (a.entryData.StepCount as number), 0);
    const next = isoAt(midnight + DAY, OFFSET).slice(0, 10);
    const days = (
      await sandbox.get(`/api/v1/users/${userId}/summaries/activity?start_date=${date}&end_date=${next}`)
    ).data as Array<{ date: string; steps: number }>;
    expect(days.find((d) => d.date === date)?.steps).toBe(expected);
    const [total] = (await series('steps', midnight, midnight + 1)).filter((s) => s.is_daily_total);
    expect(total?.value).toBe(expected);
  });

  it('a signed WORKOUT_CREATED is acknowledged in time and the workout and its samples are fetched', async () => {
    const before = (await workouts()).length;
    const { recorded, delivery } = await fake.addWorkout(DEFAULT_SUUNTO_USER, {
      activityId: 22,
      start: Date.now() - 2 * 3_600_000,
      sampleSeconds: 60,
    });
    expect(delivery).toMatchObject({ status: 200 });
    const added = await until(
      'the pushed workout',
      async () =>
        (await workouts()).find((w) => Date.parse(String(w.start_time)) === recorded.workout.startTime),
      PUSH_WAIT_MS,
    );
    expect(added).toMatchObject({ type: 'trail_running', distance_meters: recorded.workout.totalDistance });
    expect(await workouts()).toHaveLength(before + 1);
    const hr = await series('heart_rate', recorded.workout.startTime, recorded.workout.stopTime);
    expect(hr.filter((s) => s.value > 0).length).toBeGreaterThanOrEqual(recorded.samples.length);
  }, 90_000);

  it('a signed 24/7 push is stored as sent, without a request to Suunto; a wrongly signed one is refused (401)', async () => {
    const at = Date.now() - 5 * 60_000;
    const items = [
      { timestamp: isoAt(at, OFFSET), entryData: { HR: 131, StepCount: 77, EnergyConsumption: 8368 } },
    ];
    const requests = fake.requests.length;
    expect(
      await fake.push(
        {
          type: 'SUUNTO_247_ACTIVITY_CREATED',
          username: DEFAULT_SUUNTO_USER,
          samples: [{ timestamp: isoAt(at, OFFSET), entryData: { HR: 199 } }],
        },
        'invalid',
      ),
    ).toMatchObject({ status: 401 });
    // Samples the fake's API does not have: what lands can only come from the push.
    const pushed = { type: 'SUUNTO_247_ACTIVITY_CREATED', username: DEFAULT_SUUNTO_USER, samples: items };
    expect(await fake.push(pushed)).toMatchObject({ status: 200 });
    const [energy] = await until(
      'the pushed sample',
      async () => {
        const found = await series('energy', at, at + 1);
        return found.length > 0 ? found : undefined;
      },
      PUSH_WAIT_MS,
    );
    expect(energy).toMatchObject({ value: 2, unit: 'kcal' });
    expect((await series('heart_rate', at, at + 1)).map((s) => s.value)).toEqual([131]);
    expect(fake.requests.length).toBe(requests);
  }, 90_000);

  it('disconnect: the connection is revoked; Suunto’s later pushes are still acknowledged', async () => {
    const gone = await sandbox.api('DELETE', `/api/v1/users/${userId}/connections/suunto`, {
      headers: sandbox.apiKey,
    });
    expect(gone.status).toBe(204);
    const [connection] = await sandbox.get(`/api/v1/users/${userId}/connections`);
    expect(connection).toMatchObject({ provider: 'suunto', status: 'revoked' });
    const late = await fake.add247(DEFAULT_SUUNTO_USER, 'activity', [
      { timestamp: isoAt(Date.now(), OFFSET), entryData: { HR: 80 } },
    ]);
    expect(late).toMatchObject({ status: 200 });
    expect(fake.deliveries.filter((d) => d.signature === 'valid').every((d) => d.status === 200)).toBe(true);
  });
});
