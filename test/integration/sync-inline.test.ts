import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { encryptTokens } from '#shared/crypto/token-vault.js';
import { createApiKey } from '#shared/identity/api-keys.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { createUser } from '#shared/identity/users.js';
import { QUEUES, SYNC_PROVIDERS, SYNC_QUEUES } from '#shared/jobs/queues.js';
import type { ProviderName } from '#shared/model/provider.js';
import type { TokenSet } from '#shared/providers/types.js';
import { type LocalSqs, startLocalSqs } from '#shared/sandbox/sqs.js';
import { queryAll } from '#shared/store/client.js';
import { acquireLease } from '#shared/store/connection-leases.js';
import { getConnection, upsertConnection } from '#shared/store/connections.js';
import { getDeveloperByEmail } from '#shared/store/developers.js';
import { runAsFunction } from '#shared/store/write-scopes.js';
import { type SyncJob, syncJob } from '#shared/sync/enqueue.js';
import { DEFAULT_POLAR_USER, type FakePolar, startFakePolar } from '#test/fakes/polar.js';
import { generatePolarDays } from '#test/fakes/polar-data.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { drainQueue } from '#test/helpers/local-queues.js';
import { handler } from '../../functions/sync.js';

/**
 * `POST /providers/{p}/users/{id}/sync?async=false` (contract 4.5, reference test_sync_data.py): the sync worker's code
 * run inside the request against the Polar fake, 200 with the run's result, 202 with the run when it cannot finish
 * (here: another sync holds the connection, so the run is deferred to the queue).
 */

const DAY = 86_400_000;
let sqs: LocalSqs;
let apiKey: string;
let polar: FakePolar;
const urls = {} as Record<(typeof SYNC_PROVIDERS)[number], string>;

beforeAll(async () => {
  sqs = await startLocalSqs();
  for (const provider of SYNC_PROVIDERS) {
    const spec = QUEUES[SYNC_QUEUES[provider]];
    urls[provider] = await sqs.ensureQueue(`${spec.name}-inline`);
    process.env[spec.urlVariable] = urls[provider];
  }
  polar = await startFakePolar();
  polar.registrations.set(String(DEFAULT_POLAR_USER), 'member');
  polar.seed(
    DEFAULT_POLAR_USER,
    generatePolarDays({
      userId: String(DEFAULT_POLAR_USER),
      days: 6,
      end: Date.now(),
      exerciseSampleSeconds: 60,
    }),
  );
  Object.assign(process.env, { AWS_ENDPOINT_URL_SQS: sqs.endpoint, ...fakeProviderEnv('POLAR', polar) });
  resetEnvCache();
  await ensureAdminDeveloper();
  const admin = await getDeveloperByEmail(process.env.ADMIN_EMAIL!);
  apiKey = (await createApiKey('inline', admin!.id)).key;
});

afterAll(async () => {
  await Promise.all([sqs?.stop(), polar?.stop()]);
});

