import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { createUser } from '#shared/identity/users.js';
import { ingestSdkPush } from '#shared/ingest/sdk-ingest.js';
import type { SourceRef } from '#shared/model/health-data.js';
import { refreshTokenSet } from '#shared/oauth/token-endpoint.js';
import { BUSINESS_METRICS, count } from '#shared/observability.js';
import { userClient } from '#shared/providers/client.js';
import { PermissionDeniedError, RateLimitedError } from '#shared/providers/http.js';
import type { ProviderModule } from '#shared/providers/module.js';
import { providerConfig } from '#shared/providers/registry.js';
import type { PullResult, SyncUnit } from '#shared/providers/types.js';
import { upsertConnection } from '#shared/store/connections.js';
import { newRunId, syncJob } from '#shared/sync/enqueue.js';
import { queueCatchups } from '#shared/sync/watchdog.js';
import { runSyncJob } from '#shared/sync/worker.js';
import { DEFAULT_SYNC_DEPS } from '#shared/sync/worker-deps.js';
import { receiveWebhook } from '#shared/webhooks/ingress.js';
import { useLocalQueues } from '#test/helpers/local-queues.js';
import { captureMetricLines } from '#test/helpers/metric-lines.js';
import { healthKitPush, healthKitRecord } from '#test/helpers/sdk-payloads.js';
import { staticTokens } from '#test/helpers/sync-deps.js';

/**
 * The business metrics (shared/observability.ts) as CloudWatch receives them: one embedded-metric-format line per
 * count, in the `OpenWearables` namespace, under the dimensions the dashboard and the alarms name (service, stage
 * and a few fixed words or provider names, never a user id). Captured from the log, where Lambda's agent reads them.
 */
useLocalQueues();

const DAY = 86_400_000;

const lines = captureMetricLines();

/** The EMF lines of metric `name` whose dimension values include `dimensions`. */
const emitted = (name: string, dimensions: Record<string, string> = {}) =>
  lines.filter(
    (line) =>
      line._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === name) &&
      Object.entries(dimensions).every(([key, value]) => line[key] === value),
  );
const total = (name: string, dimensions: Record<string, string> = {}) =>
  emitted(name, dimensions).reduce((sum, line) => sum + (line[name] as number), 0);

describe('the EMF line', () => {
  it('is in the OpenWearables namespace, dimensioned by service, stage and the given dimensions', () => {
    count('Example', { provider: 'oura', outcome: 'success' }, 3);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'OpenWearables',
        Dimensions: [['service', 'stage', 'provider', 'outcome']],
        Metrics: [{ Name: 'Example', Unit: 'Count' }],
      },
    ]);
    expect(line).toMatchObject({ service: 'open-wearables', stage: 'local', provider: 'oura', Example: 3 });
  });

  it('with total, also files the count under service and stage alone (what one alarm watches)', () => {
    count('Example', { provider: 'oura' }, 1, { total: true });
    expect(lines[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([
      ['service', 'stage', 'provider'],
      ['service', 'stage'],
    ]);
  });

  it('never throws into the work it counts', () => {
    expect(() => count('Example', { provider: 'oura' }, Number.NaN)).not.toThrow();
  });
});

describe('sync runs', () => {
  const PROVIDER = 'ultrahuman';
  const source: SourceRef = {
    provider: PROVIDER,
    deviceModel: null,
    sourceName: 'Ultrahuman',
    softwareVersion: null,
    originalSourceName: null,
  };
  const units = (start: number, end: number): SyncUnit[] => {
    const out: SyncUnit[] = [];
    for (let day = Math.floor(start / DAY) * DAY; day <= end; day += DAY) {
      out.push({ key: new Date(day).toISOString().slice(0, 10), start: day, end: day + DAY });
    }
    return out;
  };
  const samples = (unit: SyncUnit): PullResult => ({
    series: [
      {
        source,
        series: 'heart_rate',
        samples: [1, 2, 3].map((h) => ({
          timestamp: unit.start + h * 3_600_000,
          value: 60,
          zoneOffset: null,
          isDailyTotal: null,
        })),
      },
    ],
    events: [],
    scores: [],
  });

  async function run(pull: ProviderModule['pull']) {
    const user = await createUser({});
    await upsertConnection(user.id, PROVIDER, {
      provider_user_id: null,
      provider_username: null,
      scope: null,
      tokens: 'sealed',
      token_expires_at: Date.now() + 3_600_000,
    });
    const provider: ProviderModule = {
      name: PROVIDER,
      identity: async () => ({ providerUserId: null, providerUsername: null }),
      units,
      pull,
    };
    const end = Math.floor(Date.now() / DAY) * DAY - 1;
    return runSyncJob(
      syncJob.parse({
        run_id: newRunId(),
        user_id: user.id,
        provider: PROVIDER,
        mode: 'manual',
        window: { start: end + 1 - 2 * DAY, end },
      }),
      { remainingMs: () => 300_000, receiveCount: 1, receiptHandle: 'handle' },
      {
        ...DEFAULT_SYNC_DEPS,
        providers: { [PROVIDER]: provider },
        tokens: staticTokens,
        client: async () => async () => null,
      },
    );
  }

  it('a completed run counts one success and the samples it saved, by provider', async () => {
    expect(await run(async (_get, unit) => samples(unit))).toBe('completed');
    expect(total(BUSINESS_METRICS.syncRuns, { provider: PROVIDER, outcome: 'success' })).toBe(1);
    expect(total(BUSINESS_METRICS.samplesIngested, { provider: PROVIDER, source: 'sync' })).toBe(6);
  });

  it('a failed run counts one failure', async () => {
    const outcome = await run(async () => {
      throw new PermissionDeniedError('no historical export');
    });
    expect(outcome).toBe('failed');
    expect(total(BUSINESS_METRICS.syncRuns, { provider: PROVIDER, outcome: 'failed' })).toBe(1);
    expect(emitted(BUSINESS_METRICS.syncRuns, { outcome: 'success' })).toEqual([]);
  });
});

