import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { createApiKey } from '#shared/identity/api-keys.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { createUser } from '#shared/identity/users.js';
import { QUEUES, SYNC_PROVIDERS, SYNC_QUEUES } from '#shared/jobs/queues.js';
import { apiDateTime } from '#shared/model/time.js';
import { type LocalSqs, startLocalSqs } from '#shared/sandbox/sqs.js';
import { getDeveloperByEmail } from '#shared/store/developers.js';
import { type SyncJob, syncJob } from '#shared/sync/enqueue.js';
import { recordSyncEvent, type SyncEventInput } from '#shared/sync/status.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { drainQueue } from '#test/helpers/local-queues.js';
import { handler } from '../../functions/sync.js';

const DAY = 86_400_000;
let sqs: LocalSqs;
let apiKey: string;
const urls = {} as Record<(typeof SYNC_PROVIDERS)[number], string>;

beforeAll(async () => {
  sqs = await startLocalSqs();
  for (const provider of SYNC_PROVIDERS) {
    const spec = QUEUES[SYNC_QUEUES[provider]];
    urls[provider] = await sqs.ensureQueue(spec.name);
    process.env[spec.urlVariable] = urls[provider];
  }
  process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
  resetEnvCache();
  await ensureAdminDeveloper();
  const admin = await getDeveloperByEmail(process.env.ADMIN_EMAIL!);
  apiKey = (await createApiKey('sync', admin!.id)).key;
});

afterAll(async () => {
  await sqs?.stop();
});

async function call(method: string, path: string, query: Record<string, string> = {}) {
  const result = (await handler(
    httpEvent(method, path, { headers: { 'x-open-wearables-api-key': apiKey }, query }),
    lambdaContext('sync'),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, body: result.body ? JSON.parse(result.body) : undefined };
}

const takeJobs = (provider: keyof typeof urls): Promise<SyncJob[]> =>
  drainQueue(urls[provider], (body) => syncJob.parse(body));

const syncPath = (provider: string, userId: string) => `/api/v1/providers/${provider}/users/${userId}/sync`;

describe('POST /providers/{provider}/users/{user_id}/sync', () => {
  it('queues a manual sync from the cursor and answers with its run id as task_id', async () => {
    const user = await createUser({});
    const before = Date.now();
    const { status, body } = await call('POST', syncPath('fitbit', user.id));
    expect(status).toBe(200);
    expect(body).toEqual({
      success: true,
      async: true,
      task_id: expect.stringMatching(/^pull_[0-9a-f]{16}$/),
      message: 'Sync task queued for fitbit. Check task status for results.',
    });
    const [job] = await takeJobs('fitbit');
    expect(job).toMatchObject({ run_id: body.task_id, user_id: user.id, mode: 'manual', from_cursor: true });
    expect(job!.window.end).toBeGreaterThanOrEqual(before);
    expect(job!.window.end - job!.window.start).toBe(30 * DAY);

    const recent = await call('GET', `/api/v1/users/${user.id}/sync/recent`);
    expect(recent.body).toEqual([
      expect.objectContaining({
        run_id: body.task_id,
        stage: 'queued',
        status: 'in_progress',
        source: 'pull',
      }),
    ]);
  });

  it('takes summary_start_time / summary_end_time as Unix seconds or ISO 8601', async () => {
    const user = await createUser({});
    const start = Math.floor(Date.now() / DAY) * DAY - 10 * DAY;
    const end = start + 9 * DAY;
    const { status } = await call('POST', syncPath('ultrahuman', user.id), {
      summary_start_time: String(start / 1000),
      summary_end_time: new Date(end).toISOString(),
    });
    expect(status).toBe(200);
    const [job] = await takeJobs('ultrahuman');
    expect(job).toMatchObject({ window: { start, end }, from_cursor: false });
    const bad = await call('POST', syncPath('ultrahuman', user.id), { summary_start_time: 'yesterday' });
    expect(bad).toEqual({
      status: 400,
      body: { detail: "Invalid datetime format: 'yesterday'. Expected ISO 8601 format or Unix timestamp." },
    });
  });

  it('refuses provider-specific parameters in async mode, naming them', async () => {
    const user = await createUser({});
    const { status, body } = await call('POST', syncPath('fitbit', user.id), {
      limit: '10',
      since: '5',
      zones: 'true',
    });
    expect(status).toBe(400);
    expect(body.detail).toBe(
      "Parameters ['since', 'limit', 'zones'] are not supported in async mode. Use async=false or omit provider-specific parameters.",
    );
    // Their default values are not "provider-specific parameters".
    expect((await call('POST', syncPath('fitbit', user.id), { limit: '50', data_type: 'all' })).status).toBe(
      200,
    );
    await takeJobs('fitbit');
  });

  it('takes the provider parameters with async=false (run inline: sync-inline.test.ts), 404 for an unknown user', async () => {
    const id = randomUUID();
    const { status, body } = await call('POST', syncPath('fitbit', id), { async: 'false', since: '5' });
    expect(status).toBe(404);
    expect(body.detail).toBe(`User with ID: ${id} not found.`);
  });

  it('501 for a provider without a pull implementation, 400 for an unknown one', async () => {
    for (const provider of ['apple', 'health_connect']) {
      expect(await call('POST', syncPath(provider, randomUUID()))).toEqual({
        status: 501,
        body: { detail: `Provider '${provider}' does not support any requested data types` },
      });
    }
    const unknown = await call('POST', syncPath('myspace', randomUUID()));
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/^Input should be 'apple', 'samsung'/);
  });
});

