import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import {
  DEFAULT_SENSORBIO_USER,
  type FakeSensorbio,
  type SensorbioDataset,
  startFakeSensorbio,
} from '#test/fakes/sensorbio.js';
import {
  dates,
  type E2eSession,
  iso,
  RUN_WAIT_MS,
  type SyncRun,
  startE2eSession,
  times,
} from '#test/helpers/e2e-session.js';

/**
 * SensorBio end to end over HTTP, against the fake speaking its real formats: connect (OAuth through the fake's
 * consent page) -> the 90-day backfill, one UTC day per unit, cursors bounded to the day -> heart rate, daily
 * distance in meters, workouts, nights and scores readable through the read API with their values and units ->
 * no webhook (SensorBio has none: the ingress answers 501) -> a live sync after the provider expired the token
 * refreshes it and changes nothing already stored -> disconnect.
 */
const DAY = 86_400_000;

let fake: FakeSensorbio;
let sandbox: E2eSession;
let dataset: SensorbioDataset;
let userId: string;
let connectedAt: number;

beforeAll(async () => {
  fake = await startFakeSensorbio({ names: { [DEFAULT_SENSORBIO_USER]: 'Grace' } });
  dataset = fake.seed(DEFAULT_SENSORBIO_USER, { days: 100, seed: 11 });
  sandbox = await startE2eSession({
    env: { ...fakeProviderEnv('SENSORBIO', fake), HISTORICAL_SYNC_ON_CONNECT: 'true' },
  });
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  await fake?.stop();
});

/** Waits for a run that ended, completed or failed: a failed one fails the test at once. */
const finishedRun = (match: (run: SyncRun) => boolean) =>
  sandbox.waitForRun(userId, (r) => match(r) && ['completed', 'failed'].includes(r.stage));
const read = (path: string) => sandbox.get(`/api/v1/users/${userId}${path}`);

/** How the read API writes an instant: whole seconds, `Z`. */
const apiTime = (ms: number) => iso(ms).replace('.000Z', 'Z');
const dayStartOf = (ms: number) => Math.floor(ms / DAY) * DAY;
/** A full day well inside the backfill. */
const dayStart = () => dayStartOf(connectedAt) - 10 * DAY;
const dateOf = (ms: number) => iso(ms).slice(0, 10);