describe('SDK pushes', () => {
  const at = Date.parse('2026-03-02T06:00:00Z');
  const heartRate = (i: number) =>
    healthKitRecord('HKQuantityTypeIdentifierHeartRate', at + i * 5000, at + i * 5000, 60, 'count/min');

  it('a saved push counts one push and its samples, by provider; a refused one a failure', async () => {
    const user = await createUser({});
    await ingestSdkPush(user.id, 'apple', healthKitPush({ records: [0, 1, 2, 3].map(heartRate) }));
    expect(total(BUSINESS_METRICS.sdkPushes, { provider: 'apple', outcome: 'saved' })).toBe(1);
    expect(total(BUSINESS_METRICS.samplesIngested, { provider: 'apple', source: 'sdk' })).toBe(4);
    await expect(ingestSdkPush(user.id, 'apple', { provider: 'apple', data: 'broken' })).rejects.toThrow();
    expect(total(BUSINESS_METRICS.sdkPushes, { provider: 'apple', outcome: 'failed' })).toBe(1);
  });
});

describe('provider webhooks', () => {
  it('a refused signature counts one, by provider and in total', async () => {
    process.env.GARMIN_CLIENT_ID = 'garmin-client-0123';
    resetEnvCache();
    const request = {
      method: 'POST' as const,
      headers: {},
      query: {},
      body: Buffer.from('{}'),
      now: Date.now(),
    };
    await expect(receiveWebhook('garmin', request)).rejects.toMatchObject({ statusCode: 401 });
    const found = emitted(BUSINESS_METRICS.webhookSignatureRejected, { provider: 'garmin' });
    expect(found).toHaveLength(1);
    expect(found[0]![BUSINESS_METRICS.webhookSignatureRejected]).toBe(1);
    expect(found[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toContainEqual(['service', 'stage']);
  });
});

describe('provider HTTP errors', () => {
  let server: Server;
  let status = 429;

  beforeAll(async () => {
    server = createServer((_request, response) => response.writeHead(status).end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.env.ULTRAHUMAN_API_BASE_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resetEnvCache();
  });

  afterAll(async () => {
    delete process.env.ULTRAHUMAN_API_BASE_URL;
    resetEnvCache();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    [429, '429', RateLimitedError],
    [503, '5xx', Error],
    [400, '4xx', Error],
  ])('an answer %i counts as %s for the provider; a 404 (no data) does not count', async (code, label, type) => {
    const get = await userClient('ultrahuman', 'access-token');
    status = code;
    await expect(get('/data')).rejects.toBeInstanceOf(type);
    status = 404;
    await expect(get('/data')).rejects.toThrow();
    expect(lines.map((line) => [line.provider, line.status])).toEqual([['ultrahuman', label]]);
  });

  it('counts the token endpoint\'s refusals too, a 404 (a wrong URL, not "no data") included', async () => {
    const base = process.env.ULTRAHUMAN_API_BASE_URL!;
    Object.assign(process.env, {
      ULTRAHUMAN_CLIENT_ID: 'client',
      ULTRAHUMAN_CLIENT_SECRET: 'secret',
      ULTRAHUMAN_TOKEN_URL: `${base}/oauth/token`,
    });
    resetEnvCache();
    try {
      status = 429;
      await expect(refreshTokenSet(await providerConfig('ultrahuman'), 'refresh')).rejects.toThrow();
      // A token endpoint's 404 is a wrong URL, not "no data": counted.
      status = 404;
      await expect(refreshTokenSet(await providerConfig('ultrahuman'), 'refresh')).rejects.toThrow();
      expect(lines.map((line) => [line.provider, line.status])).toEqual([
        ['ultrahuman', '429'],
        ['ultrahuman', '4xx'],
      ]);
    } finally {
      for (const name of ['ULTRAHUMAN_CLIENT_ID', 'ULTRAHUMAN_CLIENT_SECRET', 'ULTRAHUMAN_TOKEN_URL']) {
        delete process.env[name];
      }
      resetEnvCache();
    }
  });
});

describe('the freshness watchdog', () => {
  it('counts the connections silent for two silence periods as stale, by provider and in total', async () => {
    const connect = async (createdAt: number) => {
      const user = await createUser({});
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(createdAt);
      try {
        await upsertConnection(user.id, 'garmin', {
          provider_user_id: `garmin-${user.id}`,
          provider_username: null,
          scope: null,
          tokens: 'sealed',
          token_expires_at: createdAt + 3_600_000,
        });
      } finally {
        vi.useRealTimers();
      }
      return user.id;
    };
    const now = Date.now();
    // Silent 30 h (due a catch-up, not yet stale), 3 days and 10 days (stale).
    const users: string[] = [];
    // One at a time: each moves the clock for its write.
    for (const ago of [30 * 3_600_000, 3 * DAY, 10 * DAY]) users.push(await connect(now - ago));
    expect(await queueCatchups('garmin', users, now)).toBe(3);
    expect(total(BUSINESS_METRICS.staleConnections, { provider: 'garmin' })).toBe(2);
  });
});
