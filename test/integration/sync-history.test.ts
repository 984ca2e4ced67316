import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptTokens } from '#shared/crypto/token-vault.js';
import { createApiKey } from '#shared/identity/api-keys.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { createUser } from '#shared/identity/users.js';
import type { SourceRef } from '#shared/model/health-data.js';
import { ProviderRequestError } from '#shared/providers/http.js';
import type { ProviderModule } from '#shared/providers/module.js';
import type { PullResult, SyncUnit, TokenSet } from '#shared/providers/types.js';
import { queryAll } from '#shared/store/client.js';
import { upsertConnection } from '#shared/store/connections.js';
import { getDeveloperByEmail } from '#shared/store/developers.js';
import { newRunId, type SyncJobInput, type SyncMode, syncJob } from '#shared/sync/enqueue.js';
import { HISTORY_PREFIX } from '#shared/sync/history.js';
import { runSyncJob } from '#shared/sync/worker.js';
import { DEFAULT_SYNC_DEPS, type SyncWorkerDeps } from '#shared/sync/worker-deps.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { sleepDetails } from '#test/helpers/health-data.js';
import { handler } from '../../functions/sync.js';

/**
 * Stored sync runs (the newest reference's `GET /users/{id}/sync/history` and `GET /sync/history/{run_key}`): the
 * sync worker keeps a record of each historical and manual run, with what it saved by data type, beyond the 24-hour
 * status.
 */

const DAY = 86_400_000;
const PROVIDER = 'ultrahuman';
let apiKey: string;

beforeAll(async () => {
  await ensureAdminDeveloper();
  const admin = await getDeveloperByEmail(process.env.ADMIN_EMAIL!);
  apiKey = (await createApiKey('history', admin!.id)).key;
});

