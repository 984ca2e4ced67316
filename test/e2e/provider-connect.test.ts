import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeFitbit, generateActivities, startFakeFitbit } from '#test/fakes/fitbit.js';
import { followConsent } from '#test/fakes/oauth-fake.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { type FakeUltrahuman, startFakeUltrahuman } from '#test/fakes/ultrahuman.js';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';

/**
 * The whole cloud-provider path over HTTP, as an integrator and an end user's browser drive it: authorize ->
 * consent on the (fake) provider -> callback -> 90-day backfill through SQS and the sync worker -> data visible
 * through the read API -> the connection shows `last_synced_at`.
 */
const DAY = 86_400_000;
let fitbit: FakeFitbit;
let ultrahuman: FakeUltrahuman;
let sandbox: TestSandbox;
let headers: Record<string, string>;

beforeAll(async () => {
  // A Fitbit backfill (workouts, sleep, and two requests a day) is ~190 requests: above Fitbit's 150 an hour.
  [fitbit, ultrahuman] = await Promise.all([
    startFakeFitbit({ rateLimitPerHour: 1000 }),
    startFakeUltrahuman(),
  ]);
  fitbit.setActivities('FAKE01', generateActivities({ days: 120, end: Date.now(), seed: 7 }));
  sandbox = await startTestSandbox({
    env: {
      ...fakeProviderEnv('FITBIT', fitbit),
      ...fakeProviderEnv('ULTRAHUMAN', ultrahuman),
      HISTORICAL_SYNC_ON_CONNECT: 'true',
    },
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
  await Promise.all([fitbit?.stop(), ultrahuman?.stop()]);
});

async function connect(provider: string, userId: string) {
  const authorize = await sandbox.api(
    'GET',
    `/api/v1/oauth/${provider}/authorize?user_id=${userId}&redirect_uri=${encodeURIComponent('https://app.example/done')}`,
    { headers },
  );
  expect(authorize.status).toBe(200);
  const consent = await followConsent(authorize.json.authorization_url, 'allow');
  const callback = await fetch(consent.location!.replace(sandbox.apiBaseUrl, sandbox.url), {
    redirect: 'manual',
  });
  expect(callback.status).toBe(303);
  expect(callback.headers.get('location')).toBe('https://app.example/done');
}

/**
 * A backfill is 91 provider requests and, for Ultrahuman, some 8,000 DynamoDB Local writes (three series of 24
 * hourly chunks a day, plus sources, the night and the score), all through the local queue and worker: ~15 s on an
 * idle machine, several times that on a busy one. The wait is bounded by BACKFILL_WAIT_MS, and a test that waits
 * for a backfill has BACKFILL_TEST_MS, the wait plus a margin for connecting and reading back.
 */
const BACKFILL_WAIT_MS = 150_000;
const BACKFILL_TEST_MS = BACKFILL_WAIT_MS + 60_000;

/** Polls `probe` until it returns a value; `waitingFor` says what, and what was seen last, when it gives up. */
async function until<T>(
  probe: () => Promise<T | undefined>,
  waitingFor: () => string,
  timeoutMs = BACKFILL_WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${waitingFor()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

type SyncRun = { provider: string; stage: string; status: string };

const completedRun = (userId: string, provider: string) => {
  let seen: SyncRun[] = [];
  return until(
    async () => {
      const runs = await sandbox.api('GET', `/api/v1/users/${userId}/sync/runs`, { headers });
      seen = runs.json as SyncRun[];
      return seen.find((r) => r.provider === provider && r.stage === 'completed');
    },
    () => `the ${provider} backfill to complete; runs: ${JSON.stringify(seen)}`,
  );
};

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
    const user = await sandbox.api('POST', '/api/v1/users', { headers, json: {} });
    await connect('fitbit', user.json.id);
    const run = await completedRun(user.json.id, 'fitbit');
    expect(run.status).toBe('success');

    const since = Date.now() - 90 * DAY;
    const expected = fitbit.activities('FAKE01').filter((a) => Date.parse(a.startTime) >= since).length;
    const workouts = await sandbox.api(
      'GET',
      `/api/v1/users/${user.json.id}/events/workouts?start_date=${Math.floor(since / 1000) - 86_400}&end_date=${Math.ceil(Date.now() / 1000) + 86_400}&limit=100`,
      { headers },
    );
    expect(workouts.status).toBe(200);
    expect(workouts.json.pagination.total_count).toBeGreaterThanOrEqual(expected);
    expect(workouts.json.data[0].source.provider).toBe('fitbit');

    const [connection] = (await sandbox.api('GET', `/api/v1/users/${user.json.id}/connections`, { headers }))
      .json;
    expect(connection).toMatchObject({
      provider: 'fitbit',
      status: 'active',
      provider_user_id: 'FAKE01',
      rest_pull: true,
    });
    expect(connection.last_synced_at).not.toBeNull();
    expect(JSON.stringify(connection)).not.toMatch(/access_token|refresh_token|tokens/);

    const unconnected = await sandbox.api('POST', '/api/v1/users', { headers, json: {} });
    const listed = (await sandbox.api('GET', '/api/v1/users?limit=100', { headers })).json.items as Array<{
      id: string;
      has_active_connection: boolean;
      last_synced_provider: string | null;
    }>;
    expect(listed.find((u) => u.id === user.json.id)).toMatchObject({
      has_active_connection: true,
      last_synced_provider: 'fitbit',
    });
    expect(listed.find((u) => u.id === unconnected.json.id)?.has_active_connection).toBe(false);
  });

  it('Ultrahuman: connect, backfill, heart rate, sleep and the recovery score are readable', {
    timeout: BACKFILL_TEST_MS,
  }, async () => {
    const user = await sandbox.api('POST', '/api/v1/users', { headers, json: {} });
    await connect('ultrahuman', user.json.id);
    await completedRun(user.json.id, 'ultrahuman');
    const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    const today = new Date().toISOString().slice(0, 10);
    const hr = await sandbox.api(
      'GET',
      `/api/v1/users/${user.json.id}/timeseries?types=heart_rate&start_time=${yesterday}&end_time=${today}&resolution=1hour&limit=24`,
      { headers },
    );
    expect(hr.json.data.length).toBeGreaterThan(0);
    expect(hr.json.data[0].source.provider).toBe('ultrahuman');
    const sleep = await sandbox.api(
      'GET',
      `/api/v1/users/${user.json.id}/events/sleep?start_date=${Math.floor((Date.now() - 10 * DAY) / 1000)}&end_date=${Math.ceil(Date.now() / 1000) + 86_400}`,
      { headers },
    );
    expect(sleep.json.data.length).toBeGreaterThan(0);
    const scores = await sandbox.api('GET', `/api/v1/users/${user.json.id}/health-scores?category=recovery`, {
      headers,
    });
    expect(scores.json.pagination.total_count).toBeGreaterThan(0);
    expect(scores.json.data[0].provider).toBe('ultrahuman');
  });

  it('a rate-limited provider delays the job instead of failing it, and the sync still completes', {
    timeout: BACKFILL_TEST_MS,
  }, async () => {
    const user = await sandbox.api('POST', '/api/v1/users', { headers, json: {} });
    ultrahuman.rateLimitNext(1, 1);
    await connect('ultrahuman', user.json.id);
    const run = await completedRun(user.json.id, 'ultrahuman');
    expect(run.status).toBe('success');
    expect(ultrahuman.requests.some((r) => r.status === 429)).toBe(true);
  });

  it('a consent the user denies ends on the error page', async () => {
    const user = await sandbox.api('POST', '/api/v1/users', { headers, json: {} });
    const authorize = await sandbox.api('GET', `/api/v1/oauth/fitbit/authorize?user_id=${user.json.id}`, {
      headers,
    });
    const consent = await followConsent(authorize.json.authorization_url, 'deny');
    const callback = await fetch(consent.location!.replace(sandbox.apiBaseUrl, sandbox.url), {
      redirect: 'manual',
    });
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toMatch(/^\/api\/v1\/oauth\/error\?message=access_denied/);
  });
});
