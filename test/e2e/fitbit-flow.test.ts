import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeFitbit,
  type FitbitDay,
  generateActivities,
  generateFitbitDays,
  startFakeFitbit,
} from '#test/fakes/fitbit.js';
import { followConsent } from '#test/fakes/oauth-fake.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';

/**
 * Fitbit over HTTP, from the listing that marks it deprecated to its revocation: connect through the fake's
 * consent (FITBIT_SUNSET=false, as in the tests' environment) -> 90-day backfill -> heart rate, resting heart rate,
 * daily totals, sleep with stages and workouts in the read API, in their units and the user's zone (India, +05:30)
 * -> the API shuts down (410) -> the next sync fails naming google_health and the connection is revoked.
 */
const DAY = 86_400_000;
const OFFSET_MINUTES = 330;
/** A backfill is ~190 Fitbit requests and some 3,000 DynamoDB Local writes: generous on a busy machine. */
const BACKFILL_WAIT_MS = 150_000;

let fitbit: FakeFitbit;
let sandbox: TestSandbox;
let headers: Record<string, string>;
let userId: string;
let days: FitbitDay[];

beforeAll(async () => {
  // Above Fitbit's 150 an hour: the backfill would otherwise wait for the top of the hour.
  fitbit = await startFakeFitbit({ rateLimitPerHour: 1000 });
  const now = Date.now();
  days = generateFitbitDays({ days: 95, end: now, seed: 11, offsetMinutes: OFFSET_MINUTES });
  fitbit.seed('FAKE01', days);
  fitbit.setActivities(
    'FAKE01',
    generateActivities({ days: 95, end: now, seed: 11, offsetMinutes: OFFSET_MINUTES }),
  );
  fitbit.setProfile('FAKE01', { timezone: 'Asia/Kolkata', offsetFromUTCMillis: OFFSET_MINUTES * 60_000 });
  sandbox = await startTestSandbox({
    env: { ...fakeProviderEnv('FITBIT', fitbit), HISTORICAL_SYNC_ON_CONNECT: 'true' },
  });
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
  await fitbit?.stop();
});

type SyncRun = { provider: string; stage: string; status: string; message: string };

async function runs(): Promise<SyncRun[]> {
  return (await sandbox.api('GET', `/api/v1/users/${userId}/sync/runs`, { headers })).json as SyncRun[];
}

