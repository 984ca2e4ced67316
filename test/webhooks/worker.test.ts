import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { deleteUser } from '#shared/identity/users.js';
import type { QueueName } from '#shared/jobs/queues.js';
import { sqsClient } from '#shared/jobs/send.js';
import type { ProviderName } from '#shared/model/provider.js';
import {
  ProviderRequestError,
  RateLimitedError,
  TransientProviderError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import { providerModules } from '#shared/providers/index.js';
import type { ProviderGet } from '#shared/providers/types.js';
import { type Connection, getConnection, upsertConnection } from '#shared/store/connections.js';
import { queryEvents } from '#shared/store/events.js';
import { accountUserIds } from '#shared/store/provider-accounts.js';
import { userSyncRuns } from '#shared/sync/status-read.js';
import { newTraceId, type WebhookMessage, webhookMessage } from '#shared/webhooks/message.js';
import { handleWebhookMessage, type WebhookWorkerDeps } from '#shared/webhooks/worker.js';
import { useLocalQueues } from '#test/helpers/local-queues.js';
import { newUserId } from '#test/helpers/users.js';

/**
 * The webhook worker on DynamoDB Local and a real local SQS (for its re-queues), with the provider's API replaced
 * by an in-memory one: duplicates, out-of-order and forged deliveries, fan-out, a disconnected or deleted user,
 * and a fault injected for one of two users.
 */
const queues = useLocalQueues();
let objectsDir: string;

beforeAll(async () => {
  objectsDir = await mkdtemp(join(tmpdir(), 'webhook-worker-'));
  Object.assign(process.env, { WEBHOOK_BODIES_BUCKET: 'webhook-bodies', OBJECTS_DIR: objectsDir });
  resetEnvCache();
});

afterAll(async () => {
  await rm(objectsDir, { recursive: true, force: true });
});

async function drain(queue: QueueName) {
  const url = queues.get().urls[queue];
  const messages: Array<WebhookMessage & { delay?: number }> = [];
  for (;;) {
    const out = await sqsClient().send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!out.Messages?.length) return messages;
    for (const message of out.Messages) {
      messages.push(webhookMessage.parse(JSON.parse(message.Body!)));
      await sqsClient().send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle! }),
      );
    }
  }
}

beforeEach(async () => {
  await drain('webhookGarmin');
  await drain('webhookStrava');
});

/** Strava's API as far as the handler needs it; `fail` injects a fault per user. */
const strava = {
  activities: new Map<string, Record<string, unknown>>(),
  revokedAthletes: new Set<string>(),
  fail: new Map<string, Error>(),
};

const activity = (id: number, athlete: number, start: string, elapsed = 3600) => ({
  id,
  athlete: { id: athlete },
  name: 'Morning Run',
  sport_type: 'Run',
  type: 'Run',
  start_date: start,
  utc_offset: 3600,
  elapsed_time: elapsed,
  moving_time: elapsed - 60,
  distance: 10_000,
  average_heartrate: 150,
  resource_state: 3,
});

function stravaGet(connection: Connection): ProviderGet {
  return async (path) => {
    const fault = strava.fail.get(connection.user_id);
    if (fault) throw fault;
    if (path === '/athlete') {
      if (strava.revokedAthletes.has(connection.provider_user_id!)) throw new UnauthorizedError('revoked');
      return { id: Number(connection.provider_user_id), username: 'runner' };
    }
    const id = /^\/activities\/(\d+)$/.exec(path)?.[1];
    const found = id ? strava.activities.get(id) : undefined;
    if (!found) throw new ProviderRequestError(404, '{"message":"Record Not Found"}');
    return found;
  };
}

const deps: WebhookWorkerDeps = {
  providers: providerModules,
  // Re-queues at once, so the test can receive them.
  backoffSeconds: () => 0,
  tokens: async (connection) => ({
    tokens: {
      accessToken: `at-${connection.user_id}`,
      refreshToken: null,
      expiresAt: 0,
      scope: null,
      extras: {},
    },
    connection,
  }),
  refresh: async (connection) => {
    if (strava.revokedAthletes.has(connection.provider_user_id!))
      throw new UnauthorizedError('refresh refused');
    return deps.tokens(connection);
  },
  client: async (_provider, accessToken) => {
    const userId = accessToken.slice(3);
    const connection = (await getConnection(userId, 'strava'))!;
    return stravaGet(connection);
  },
};

async function connect(provider: ProviderName, providerUserId: string, userId?: string) {
  const id = userId ?? (await newUserId());
  await upsertConnection(id, provider, {
    provider_user_id: providerUserId,
    provider_username: null,
    scope: null,
    tokens: 'sealed',
    token_expires_at: Date.now() + 3_600_000,
  });
  return id;
}

const message = (provider: 'garmin' | 'strava', body: unknown): WebhookMessage =>
  webhookMessage.parse({
    provider,
    trace_id: newTraceId(),
    received_at: Date.now(),
    form: 'raw',
    content: JSON.stringify(body),
  });