describe('POST /providers/{provider}/users/{user_id}/sync/historical', () => {
  it('queues [now - days, now] (default 90) and answers the contract shape', async () => {
    const user = await createUser({});
    const { status, body } = await call('POST', `${syncPath('ultrahuman', user.id)}/historical`);
    expect(status).toBe(200);
    expect(body).toEqual({
      success: true,
      provider: 'ultrahuman',
      user_id: user.id,
      method: 'pull_api',
      task_id: expect.stringMatching(/^pull_/),
      message: 'Historical sync queued for 90 days of ultrahuman data.',
      days: 90,
      start_date: expect.stringMatching(/Z$/),
      end_date: expect.stringMatching(/Z$/),
    });
    expect(Date.parse(body.end_date) - Date.parse(body.start_date)).toBe(90 * DAY);
    const [job] = await takeJobs('ultrahuman');
    expect(job).toMatchObject({ run_id: body.task_id, mode: 'historical', from_cursor: false });
    expect(job!.window).toEqual({ start: Date.parse(body.start_date), end: Date.parse(body.end_date) });

    const seven = await call('POST', `${syncPath('fitbit', user.id)}/historical`, { days: '7' });
    expect(seven.body).toMatchObject({
      days: 7,
      message: 'Historical sync queued for 7 days of fitbit data.',
    });
    await takeJobs('fitbit');
  });

  it('validates days (1..365)', async () => {
    for (const days of ['0', '366', 'many']) {
      expect((await call('POST', `${syncPath('fitbit', randomUUID())}/historical`, { days })).status).toBe(
        400,
      );
    }
  });

  it('400 for SDK-only providers (and the legacy Health Connect alias)', async () => {
    for (const provider of ['apple', 'samsung', 'health_connect', 'google']) {
      expect(await call('POST', `${syncPath(provider, randomUUID())}/historical`)).toEqual({
        status: 400,
        body: { detail: `Provider '${provider}' does not support historical sync.` },
      });
    }
  });

  it("answers Garmin's backfill in the contract's webhook_backfill shape", async () => {
    const user = await createUser({});
    const { status, body } = await call('POST', `${syncPath('garmin', user.id)}/historical?days=60`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      success: true,
      provider: 'garmin',
      method: 'webhook_backfill',
      days: 60,
      message: 'Garmin 60-day backfill started. Progress available via backfill/status.',
    });
  });
});