/** Polls until `count` runs of the user have ended (completed or failed). */
async function endedRuns(count: number): Promise<SyncRun[]> {
  const deadline = Date.now() + BACKFILL_WAIT_MS;
  for (;;) {
    const seen = await runs();
    const ended = seen.filter((r) => r.stage === 'completed' || r.stage === 'failed');
    if (ended.length >= count) return ended;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${count} ended runs: ${JSON.stringify(seen)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const read = async (path: string) => {
  const answer = await sandbox.api('GET', `/api/v1/users/${userId}${path}`, { headers });
  expect(answer.status).toBe(200);
  return answer.json;
};

/** Local `yyyy-MM-dd` (+ `HH:mm:ss`) at +05:30 -> the API's ISO time. */
const isoOf = (date: string, time = '00:00:00') => new Date(`${date}T${time}+05:30`).toISOString();

describe('Fitbit end to end', () => {
  it('the provider listing marks Fitbit deprecated, replaced by google_health', async () => {
    const listed = await sandbox.api('GET', '/api/v1/oauth/providers?cloud_only=true');
    expect(listed.json.find((p: { provider: string }) => p.provider === 'fitbit')).toMatchObject({
      is_enabled: true,
      deprecated: true,
      replaced_by: 'google_health',
      deprecation_message: expect.stringContaining('google_health'),
    });
  });

  it('connect, backfill, and read heart rate, daily totals, sleep and workouts in their units', {
    timeout: BACKFILL_WAIT_MS + 60_000,
  }, async () => {
    userId = (await sandbox.api('POST', '/api/v1/users', { headers, json: {} })).json.id;
    const authorize = await sandbox.api('GET', `/api/v1/oauth/fitbit/authorize?user_id=${userId}`, {
      headers,
    });
    expect(authorize.status).toBe(200);
    const consent = await followConsent(authorize.json.authorization_url, 'allow');
    const callback = await fetch(consent.location!.replace(sandbox.apiBaseUrl, sandbox.url), {
      redirect: 'manual',
    });
    expect(callback.status).toBe(303);
    const [run] = await endedRuns(1);
    expect(run).toMatchObject({ provider: 'fitbit', stage: 'completed', status: 'success' });

    // A recorded day well inside the window.
    const day = days
      .slice(-10)
      .find((d) => d.summary && d.heart.length > 0 && d.sleep.some((s) => s.isMainSleep))!;
    const point = day.heart[day.heart.length >> 1]!;
    const heart = await read(
      `/timeseries?types=heart_rate&start_time=${isoOf(day.date, point.time)}&end_time=${new Date(Date.parse(isoOf(day.date, point.time)) + 1000).toISOString()}`,
    );
    expect(heart.data).toEqual([
      expect.objectContaining({
        type: 'heart_rate',
        value: point.value,
        unit: 'bpm',
        zone_offset: '+05:30',
        timestamp: expect.stringMatching(new RegExp(`^${isoOf(day.date, point.time).slice(0, 19)}`)),
      }),
    ]);
    expect(heart.data[0].source.provider).toBe('fitbit');

    const midnight = isoOf(day.date);
    const totals = await read(
      `/timeseries?types=steps&types=distance_walking_running&types=resting_heart_rate&types=energy&start_time=${midnight}&end_time=${new Date(Date.parse(midnight) + 1000).toISOString()}`,
    );
    const byType = Object.fromEntries(
      (totals.data as Array<{ type: string; value: number }>).map((sample) => [sample.type, sample]),
    );
    expect(byType.steps).toMatchObject({ value: day.summary!.steps, unit: 'count', is_daily_total: true });
    expect(byType.distance_walking_running).toMatchObject({ unit: 'meters', is_daily_total: true });
    expect(byType.distance_walking_running!.value).toBeCloseTo(day.summary!.distances[0]!.distance * 1000, 3);
    expect(byType.energy).toMatchObject({ value: day.summary!.activityCalories, unit: 'kcal' });
    expect(byType.resting_heart_rate).toMatchObject({ value: day.restingHeartRate, unit: 'bpm' });

    const next = new Date(Date.parse(day.date) + DAY).toISOString().slice(0, 10);
    const summaries = await read(`/summaries/activity?start_date=${day.date}&end_date=${next}`);
    const summary = (summaries.data as Array<{ date: string }>).find((row) => row.date === day.date);
    expect(summary).toMatchObject({
      date: day.date,
      steps: day.summary!.steps,
      active_calories_kcal: day.summary!.activityCalories,
      total_calories_kcal: day.summary!.activityCalories + day.summary!.caloriesBMR,
      active_minutes: day.summary!.fairlyActiveMinutes + day.summary!.veryActiveMinutes,
    });

    const night = day.sleep.find((s) => s.isMainSleep)!;
    const nightStart = Date.parse(`${night.startTime}+05:30`);
    const sleeps = await read(
      `/events/sleep?start_date=${new Date(nightStart - DAY).toISOString()}&end_date=${new Date(nightStart + DAY).toISOString()}&limit=100`,
    );
    type Session = { start_time: string; stages: Record<string, number>; sleep_stage_intervals: unknown[] };
    const session = (sleeps.data as Session[]).find((s) => Date.parse(s.start_time) === nightStart)!;
    expect(session).toMatchObject({
      zone_offset: '+05:30',
      is_nap: false,
      duration_seconds: night.duration / 1000,
      sleep_duration_seconds: night.minutesAsleep * 60,
      efficiency_percent: night.efficiency,
    });
    if (night.type === 'stages')
      expect(session.stages).toMatchObject({
        deep_minutes: night.levels.summary.deep?.minutes ?? 0,
        rem_minutes: night.levels.summary.rem?.minutes ?? 0,
      });
    expect(session.sleep_stage_intervals).toHaveLength(night.levels.data.length);

    const since = Date.now() - 89 * DAY;
    const workouts = await read(
      `/events/workouts?start_date=${new Date(since).toISOString()}&end_date=${new Date().toISOString()}&limit=100`,
    );
    const expected = fitbit.activities('FAKE01').filter((a) => Date.parse(a.startTime) >= since);
    expect(workouts.pagination.total_count).toBe(expected.length);
  });

  it('once the Web API is gone (410) the next sync fails naming google_health and revokes the connection', {
    timeout: BACKFILL_WAIT_MS + 30_000,
  }, async () => {
    fitbit.setGone(true);
    const queued = await sandbox.api('POST', `/api/v1/providers/fitbit/users/${userId}/sync`, { headers });
    expect(queued.status).toBeLessThan(300);
    const ended = await endedRuns(2);
    const failed = ended.find((r) => r.stage === 'failed')!;
    expect(failed.message).toMatch(/^fitbit answered 410 Gone: .*Fitbit Web API.*google_health/);
    const [connection] = (await sandbox.api('GET', `/api/v1/users/${userId}/connections`, { headers })).json;
    expect(connection).toMatchObject({ provider: 'fitbit', status: 'revoked' });
  });
});
