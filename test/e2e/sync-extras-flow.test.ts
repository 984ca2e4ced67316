import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLAR_USER, type FakePolar, generatePolarDays, startFakePolar } from '#test/fakes/polar.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { type E2eSession, RUN_WAIT_MS, startE2eSession, until } from '#test/helpers/e2e-session.js';

/**
 * The newest reference's smaller routes through the sandbox over HTTP (its env, its write scopes, its HEAD
 * handling), against the fake Polar: the OAuth callback's HEAD probe, the stored run of the backfill after a connect,
 * the vendor passthrough, and a sync run inline (`async=false`).
 */
const DAY = 86_400_000;
let polar: FakePolar;
let sandbox: E2eSession;
let userId: string;

beforeAll(async () => {
  polar = await startFakePolar();
  polar.seed(
    DEFAULT_POLAR_USER,
    generatePolarDays({
      userId: String(DEFAULT_POLAR_USER),
      days: 10,
      end: Date.now(),
      exerciseSampleSeconds: 60,
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

describe('sync history, vendor workouts, inline sync and the callback probe over HTTP', () => {
  it('HEAD /oauth/{provider}/callback: 200 with no body for an OAuth provider, 400 for an SDK one', async () => {
    const probe = await fetch(`${sandbox.url}/api/v1/oauth/polar/callback`, { method: 'HEAD' });
    expect(probe.status).toBe(200);
    expect(await probe.text()).toBe('');
    expect((await fetch(`${sandbox.url}/api/v1/oauth/apple/callback`, { method: 'HEAD' })).status).toBe(400);
  });

  it('the backfill after a connect is stored with its breakdown by data type', {
    timeout: RUN_WAIT_MS + 60_000,
  }, async () => {
    userId = await sandbox.createUser();
    await sandbox.connect('polar', userId);
    const run = await sandbox.waitForRun(userId, 'polar');
    // The run's stored record is written just after its `completed` status: wait for it to end too.
    const history = await until("the run's stored record to end", async () => {
      const records = await sandbox.get(`/api/v1/users/${userId}/sync/history?scope=historical`);
      return records.every((r: { status: string }) => r.status !== 'in_progress') ? records : undefined;
    });
    expect(history).toEqual([
      expect.objectContaining({ run_key: run.run_id, scope: 'historical', status: run.status }),
    ]);
    const detail = await sandbox.get(`/api/v1/sync/history/${run.run_id}`);
    expect(detail.data_types).toEqual(
      expect.arrayContaining([expect.objectContaining({ data_type: 'workout', kind: 'event' })]),
    );
    expect(detail.items_inserted).toBeGreaterThan(0);
  });

  it("the vendor passthrough answers Polar's own exercises, live", async () => {
    const exercises = await sandbox.get(`/api/v1/providers/polar/users/${userId}/workouts`);
    const ids = polar
      .data(DEFAULT_POLAR_USER)
      .exercises.filter((e) => Date.now() - Date.parse(String(e.upload_time)) < 30 * DAY)
      .map((e) => e.id);
    expect(exercises.map((e: { id: string }) => e.id).sort()).toEqual([...ids].sort());
    const one = await sandbox.get(`/api/v1/providers/polar/users/${userId}/workouts/${ids[0]}?samples=true`);
    expect(one).toMatchObject({ id: ids[0], samples: expect.any(Array) });
  });

  it('async=false runs the sync in the request and answers its result', async () => {
    const response = await sandbox.api('POST', `/api/v1/providers/polar/users/${userId}/sync?async=false`, {
      headers: sandbox.apiKey,
    });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({
      success: true,
      async: false,
      details: { workouts: true, data_247: true },
      run: { status: 'success', stage: 'completed' },
    });
    const live = await sandbox.get(`/api/v1/users/${userId}/sync/history?scope=live`);
    expect(live[0]).toMatchObject({ run_key: response.json.task_id, status: 'success' });
  });
});