const stravaEvent = (
  objectId: number,
  owner: number,
  aspect: string,
  updates: Record<string, unknown> = {},
) =>
  message('strava', {
    object_type: 'activity',
    object_id: objectId,
    aspect_type: aspect,
    updates,
    owner_id: owner,
    subscription_id: 1,
    event_time: 1_764_000_000,
  });

const workouts = (userId: string) =>
  queryEvents(userId, 'workout', 0, Date.parse('2100-01-01'), () => ({
    provider: 'strava',
    deviceModel: null,
    sourceName: null,
    softwareVersion: null,
    originalSourceName: null,
  }));

let athlete = 500_000;
const nextAthlete = () => ++athlete;

describe('Strava notify-then-fetch', () => {
  it('a create fetches and stores the activity; a duplicate delivery changes nothing', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.activities.set('9001', activity(9001, owner, '2026-11-20T07:00:00Z'));
    await handleWebhookMessage(stravaEvent(9001, owner, 'create'), deps);
    await handleWebhookMessage(stravaEvent(9001, owner, 'create'), deps);
    const stored = await workouts(userId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ externalId: '9001', start: Date.parse('2026-11-20T07:00:00Z') });
    const runs = await userSyncRuns(userId, 10);
    expect(runs[0]).toMatchObject({ source: 'webhook', provider: 'strava', status: 'success' });
    expect((await getConnection(userId, 'strava'))!.last_webhook_at).toBeTruthy();
  });

  it('an update really updates, even when the times changed (one workout, the new times)', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.activities.set('9002', activity(9002, owner, '2026-11-21T07:00:00Z', 3600));
    await handleWebhookMessage(stravaEvent(9002, owner, 'create'), deps);
    strava.activities.set('9002', activity(9002, owner, '2026-11-21T06:30:00Z', 5400));
    await handleWebhookMessage(stravaEvent(9002, owner, 'update', { title: 'Longer run' }), deps);
    const stored = await workouts(userId);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.start).toBe(Date.parse('2026-11-21T06:30:00Z'));
    expect(stored[0]!.end).toBe(Date.parse('2026-11-21T08:00:00Z'));
  });

  it('an update delivered before its create ends in the same single workout', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.activities.set('9003', activity(9003, owner, '2026-11-22T07:00:00Z'));
    await handleWebhookMessage(stravaEvent(9003, owner, 'update'), deps);
    await handleWebhookMessage(stravaEvent(9003, owner, 'create'), deps);
    expect(await workouts(userId)).toHaveLength(1);
  });

  it('a delete removes the workout once Strava confirms it is gone; a forged delete removes nothing', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.activities.set('9004', activity(9004, owner, '2026-11-23T07:00:00Z'));
    await handleWebhookMessage(stravaEvent(9004, owner, 'create'), deps);
    await handleWebhookMessage(stravaEvent(9004, owner, 'delete'), deps);
    expect(await workouts(userId)).toHaveLength(1);
    strava.activities.delete('9004');
    await handleWebhookMessage(stravaEvent(9004, owner, 'delete'), deps);
    expect(await workouts(userId)).toHaveLength(0);
  });

  it('a deauthorisation Strava confirms revokes the connection; a forged one does not', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    const deauth = () =>
      message('strava', {
        object_type: 'athlete',
        object_id: owner,
        aspect_type: 'update',
        updates: { authorized: 'false' },
        owner_id: owner,
        subscription_id: 1,
        event_time: 1_764_000_000,
      });
    await handleWebhookMessage(deauth(), deps);
    expect((await getConnection(userId, 'strava'))!.status).toBe('active');
    strava.revokedAthletes.add(String(owner));
    await handleWebhookMessage(deauth(), deps);
    const connection = (await getConnection(userId, 'strava'))!;
    expect(connection.status).toBe('revoked');
    expect(connection.tokens).toBeNull();
    expect(await accountUserIds('strava', String(owner))).toEqual([]);
  });

  it('writes nothing for a user who disconnected, and acknowledges an account linked to nobody', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    const { disconnect } = await import('#shared/oauth/connections.js');
    await disconnect(userId, 'strava');
    strava.activities.set('9005', activity(9005, owner, '2026-11-24T07:00:00Z'));
    await handleWebhookMessage(stravaEvent(9005, owner, 'create'), deps);
    await handleWebhookMessage(stravaEvent(9005, 999_999_999, 'create'), deps);
    expect(await workouts(userId)).toHaveLength(0);
  });

  it("a deleted user's data never comes back through a late webhook", async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.activities.set('9006', activity(9006, owner, '2026-11-25T07:00:00Z'));
    await deleteUser(userId);
    await handleWebhookMessage(stravaEvent(9006, owner, 'create'), deps);
    expect(await workouts(userId)).toHaveLength(0);
  });

  it('fans one account out to each linked user; a fault for one re-queues only that user', async () => {
    const owner = nextAthlete();
    const [first, second] = [await connect('strava', String(owner)), await connect('strava', String(owner))];
    strava.activities.set('9007', activity(9007, owner, '2026-11-26T07:00:00Z'));
    strava.fail.set(second, new TransientProviderError('Strava answered 503'));
    await handleWebhookMessage(stravaEvent(9007, owner, 'create'), deps);
    expect(await workouts(first)).toHaveLength(1);
    expect(await workouts(second)).toHaveLength(0);

    const [retry, ...rest] = await drain('webhookStrava');
    expect(rest).toEqual([]);
    expect(retry).toMatchObject({ form: 'pending', attempt: 1 });
    const pending = JSON.parse(retry!.content!);
    expect(pending).toEqual([expect.objectContaining({ user_ids: [second] })]);

    strava.fail.delete(second);
    await handleWebhookMessage(retry!, deps);
    expect(await workouts(second)).toHaveLength(1);
    expect(await workouts(first)).toHaveLength(1);
  });

  it('fails the message when nothing of it succeeded, so SQS retries it whole', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.activities.set('9008', activity(9008, owner, '2026-11-27T07:00:00Z'));
    strava.fail.set(userId, new TransientProviderError('Strava answered 502'));
    await expect(handleWebhookMessage(stravaEvent(9008, owner, 'create'), deps)).rejects.toThrow('502');
    expect(await drain('webhookStrava')).toEqual([]);
    strava.fail.delete(userId);
  });

  it('defers a rate-limited notification until the reset instead of failing it', async () => {
    const owner = nextAthlete();
    const [first, second] = [await connect('strava', String(owner)), await connect('strava', String(owner))];
    strava.activities.set('9009', activity(9009, owner, '2026-11-28T07:00:00Z'));
    strava.fail.set(second, new RateLimitedError(Date.now() + 120_000));
    await handleWebhookMessage(stravaEvent(9009, owner, 'create'), deps);
    expect(await workouts(first)).toHaveLength(1);
    // Delayed by the reset (120 s): not receivable yet.
    expect(await drain('webhookStrava')).toEqual([]);
    strava.fail.delete(second);
  });

  it('records a permanent refusal as a failed webhook run and does not retry it', async () => {
    const owner = nextAthlete();
    const userId = await connect('strava', String(owner));
    strava.fail.set(userId, new ProviderRequestError(403, 'forbidden'));
    await handleWebhookMessage(stravaEvent(9010, owner, 'create'), deps);
    expect(await drain('webhookStrava')).toEqual([]);
    const runs = await userSyncRuns(userId, 10);
    expect(runs[0]).toMatchObject({ source: 'webhook', status: 'failed' });
    strava.fail.delete(userId);
  });
});

