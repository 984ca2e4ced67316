import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeFitbit, generateActivities, startFakeFitbit } from '#test/fakes/fitbit.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { type FakeUltrahuman, startFakeUltrahuman } from '#test/fakes/ultrahuman.js';
import { type E2eSession, RUN_WAIT_MS, startE2eSession } from '#test/helpers/e2e-session.js';

/**
 * The whole cloud-provider path over HTTP, as an integrator and an end user's browser drive it: authorize ->
 * consent on the (fake) provider -> callback -> 90-day backfill through SQS and the sync worker -> data visible
 * through the read API -> the connection shows `last_synced_at`.
 */
const DAY = 86_400_000;
let fitbit: FakeFitbit;
let ultrahuman: FakeUltrahuman;
let sandbox: E2eSession;

beforeAll(async () => {
  // A Fitbit backfill (workouts, sleep, and two requests a day) is ~190 requests: above Fitbit's 150 an hour.
  [fitbit, ultrahuman] = await Promise.all([
    startFakeFitbit({ rateLimitPerHour: 1000 }),
    startFakeUltrahuman(),
  ]);
  fitbit.setActivities('FAKE01', generateActivities({ days: 120, end: Date.now(), seed: 7 }));
  sandbox = await startE2eSession({
    env: {
      ...fakeProviderEnv('FITBIT', fitbit),
      ...fakeProviderEnv('ULTRAHUMAN', ultrahuman),
      HISTORICAL_SYNC_ON_CONNECT: 'true',
    },
  });
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  await Promise.all([fitbit?.stop(), ultrahuman?.stop()]);
});

/**
 * A backfill is 91 provider requests and, for Ultrahuman, some 8,000 DynamoDB Local writes (three series of 24
 * hourly chunks a day, plus sources, the night and the score), all through the local queue and worker. A test that
 * waits for a backfill has the wait plus a margin for connecting and reading back.
 */
const BACKFILL_TEST_MS = RUN_WAIT_MS + 60_000;
const REDIRECT = 'https://app.example/done';

async function connect(provider: string, userId: string) {
  const { callback } = await sandbox.connect(provider, userId, { redirectUri: REDIRECT });
  expect(callback.headers.get('location')).toBe(REDIRECT);
}

describe('provider connection end to end', () => {
  it('lists both providers as enabled once their credentials are configured', async () => {
    const providers = await sandbox.api('GET', '/api/v1/oauth/providers?enabled_only=true&cloud_only=true');
    expect(providers.json.map((p: { provider: string }) => p.provider).sort()).toEqual([
      'fitbit',
      'ultrahuman',
    ]);
  });

  it('Fitbit: connect, backfill 90 days of workouts, read them back', {
    timeout: BACKFILL_TEST_MS,
  }, async () => {
    const userId = await sandbox.createUser();
    await connect('fitbit', userId);
    const run = await sandbox.waitForRun(userId, 'fitbit');
    expect(run.status).toBe('success');

    const since = Date.now() - 90 * DAY;
    const expected = fitbit.activities('FAKE01').filter((a) => Date.parse(a.startTime) >= since).length;
    const workouts = await sandbox.get(
      `/api/v1/users/${userId}/events/workouts?start_date=${Math.floor(since / 1000) - 86_400}&end_date=${Math.ceil(Date.now() / 1000) + 86_400}&limit=100`,
    );
    expect(workouts.pagination.total_count).toBeGreaterThanOrEqual(expected);
    expect(workouts.data[0].source.provider).toBe('fitbit');

    const [connection] = await sandbox.get(`/api/v1/users/${userId}/connections`);
    expect(connection).toMatchObject({
      provider: 'fitbit',
      status: 'active',
      provider_user_id: 'FAKE01',
      rest_pull: true,
    });
    expect(connection.last_synced_at).not.toBeNull();
    expect(JSON.stringify(connection)).not.toMatch(/access_token|refresh_token|tokens/);

    const unconnected = await sandbox.createUser();
    const listed = (await sandbox.get('/api/v1/users?limit=100')).items as Array<{
      id: string;
      has_active_connection: boolean;
      last_synced_provider: string | null;
    }>;
    expect(listed.find((u) => u.id === userId)).toMatchObject({
      has_active_connection: true,
      last_synced_provider: 'fitbit',
    });
    expect(listed.find((u) => u.id === unconnected)?.has_active_connection).toBe(false);
  });

  it('Ultrahuman: connect, backfill, heart rate, sleep and the recovery score are readable', {
    timeout: BACKFILL_TEST_MS,
  }, async () => {
    const userId = await sandbox.createUser();
    await connect('ultrahuman', userId);
    await sandbox.waitForRun(userId, 'ultrahuman');
    const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    const today = new Date().toISOString().slice(0, 10);
    const hr = await sandbox.get(
      `/api/v1/users/${userId}/timeseries?types=heart_rate&start_time=${yesterday}&end_time=${today}&resolution=1hour&limit=24`,
    );
    expect(hr.data.length).toBeGreaterThan(0);
    expect(hr.data[0].source.provider).toBe('ultrahuman');
    const sleep = await sandbox.get(
      `/api/v1/users/${userId}/events/sleep?start_date=${Math.floor((Date.now() - 10 * DAY) / 1000)}&end_date=${Math.ceil(Date.now() / 1000) + 86_400}`,
    );
    expect(sleep.data.length).toBeGreaterThan(0);
    const scores = await sandbox.get(`/api/v1/users/${userId}/health-scores?category=recovery`);
    expect(scores.pagination.total_count).toBeGreaterThan(0);
    expect(scores.data[0].provider).toBe('ultrahuman');
  });

  it('a rate-limited provider delays the job instead of failing it, and the sync still completes', {
    timeout: BACKFILL_TEST_MS,
  }, async () => {
    const userId = await sandbox.createUser();
    ultrahuman.rateLimitNext(1, 1);
    await connect('ultrahuman', userId);
    const run = await sandbox.waitForRun(userId, 'ultrahuman');
    expect(run.status).toBe('success');
    expect(ultrahuman.requests.some((r) => r.status === 429)).toBe(true);
  });

  it('a consent the user denies ends on the error page', async () => {
    const { callback } = await sandbox.connect('fitbit', await sandbox.createUser(), { decision: 'deny' });
    expect(callback.headers.get('location')).toMatch(/^\/api\/v1\/oauth\/error\?message=access_denied/);
  });
});