describe('SensorBio', () => {
  it('is listed as enabled once its credentials are configured', async () => {
    const providers = await sandbox.api('GET', '/api/v1/oauth/providers?enabled_only=true&cloud_only=true');
    expect(providers.json.map((p: { provider: string }) => p.provider)).toContain('sensorbio');
  });

  it('connect: consent on the fake, standard callback, no scope sent; the 90-day backfill completes', {
    timeout: RUN_WAIT_MS + 60_000,
  }, async () => {
    userId = await sandbox.createUser();
    connectedAt = Date.now();
    const { authorizationUrl } = await sandbox.connect('sensorbio', userId);
    const url = new URL(authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(fake.authorizeUrl);
    expect(url.searchParams.get('redirect_uri')).toBe(
      `${sandbox.apiBaseUrl}/api/v1/oauth/sensorbio/callback`,
    );
    expect(url.searchParams.has('scope')).toBe(false);
    const [connection] = await read('/connections');
    expect(connection).toMatchObject({
      provider: 'sensorbio',
      status: 'active',
      provider_user_id: DEFAULT_SENSORBIO_USER,
      provider_username: 'Grace',
    });

    const run = await finishedRun((r) => r.provider === 'sensorbio');
    expect(run).toMatchObject({ stage: 'completed', status: 'success' });
  });

  it('the backfill read one day per unit, each cursor bounded to its day (never walked from 0)', () => {
    const units = fake.requests.filter((r) => r.path === '/v1/sleep').length;
    expect(units).toBeGreaterThanOrEqual(91);
    expect(units).toBeLessThanOrEqual(92);
    const cursors = fake.requests.filter((r) => r.path === '/v1/biometrics' || r.path === '/v1/activities');
    const firstDay = dayStartOf(connectedAt - 90 * DAY) - DAY;
    for (const request of cursors) expect(Number(request.query['last-timestamp'])).toBeGreaterThan(firstDay);
    // 96 biometrics a day are two pages of 50: the walk never reads more than its day needs.
    expect(fake.counts()['/v1/biometrics']).toBeLessThanOrEqual(2 * units);
  });

  it('heart rate and HRV samples of half a day, in bpm and ms, at the times SensorBio sent them', async () => {
    const start = dayStart();
    const end = start + DAY / 2;
    const expected = dataset.biometrics.filter(
      (r) => Number(r.timestamp) >= start && Number(r.timestamp) < end,
    );
    const samples = async (type: string) => {
      const page = await read(`/timeseries?types=${type}&${times(start, end)}&limit=100`);
      return (
        page.data as Array<{ timestamp: string; value: number; unit: string; is_daily_total: null }>
      ).filter((s) => Date.parse(s.timestamp) < end);
    };
    const hr = await samples('heart_rate');
    expect(hr.map((s) => [s.timestamp, s.value])).toEqual(
      expected.map((r) => [apiTime(Number(r.timestamp)), r.bpm]),
    );
    expect(hr[0]).toMatchObject({ unit: 'bpm', is_daily_total: null, source: { provider: 'sensorbio' } });
    const hrv = await samples('heart_rate_variability_rmssd');
    expect(hrv.map((s) => [s.timestamp, s.value])).toEqual(
      expected.filter((r) => r.hrv !== null).map((r) => [apiTime(Number(r.timestamp)), r.hrv]),
    );
    expect(hrv[0]?.unit).toBe('ms');
  });

  it('daily distance arrives in km and reads in meters, as the day total; steps likewise', async () => {
    const start = dayStart();
    const metrics = dataset.steps[dateOf(start)]!.metrics as Array<{ name: string; value: number }>;
    const km = metrics.find((m) => m.name === 'Distance')!.value;
    const series = await read(
      `/timeseries?types=distance_walking_running&types=steps&${times(start, start + DAY)}`,
    );
    const distance = series.data.find((s: { type: string }) => s.type === 'distance_walking_running');
    expect(distance).toMatchObject({ timestamp: apiTime(start), unit: 'meters', is_daily_total: true });
    expect(distance.value).toBeCloseTo(km * 1000, 3);
    const steps = series.data.find((s: { type: string }) => s.type === 'steps');
    expect(steps.value).toBe(metrics.find((m) => m.name === 'Steps')!.value);
  });

  it('workouts: every activity of the window, with its type, meters, kcal and heart rate', async () => {
    const from = dayStartOf(connectedAt - 90 * DAY);
    const expected = dataset.activities.filter((r) => Number(r.timestamp) >= from);
    const page = await read(`/events/workouts?${dates(from - DAY, connectedAt + DAY)}&limit=100`);
    expect(page.pagination.total_count).toBe(expected.length);
    const stats = expected.at(-1)!;
    const activity = (
      stats.activities as Array<{
        start_time: number;
        duration: number;
        calories: number;
        distance: number | null;
        cardio_metrics: { avg_bpm: number };
      }>
    )[0]!;
    const workout = page.data.find(
      (w: { start_time: string }) => w.start_time === apiTime(activity.start_time),
    );
    expect(workout).toMatchObject({
      duration_seconds: activity.duration,
      calories_kcal: activity.calories,
      avg_heart_rate_bpm: activity.cardio_metrics.avg_bpm,
      source: { provider: 'sensorbio' },
    });
    if (activity.distance !== null) expect(workout.distance_meters).toBe(activity.distance);
  });

  it('nights: epoch-second sessions at the right time, minutes per stage, no stage timeline', async () => {
    const start = dayStart();
    const night = dataset.sleep[dateOf(start)]![0]!;
    const page = await read(`/events/sleep?${dates(start - DAY, start + DAY)}&limit=100`);
    const event = page.data.find(
      (e: { start_time: string }) => e.start_time === apiTime(Number(night.start_timestamp) * 1000),
    );
    expect(event).toMatchObject({
      end_time: apiTime(Number(night.end_timestamp) * 1000),
      stages: {
        deep_minutes: night.deep_sleep_mins,
        light_minutes: night.light_sleep_mins,
        rem_minutes: night.rem_sleep_mins,
        awake_minutes: night.awake_time_mins,
      },
      is_nap: false,
    });
    expect(event.sleep_stage_intervals ?? null).toBeNull();
  });

  it('scores: recovery with its stage, activity and sleep, at the day', async () => {
    const start = dayStart();
    const expected = dataset.scores[dateOf(start)] as {
      recovery: { value: number; stage: string };
      activity: { value: number };
      sleep: { value: number };
    };
    const scores = await read(`/health-scores?${dates(start, start + 1000)}&limit=10`);
    const byCategory = Object.fromEntries(scores.data.map((s: { category: string }) => [s.category, s]));
    expect(byCategory.recovery).toMatchObject({
      value: expected.recovery.value,
      qualifier: expected.recovery.stage,
      provider: 'sensorbio',
    });
    expect(byCategory.activity.value).toBe(expected.activity.value);
    expect(byCategory.sleep.value).toBe(expected.sleep.value);
  });

  it('SensorBio has no webhooks: the ingress refuses with 501', async () => {
    const response = await sandbox.api('POST', '/api/v1/providers/sensorbio/webhooks', { json: {} });
    expect(response.status).toBe(501);
  });

  it('a live sync after the token expired at SensorBio refreshes it and leaves stored data as it was', {
    timeout: RUN_WAIT_MS + 30_000,
  }, async () => {
    const workoutsBefore = (
      await read(`/events/workouts?${dates(connectedAt - 91 * DAY, Date.now() + DAY)}&limit=100`)
    ).pagination.total_count;
    fake.oauth.expireAccessTokens();
    const refreshes = fake.oauth.counters.refreshes;
    fake.requests.length = 0;
    const queued = await sandbox.api('POST', `/api/v1/providers/sensorbio/users/${userId}/sync`, {
      headers: sandbox.apiKey,
    });
    expect(queued.status).toBe(200);
    const run = await finishedRun((r) => r.run_id === queued.json.task_id);
    expect(run).toMatchObject({ stage: 'completed', status: 'success' });
    expect(fake.oauth.counters.refreshes).toBe(refreshes + 1);
    // The live window is the last hour or so: today (and yesterday around midnight), nothing older.
    const sleepDates = fake.requests
      .filter((r) => r.path === '/v1/sleep' && r.status === 200)
      .map((r) => r.query.date);
    expect(sleepDates.length).toBeGreaterThan(0);
    for (const date of sleepDates)
      expect(Date.parse(`${date}T00:00:00Z`)).toBeGreaterThanOrEqual(dayStartOf(connectedAt) - DAY);
    const workoutsAfter = (
      await read(`/events/workouts?${dates(connectedAt - 91 * DAY, Date.now() + DAY)}&limit=100`)
    ).pagination.total_count;
    expect(workoutsAfter).toBe(workoutsBefore);
  });

  it('disconnect revokes the connection; the data stay readable', async () => {
    const response = await sandbox.api('DELETE', `/api/v1/users/${userId}/connections/sensorbio`, {
      headers: sandbox.apiKey,
    });
    expect(response.status).toBe(204);
    const [connection] = await read('/connections');
    expect(connection).toMatchObject({ provider: 'sensorbio', status: 'revoked' });
    const start = dayStart();
    const hr = await read(`/timeseries?types=heart_rate&${times(start, start + DAY)}&limit=100`);
    expect(hr.data.length).toBeGreaterThan(0);
  });
});