describe('Garmin push', () => {
  const garminUser = 'garmin-4aacafe8';
  const dailies = (steps: number) => ({
    dailies: [
      {
        userId: garminUser,
        summaryId: 'x36bc70e-65a4b300-15180-0',
        calendarDate: '2026-11-29',
        startTimeInSeconds: 1_764_374_400,
        startTimeOffsetInSeconds: 3600,
        durationInSeconds: 86400,
        steps,
        restingHeartRateInBeatsPerMinute: 55,
      },
    ],
  });

  it('stores a push for every user linked to the Garmin account; a repeat is idempotent', async () => {
    const [a, b] = [await connect('garmin', garminUser), await connect('garmin', garminUser)];
    await handleWebhookMessage(message('garmin', dailies(9500)), deps);
    await handleWebhookMessage(message('garmin', dailies(9500)), deps);
    for (const userId of [a, b]) {
      const runs = await userSyncRuns(userId, 10);
      expect(runs.filter((r) => r.source === 'webhook')).toHaveLength(2);
      expect(runs[0]!.status).toBe('success');
      const connection = (await getConnection(userId, 'garmin')) as Connection & Record<string, unknown>;
      expect(connection.arrived_dailies).toBeTruthy();
    }
  });

  it('a deregistration revokes the connection and unlinks the account', async () => {
    const account = 'garmin-dereg-1';
    const userId = await connect('garmin', account);
    await handleWebhookMessage(message('garmin', { deregistrations: [{ userId: account }] }), deps);
    expect((await getConnection(userId, 'garmin'))!.status).toBe('revoked');
    expect(await accountUserIds('garmin', account)).toEqual([]);
  });

  it('a permissions change replaces the connection scope', async () => {
    const account = 'garmin-perm-1';
    const userId = await connect('garmin', account);
    await handleWebhookMessage(
      message('garmin', {
        userPermissionsChange: [{ userId: account, permissions: ['HEALTH_EXPORT', 'ACTIVITY_EXPORT'] }],
      }),
      deps,
    );
    expect((await getConnection(userId, 'garmin'))!.scope).toBe('ACTIVITY_EXPORT HEALTH_EXPORT');
  });
});
