import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import type { QueueName } from '#shared/jobs/queues.js';
import type { ProviderName } from '#shared/model/provider.js';
import { ProviderRequestError, UnauthorizedError } from '#shared/providers/http.js';
import type { ProviderGet } from '#shared/providers/types.js';
import { webhookModules } from '#shared/providers/webhook-modules.js';
import { type Connection, getConnection, upsertConnection } from '#shared/store/connections.js';
import { queryEvents } from '#shared/store/events.js';
import { newTraceId, type WebhookMessage, webhookMessage } from '#shared/webhooks/message.js';
import type { WebhookWorkerDeps } from '#shared/webhooks/worker.js';
import { drainQueue, useLocalQueues } from '#test/helpers/local-queues.js';
import { newUserId } from '#test/helpers/users.js';

/**
 * What the webhook worker tests share: a real local SQS (the worker's re-queues), a folder for large bodies, and
 * the providers' APIs as in-memory fakes behind the worker's injectable access (`deps`): Strava's activities and
 * athletes, Garmin's user id endpoint. `fail` injects a fault per user.
 */
export function useWebhookWorker() {
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

  const drain = (queue: QueueName) =>
    drainQueue(queues.get().urls[queue], (body) => webhookMessage.parse(body));

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

  /** Garmin's partner gateway: the user id (401 once deregistered) and the permissions granted. */
  const garmin = {
    deregistered: new Set<string>(),
    permissions: new Map<string, string[]>(),
  };
  function garminGet(connection: Connection): ProviderGet {
    return async (path) => {
      const account = connection.provider_user_id!;
      if (garmin.deregistered.has(account)) throw new UnauthorizedError('deregistered');
      if (path === '/partner-gateway/rest/user/id') return { userId: account };
      if (path === '/partner-gateway/rest/user/permissions') {
        return { permissions: garmin.permissions.get(account) ?? ['ACTIVITY_EXPORT', 'HEALTH_EXPORT'] };
      }
      throw new ProviderRequestError(404, 'not served by this fake');
    };
  }

  const deps: WebhookWorkerDeps = {
    providers: webhookModules,
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
      const account = connection.provider_user_id!;
      if (strava.revokedAthletes.has(account) || garmin.deregistered.has(account))
        throw new UnauthorizedError('refresh refused');
      return deps.tokens(connection);
    },
    client: async (provider, accessToken) => {
      const userId = accessToken.slice(3);
      const connection = (await getConnection(userId, provider))!;
      return provider === 'garmin' ? garminGet(connection) : stravaGet(connection);
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

  return { drain, strava, garmin, activity, deps, connect, message, stravaEvent, workouts };
}