async function call(path: string, query: Record<string, string> = {}) {
  const result = (await handler(
    httpEvent('GET', path, { headers: { 'x-open-wearables-api-key': apiKey }, query }),
    lambdaContext('sync'),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, body: result.body ? JSON.parse(result.body) : undefined };
}

const source: SourceRef = {
  provider: PROVIDER,
  deviceModel: 'Ring Air',
  sourceName: 'Ultrahuman',
  softwareVersion: null,
  originalSourceName: null,
};

/** One unit per day: two heart-rate samples, one sleep and one recovery score; `refused` days answer 404. */
function provider(refused: Set<string> = new Set()): ProviderModule {
  return {
    name: PROVIDER,
    identity: async () => ({ providerUserId: null, providerUsername: null }),
    units: (start, end) => {
      const units: SyncUnit[] = [];
      for (let day = Math.floor(start / DAY) * DAY; day < end; day += DAY) {
        units.push({ key: new Date(day).toISOString().slice(0, 10), start: day, end: day + DAY });
      }
      return units;
    },
    pull: async (_get, unit): Promise<PullResult> => {
      if (refused.has(unit.key)) throw new ProviderRequestError(404, 'no such day');
      return {
        series: [
          {
            source,
            series: 'heart_rate',
            samples: [1, 2].map((h) => ({
              timestamp: unit.start + h * 3_600_000,
              value: 60 + h,
              zoneOffset: null,
              isDailyTotal: null,
            })),
          },
        ],
        events: [
          {
            category: 'sleep',
            type: 'sleep_session',
            source,
            start: unit.start + 1_000,
            end: unit.start + 7 * 3_600_000,
            zoneOffset: null,
            durationSeconds: null,
            externalId: null,
            details: sleepDetails({ sleep_total_duration_minutes: 400, sleep_time_in_bed_minutes: 420 }),
          },
        ],
        scores: [
          {
            source,
            category: 'recovery',
            value: 70,
            qualifier: null,
            recordedAt: unit.start + 8 * 3_600_000,
            zoneOffset: null,
            components: null,
          },
        ],
      };
    },
  };
}

async function connectedUser(): Promise<string> {
  const user = await createUser({});
  const tokens: TokenSet = {
    accessToken: 'a',
    refreshToken: null,
    expiresAt: Date.now() + DAY,
    scope: null,
    extras: {},
  };
  await upsertConnection(user.id, PROVIDER, {
    provider_user_id: null,
    provider_username: null,
    scope: null,
    tokens: await encryptTokens(tokens, { userId: user.id, provider: PROVIDER }),
    token_expires_at: tokens.expiresAt,
  });
  return user.id;
}

/** Runs one job to its end in the worker, with a stub client and tokens. */
async function run(
  userId: string,
  mode: SyncMode,
  window: { start: number; end: number },
  refused?: Set<string>,
) {
  const job: SyncJobInput = { run_id: newRunId(), user_id: userId, provider: PROVIDER, mode, window };
  const deps: SyncWorkerDeps = {
    ...DEFAULT_SYNC_DEPS,
    providers: { [PROVIDER]: provider(refused) },
    tokens: async (connection) => ({
      tokens: { accessToken: 'a', refreshToken: null, expiresAt: Date.now() + DAY, scope: null, extras: {} },
      connection,
    }),
    client: async () => async () => null,
  };
  const outcome = await runSyncJob(
    syncJob.parse(job),
    { remainingMs: () => 600_000, receiveCount: 1, receiptHandle: 'r' },
    deps,
  );
  expect(outcome).toBe('completed');
  return job.run_id;
}

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe('GET /users/{user_id}/sync/history and /sync/history/{run_key}', () => {
  it('a historical run: its record, then its breakdown by data type (items, covered days, units)', async () => {
    const userId = await connectedUser();
    const runKey = await run(userId, 'historical', { start: day('2025-03-01'), end: day('2025-03-04') });

    const { status, body } = await call(`/api/v1/users/${userId}/sync/history`);
    expect(status).toBe(200);
    expect(body).toEqual([
      {
        run_key: runKey,
        user_id: userId,
        provider: PROVIDER,
        source: 'pull',
        scope: 'historical',
        status: 'success',
        trace_id: null,
        requested_start: '2025-03-01T00:00:00Z',
        requested_end: '2025-03-04T00:00:00Z',
        started_at: expect.stringMatching(/Z$/),
        ended_at: expect.stringMatching(/Z$/),
        items_inserted: 12,
        items_updated: 0,
        error: null,
      },
    ]);

    const detail = await call(`/api/v1/sync/history/${runKey}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ ...body[0] });
    const covered = { covered_start: '2025-03-01T00:00:00Z', covered_end: '2025-03-04T00:00:00Z' };
    expect(detail.body.data_types).toEqual([
      expect.objectContaining({
        data_type: 'heart_rate',
        kind: 'series',
        reported_records: 6,
        attempt: 3,
        ...covered,
      }),
      expect.objectContaining({
        data_type: 'recovery_score',
        kind: 'score',
        reported_records: 3,
        ...covered,
      }),
      expect.objectContaining({
        data_type: 'sleep',
        kind: 'event',
        status: 'success',
        items_inserted: 3,
        ...covered,
      }),
    ]);
  });

  it('keeps historical and manual runs (scope live), not the live ones; newest first, limit, scope and since', async () => {
    const userId = await connectedUser();
    const window = { start: day('2025-04-01'), end: day('2025-04-02') };
    const first = await run(userId, 'historical', window);
    const second = await run(userId, 'manual', window);
    await run(userId, 'live', window);
    await run(userId, 'catchup', window);

    const all = await call(`/api/v1/users/${userId}/sync/history`);
    expect(all.body.map((r: { run_key: string }) => r.run_key)).toEqual([second, first]);
    expect(all.body.map((r: { scope: string }) => r.scope)).toEqual(['live', 'historical']);
    expect((await call(`/api/v1/users/${userId}/sync/history`, { limit: '1' })).body).toHaveLength(1);
    const historical = await call(`/api/v1/users/${userId}/sync/history`, { scope: 'historical' });
    expect(historical.body.map((r: { run_key: string }) => r.run_key)).toEqual([first]);
    const since = all.body[0].started_at;
    const later = await call(`/api/v1/users/${userId}/sync/history`, { since });
    expect(later.body.map((r: { run_key: string }) => r.run_key)).toEqual([second]);
    expect(
      (await call(`/api/v1/users/${userId}/sync/history`, { since: String(Date.parse(since) / 1000 + 3600) }))
        .body,
    ).toEqual([]);
  });

  it('a run with skipped parts ends partial; the record is not time limited (no TTL)', async () => {
    const userId = await connectedUser();
    const runKey = await run(
      userId,
      'manual',
      { start: day('2025-05-01'), end: day('2025-05-03') },
      new Set(['2025-05-02']),
    );
    const detail = await call(`/api/v1/sync/history/${runKey}`);
    expect(detail.body).toMatchObject({ status: 'partial', items_inserted: 4 });
    const items = await queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':prefix': HISTORY_PREFIX },
    });
    expect(items).toHaveLength(1);
    expect(items[0]).not.toHaveProperty('ttl');
  });

  it('404 "User not found" for an unknown user, "Sync run not found" for an unknown run, 400 for bad filters', async () => {
    expect(await call(`/api/v1/users/${randomUUID()}/sync/history`)).toEqual({
      status: 404,
      body: { detail: 'User not found' },
    });
    expect(await call('/api/v1/sync/history/pull_0000000000000000')).toEqual({
      status: 404,
      body: { detail: 'Sync run not found' },
    });
    const userId = await connectedUser();
    expect((await call(`/api/v1/users/${userId}/sync/history`, { scope: 'nope' })).status).toBe(400);
    expect((await call(`/api/v1/users/${userId}/sync/history`, { limit: '201' })).status).toBe(400);
    expect((await call(`/api/v1/users/${userId}/sync/history`, { since: 'yesterday' })).status).toBe(400);
    expect((await call(`/api/v1/users/${userId}/sync/history`)).body).toEqual([]);
  });
});