async function call(method: string, path: string, query: Record<string, string> = {}) {
  // Held to the sync area's write scope, as the sandbox and IAM hold it.
  const result = (await runAsFunction('sync', () =>
    handler(
      httpEvent(method, path, { headers: { 'x-open-wearables-api-key': apiKey }, query }),
      lambdaContext('sync'),
    ),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, body: result.body ? JSON.parse(result.body) : undefined };
}

const takeJobs = (provider: keyof typeof urls): Promise<SyncJob[]> =>
  drainQueue(urls[provider], (body) => syncJob.parse(body));

async function delayedJobs(provider: keyof typeof urls): Promise<number> {
  const out = await sqs.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: urls[provider],
      AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
}

async function connect(provider: ProviderName, accessToken: string): Promise<string> {
  const user = await createUser({});
  const tokens: TokenSet = {
    accessToken,
    refreshToken: null,
    expiresAt: Date.now() + 365 * DAY,
    scope: null,
    extras: { x_user_id: DEFAULT_POLAR_USER },
  };
  await upsertConnection(user.id, provider, {
    provider_user_id: String(DEFAULT_POLAR_USER),
    provider_username: null,
    scope: null,
    tokens: await encryptTokens(tokens, { userId: user.id, provider }),
    token_expires_at: tokens.expiresAt,
    last_synced_at: new Date(Date.now() - 7 * DAY).toISOString(),
  });
  return user.id;
}

const syncPath = (provider: string, userId: string) => `/api/v1/providers/${provider}/users/${userId}/sync`;

describe('POST /sync?async=false', () => {
  it('runs the pull in the request: 200 with the result, the data saved, the cursor advanced, the run stored', async () => {
    const userId = await connect('polar', polar.issueTokens(DEFAULT_POLAR_USER).access_token as string);
    const { status, body } = await call('POST', syncPath('polar', userId), { async: 'false' });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      success: true,
      async: false,
      task_id: expect.stringMatching(/^pull_[0-9a-f]{16}$/),
      details: { workouts: true, data_247: true },
      run: { stage: 'completed', status: 'success', source: 'pull', provider: 'polar', user_id: userId },
    });
    expect(await takeJobs('polar')).toEqual([]);

    const workouts = await queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':prefix': 'EVENT#workout#' },
    });
    expect(workouts.length).toBeGreaterThan(0);
    const connection = await getConnection(userId, 'polar');
    expect(Date.parse(connection!.last_synced_at!)).toBeGreaterThan(Date.now() - DAY);

    const history = await call('GET', `/api/v1/users/${userId}/sync/history`);
    expect(history.body).toEqual([
      expect.objectContaining({ run_key: body.task_id, scope: 'live', status: 'success', source: 'pull' }),
    ]);
    expect(history.body[0].items_inserted).toBeGreaterThan(workouts.length);
    const detail = await call('GET', `/api/v1/sync/history/${body.task_id}`);
    expect(detail.body.data_types).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ data_type: 'workout', kind: 'event', status: 'success' }),
        expect.objectContaining({ data_type: 'heart_rate', kind: 'series' }),
      ]),
    );
  });

  it('202 with the run when it cannot finish in the request: another sync holds the connection, so it goes to the queue', async () => {
    const userId = await connect('polar', polar.issueTokens(DEFAULT_POLAR_USER).access_token as string);
    await acquireLease({ user_id: userId, provider: 'polar' }, 'sync', randomUUID(), Date.now() + 60_000);
    const delayedBefore = await delayedJobs('polar');
    const { status, body } = await call('POST', syncPath('polar', userId), { async: 'false' });
    expect(status).toBe(202);
    expect(body).toMatchObject({
      success: true,
      async: true,
      task_id: expect.stringMatching(/^pull_/),
      message: 'Sync of polar did not finish within the request; it continues in the background.',
      run: { stage: 'queued', status: 'in_progress' },
    });
    // Deferred: on the provider's queue after the busy connection's back-off.
    expect(await delayedJobs('polar')).toBe(delayedBefore + 1);

    // The run holds the connection's manual slot while it is pending: a second request answers it.
    const again = await call('POST', syncPath('polar', userId), { async: 'false' });
    expect(again.status).toBe(202);
    expect(again.body.task_id).toBe(body.task_id);
    expect(again.body.message).toMatch(/already pending/);
  });

  it('takes the provider parameters (since is the window start), 401 when the user has no connection (contract 4.5)', async () => {
    const user = await createUser({});
    const { status, body } = await call('POST', syncPath('suunto', user.id), {
      async: 'false',
      since: '1700000000',
      limit: '10',
      filter_by_modification_time: 'false',
    });
    expect(status).toBe(401);
    expect(body.detail).toBe('User not connected to suunto');
  });

  it('since beyond 2100-01-01 is a 400, in either mode (no window start that cannot be written as a date)', async () => {
    const user = await createUser({});
    for (const since of ['4102444801', '9000000000000', '1e15']) {
      for (const mode of ['false', 'true']) {
        const { status, body } = await call('POST', syncPath('oura', user.id), { async: mode, since });
        expect(status).toBe(400);
        expect(body.detail).toMatch(/^Input should be less than or equal to 4102444800$/);
      }
    }
  });

  it('501 for a provider without workouts when they are asked for, or without 247 data; 400 for an invalid one', async () => {
    const user = await createUser({});
    const noWorkouts = await call('POST', syncPath('ultrahuman', user.id), {
      async: 'false',
      data_type: 'workouts',
    });
    expect(noWorkouts.status).toBe(501);
    expect(noWorkouts.body.detail).toContain('does not support workouts');
    const no247 = await call('POST', syncPath('strava', user.id), { async: 'false', data_type: '247' });
    expect(no247).toEqual({
      status: 501,
      body: { detail: "Provider 'strava' does not support 247 data (sleep/recovery/activity)" },
    });
    const sdk = await call('POST', syncPath('apple', user.id), { async: 'false' });
    expect(sdk.body.detail).toBe("Provider 'apple' does not support any requested data types");
    expect((await call('POST', syncPath('nokia', user.id), { async: 'false' })).status).toBe(400);
  });
});
