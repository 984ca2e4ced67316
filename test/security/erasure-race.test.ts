import { randomBytes } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { encryptTokens, resetTokenVault } from '#shared/crypto/token-vault.js';
import { createUser } from '#shared/identity/users.js';
import { saveBatch } from '#shared/ingest/sdk-ingest.js';
import { normaliseSdkBatch } from '#shared/ingest/sdk-normalise.js';
import { erasureJob, runErasureJob, SECOND_PASS_DELAY_SECONDS } from '#shared/jobs/erasure.js';
import { QUEUES } from '#shared/jobs/queues.js';
import { SCHEDULES } from '#shared/jobs/schedules.js';
import type { SourceRef } from '#shared/model/health-data.js';
import type { ProviderModule } from '#shared/providers/module.js';
import { upsertConnection } from '#shared/store/connections.js';
import { UserGone } from '#shared/store/user-guard.js';
import { newRunId } from '#shared/sync/enqueue.js';
import { runSyncJob } from '#shared/sync/worker.js';
import { DEFAULT_SYNC_DEPS } from '#shared/sync/worker-deps.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { useLocalQueues } from '#test/helpers/local-queues.js';
import { staticTokens } from '#test/helpers/sync-deps.js';
import { scanTable } from '#test/helpers/table.js';
import { handler as dataHandler } from '../../functions/data.js';
import { handler as sdkHandler } from '../../functions/sdk.js';
import { handler as usersHandler } from '../../functions/users.js';

/**
 * Review finding 2: `DELETE /users/{id}` during a push answered 200, yet thousands of samples, a workout and an
 * active connection stayed readable by that id. Here pushes and a provider sync race the delete; afterwards nothing
 * of the user is readable, nothing but the tombstone is stored once the in-flight writers ended, and nothing at
 * all after the second pass.
 */

const queues = useLocalQueues();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let apiKey: string;

beforeAll(async () => {
  process.env.TOKEN_ENCRYPTION_KEY = randomBytes(32).toString('base64');
  delete process.env.TOKEN_KMS_KEY_ID;
  resetEnvCache();
  resetTokenVault();
  apiKey = await testApiKey('erasure');
});

const headers = () => ({ 'x-open-wearables-api-key': apiKey });

/** An Apple Watch push: heart rate every minute over `hours`, and one workout. */
function push(startMs: number, hours: number) {
  const source = { deviceName: 'Apple Watch', deviceModel: 'Watch7,1' };
  const at = (ms: number) => new Date(ms).toISOString();
  return {
    provider: 'apple',
    sdkVersion: '0.6.0',
    syncTimestamp: at(startMs + hours * HOUR),
    data: {
      records: Array.from({ length: hours * 60 }, (_, i) => ({
        type: 'HKQuantityTypeIdentifierHeartRate',
        startDate: at(startMs + i * 60_000),
        endDate: at(startMs + i * 60_000),
        value: 60 + (i % 40),
        unit: 'bpm',
        source,
      })),
      workouts: [
        {
          type: 'running',
          startDate: at(startMs),
          endDate: at(startMs + HOUR),
          source,
          values: [{ type: 'distance', unit: 'm', value: 10_000 }],
        },
      ],
    },
  };
}

const ring: SourceRef = {
  provider: 'ultrahuman',
  deviceModel: 'Ring Air',
  sourceName: 'Ultrahuman',
  softwareVersion: null,
  originalSourceName: null,
};

/** A provider whose third unit of the sync deletes the user (the delete lands mid-sync, while pushes run). */
function provider(onUnit: (index: number) => Promise<void>): ProviderModule {
  let calls = 0;
  return {
    name: 'ultrahuman',
    identity: async () => ({ providerUserId: null, providerUsername: null }),
    units: (start, end) =>
      Array.from({ length: Math.ceil((end - start) / DAY) }, (_, i) => ({
        key: `day-${i}`,
        start: start + i * DAY,
        end: start + (i + 1) * DAY,
      })),
    async pull(_get, unit) {
      await onUnit(calls++);
      return {
        series: [
          {
            source: ring,
            series: 'heart_rate',
            samples: Array.from({ length: 288 }, (_, i) => ({
              timestamp: unit.start + i * 300_000,
              value: 50 + (i % 20),
              zoneOffset: null,
              isDailyTotal: null,
            })),
          },
        ],
        events: [],
        scores: [
          {
            source: ring,
            category: 'recovery',
            value: 70,
            qualifier: null,
            recordedAt: unit.start,
            zoneOffset: null,
            components: null,
          },
        ],
      };
    },
  };
}

async function connectRing(userId: string) {
  await upsertConnection(userId, 'ultrahuman', {
    provider_user_id: `uh-${userId}`,
    provider_username: null,
    scope: 'ring_data',
    tokens: await encryptTokens(
      { accessToken: 'at', refreshToken: 'rt', expiresAt: Date.now() + HOUR, scope: 'ring_data', extras: {} },
      { userId, provider: 'ultrahuman' },
    ),
    token_expires_at: Date.now() + HOUR,
  });
}

async function call(handler: typeof dataHandler, method: string, path: string, query = {}, json?: unknown) {
  const result = (await handler(
    httpEvent(method, path, { headers: headers(), query, ...(json ? { json } : {}) }),
    lambdaContext('test'),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : undefined };
}

/** Runs the erasure continuations that are due (the delayed second pass stays queued). */
async function runDueErasureJobs() {
  const { sqs, urls } = queues.get();
  for (;;) {
    const out = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: urls.erasure, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!out.Messages?.length) return;
    for (const message of out.Messages) {
      await runErasureJob(erasureJob.parse(JSON.parse(message.Body!)), Date.now() + 60_000);
      await sqs.client.send(
        new DeleteMessageCommand({ QueueUrl: urls.erasure, ReceiptHandle: message.ReceiptHandle! }),
      );
    }
  }
}