describe('sync status', () => {
  const event = (userId: string, runId: string, changes: Partial<SyncEventInput> = {}): SyncEventInput => ({
    run_id: runId,
    user_id: userId,
    provider: 'fitbit',
    source: 'pull',
    stage: 'fetching',
    status: 'in_progress',
    ...changes,
  });

  it('recent: newest first, limited, 404 for an unknown user, expired events left out', async () => {
    const user = await createUser({});
    const now = Date.now();
    await recordSyncEvent(
      event(user.id, 'pull_old', { stage: 'completed', status: 'success' }),
      now - 25 * 3_600_000,
    );
    for (let i = 0; i < 5; i++)
      await recordSyncEvent(event(user.id, 'pull_a', { message: `step ${i}` }), now - 5_000 + i);

    const recent = await call('GET', `/api/v1/users/${user.id}/sync/recent`);
    expect(recent.status).toBe(200);
    expect(recent.body.map((e: { message: string }) => e.message)).toEqual(
      [4, 3, 2, 1, 0].map((i) => `step ${i}`),
    );
    expect(recent.body[0]).toEqual({
      event_id: expect.any(String),
      run_id: 'pull_a',
      user_id: user.id,
      provider: 'fitbit',
      source: 'pull',
      stage: 'fetching',
      status: 'in_progress',
      message: 'step 4',
      progress: null,
      items_processed: null,
      items_total: null,
      error: null,
      primary_user_id: null,
      metadata: {},
      started_at: null,
      ended_at: null,
      timestamp: apiDateTime(new Date(now - 5_000 + 4)),
    });
    expect((await call('GET', `/api/v1/users/${user.id}/sync/recent`, { limit: '2' })).body).toHaveLength(2);
    expect((await call('GET', `/api/v1/users/${user.id}/sync/recent`, { limit: '201' })).status).toBe(400);
    expect(await call('GET', `/api/v1/users/${randomUUID()}/sync/recent`)).toEqual({
      status: 404,
      body: { detail: 'User not found' },
    });
  });

  it("runs: one row per run with its latest event, newest first; a late older event doesn't win", async () => {
    const user = await createUser({});
    const now = Date.now();
    await recordSyncEvent(
      event(user.id, 'pull_1', { stage: 'started', started_at: new Date(now - 9_000).toISOString() }),
      now - 9_000,
    );
    await recordSyncEvent(
      event(user.id, 'pull_1', { stage: 'completed', status: 'success', progress: 1 }),
      now - 8_000,
    );
    await recordSyncEvent(event(user.id, 'pull_2', { stage: 'started' }), now - 5_000);
    // Delivered late: older than what the summary holds.
    await recordSyncEvent(event(user.id, 'pull_1', { stage: 'fetching' }), now - 8_500);

    const runs = await call('GET', `/api/v1/users/${user.id}/sync/runs`);
    expect(runs.status).toBe(200);
    expect(runs.body).toEqual([
      expect.objectContaining({ run_id: 'pull_2', stage: 'started', status: 'in_progress' }),
      {
        run_id: 'pull_1',
        user_id: user.id,
        provider: 'fitbit',
        source: 'pull',
        stage: 'completed',
        status: 'success',
        message: null,
        progress: 1,
        items_processed: null,
        items_total: null,
        error: null,
        primary_user_id: null,
        started_at: apiDateTime(new Date(now - 9_000)),
        ended_at: null,
        last_update: apiDateTime(new Date(now - 8_000)),
      },
    ]);
    expect((await call('GET', `/api/v1/users/${user.id}/sync/runs`, { limit: '1' })).body).toHaveLength(1);
    expect((await call('GET', `/api/v1/users/${randomUUID()}/sync/runs`)).status).toBe(404);
  });

  it('runs across users: newest first, exact-match filters, limit', async () => {
    const [a, b] = [await createUser({}), await createUser({})];
    const now = Date.now() + 60_000;
    const runIds = Array.from({ length: 6 }, () => `pull_${randomUUID().replaceAll('-', '').slice(0, 16)}`);
    await recordSyncEvent(event(a.id, runIds[0]!, { stage: 'completed', status: 'success' }), now);
    await recordSyncEvent(
      event(a.id, runIds[1]!, { provider: 'ultrahuman', stage: 'failed', status: 'failed' }),
      now + 1,
    );
    await recordSyncEvent(
      event(b.id, runIds[2]!, { source: 'webhook', stage: 'completed', status: 'success' }),
      now + 2,
    );
    await recordSyncEvent(event(b.id, runIds[3]!, { stage: 'completed', status: 'partial' }), now + 3);

    const all = await call('GET', '/api/v1/sync/runs', { limit: '4' });
    expect(all.status).toBe(200);
    expect(all.body.map((r: { run_id: string }) => r.run_id)).toEqual([
      runIds[3],
      runIds[2],
      runIds[1],
      runIds[0],
    ]);

    const ids = async (query: Record<string, string>) =>
      (await call('GET', '/api/v1/sync/runs', query)).body.map((r: { run_id: string }) => r.run_id);
    expect(await ids({ user_id: a.id })).toEqual([runIds[1], runIds[0]]);
    expect(await ids({ provider: 'ultrahuman', user_id: a.id })).toEqual([runIds[1]]);
    expect((await ids({ status: 'partial' }))[0]).toBe(runIds[3]);
    expect((await ids({ source: 'webhook' }))[0]).toBe(runIds[2]);
    expect(await ids({ status: 'failed', provider: 'ultrahuman', limit: '1' })).toEqual([runIds[1]]);
    expect((await call('GET', '/api/v1/sync/runs', { limit: '10001' })).status).toBe(400);
    expect((await call('GET', '/api/v1/sync/runs', { user_id: 'nope' })).status).toBe(400);
  });
});