const ofUser = (userId: string) => (item: Record<string, unknown>) => JSON.stringify(item).includes(userId);

async function expectNothingReadable(userId: string) {
  const range = { start_date: '2020-01-01', end_date: '2030-01-01' };
  const base = `/api/v1/users/${userId}`;
  expect((await call(usersHandler, 'GET', base)).status).toBe(404);
  expect((await call(usersHandler, 'GET', `${base}/connections`)).body).toEqual([]);
  const timeseries = await call(dataHandler, 'GET', `${base}/timeseries`, {
    start_time: '2020-01-01',
    end_time: '2030-01-01',
  });
  expect(timeseries.body.data).toEqual([]);
  expect((await call(dataHandler, 'GET', `${base}/events/workouts`, range)).body.data).toEqual([]);
  expect((await call(dataHandler, 'GET', `${base}/health-scores`)).body.data).toEqual([]);
  expect((await call(dataHandler, 'GET', `${base}/data-sources`)).body).toEqual({ items: [], total: 0 });
  expect((await call(dataHandler, 'GET', `${base}/summaries/data`)).body).toMatchObject({
    user_id: userId,
    total_data_points: 0,
    total_workouts: 0,
  });
}

describe('erasure racing pushes and a sync', () => {
  it.each([
    1, 2, 3,
  ])('trial %i: nothing readable, nothing left after the writers, nothing after the second pass', async (trial) => {
    const user = await createUser({});
    await connectRing(user.id);
    const end = Date.UTC(2026, 10, 1);
    let deleted: Promise<{ status?: number }> | undefined;
    const sync = runSyncJob(
      {
        run_id: newRunId(),
        user_id: user.id,
        provider: 'ultrahuman',
        mode: 'manual',
        source: 'pull',
        window: { start: end - 8 * DAY, end },
        from_cursor: false,
        attempt: 0,
      },
      { remainingMs: () => 600_000, receiveCount: 1, receiptHandle: 'local' },
      {
        ...DEFAULT_SYNC_DEPS,
        providers: {
          ultrahuman: provider(async (index) => {
            if (index === trial) deleted = call(usersHandler, 'DELETE', `/api/v1/users/${user.id}`);
          }),
        },
        tokens: staticTokens,
        client: async () => async () => ({}),
        progressEveryMs: 0,
      },
    );
    const pushes = Array.from({ length: 4 }, (_, i) =>
      call(sdkHandler, 'POST', `/api/v1/sdk/users/${user.id}/sync`, {}, push(end - (i + 1) * 12 * HOUR, 12)),
    );
    const outcomes = await Promise.allSettled([sync, ...pushes]);
    expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
    expect((await deleted)?.status).toBe(200);

    await expectNothingReadable(user.id);
    await runDueErasureJobs();
    expect((await scanTable()).filter(ofUser(user.id))).toEqual([
      expect.objectContaining({ PK: `USER#${user.id}`, SK: 'PROFILE', deleted_at: expect.any(String) }),
    ]);

    await runErasureJob({ user_id: user.id, final: true }, Date.now() + 60_000);
    expect((await scanTable()).filter(ofUser(user.id))).toEqual([]);
    await expectNothingReadable(user.id);
  }, 120_000);
});

describe('every write path refuses a deleted user at the write', () => {
  it('SDK push, sync, connection: nothing is written, even when the route check is skipped', async () => {
    const user = await createUser({});
    expect((await call(usersHandler, 'DELETE', `/api/v1/users/${user.id}`)).status).toBe(200);

    const normalised = normaliseSdkBatch(push(Date.UTC(2026, 9, 1), 2), 'apple');
    if (!normalised.ok) throw new Error(normalised.error);
    await expect(saveBatch(user.id, normalised.batch)).rejects.toBeInstanceOf(UserGone);
    await expect(connectRing(user.id)).rejects.toBeInstanceOf(UserGone);
    const pushed = await call(
      sdkHandler,
      'POST',
      `/api/v1/sdk/users/${user.id}/sync`,
      {},
      push(Date.UTC(2026, 9, 1), 1),
    );
    expect(pushed.status).toBe(404);

    expect((await scanTable()).filter(ofUser(user.id))).toEqual([
      expect.objectContaining({ PK: `USER#${user.id}`, SK: 'PROFILE' }),
    ]);
  });

  it('a second DELETE is a 404 and changes nothing', async () => {
    const user = await createUser({});
    expect((await call(usersHandler, 'DELETE', `/api/v1/users/${user.id}`)).status).toBe(200);
    expect((await call(usersHandler, 'DELETE', `/api/v1/users/${user.id}`)).status).toBe(404);
  });

  it('the erasure worker never erases a live user', async () => {
    const user = await createUser({});
    await connectRing(user.id);
    await runErasureJob({ user_id: user.id, final: true }, Date.now() + 60_000);
    expect((await scanTable()).filter(ofUser(user.id)).length).toBeGreaterThan(1);
  });

  it('the second pass comes after every writer that could have been in flight has ended', () => {
    const timeouts = [...Object.values(QUEUES), ...Object.values(SCHEDULES)].map(
      (entry) => entry.timeoutSeconds,
    );
    // API functions time out at 29 s; workers and scheduled functions at their registry timeout.
    expect(Math.max(29, ...timeouts)).toBeLessThan(SECOND_PASS_DELAY_SECONDS);
  });
});
