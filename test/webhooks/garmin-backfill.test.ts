import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '#shared/identity/api-keys.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import {
  BACKFILL_ENDPOINTS,
  BACKFILL_TYPES,
  BACKFILL_WINDOW_DAYS,
} from '#shared/providers/garmin/backfill.js';
import { garminModule } from '#shared/providers/garmin/index.js';
import { ProviderRequestError, RateLimitedError } from '#shared/providers/http.js';
import type { ProviderGet } from '#shared/providers/types.js';
import { getConnection, setConnectionStatus, upsertConnection } from '#shared/store/connections.js';
import { getDeveloperByEmail } from '#shared/store/developers.js';
import { stampDelivery } from '#shared/store/provider-accounts.js';
import { BACKFILL_TIMEOUT_MS, garminBackfillStatus } from '#shared/sync/backfill-status.js';
import { newRunId, type SyncJob, syncJob } from '#shared/sync/enqueue.js';
import { userSyncRuns } from '#shared/sync/status-read.js';
import { runSyncJob } from '#shared/sync/worker.js';
import { DEFAULT_SYNC_DEPS, type SyncWorkerDeps } from '#shared/sync/worker-deps.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { drainQueue, useLocalQueues } from '#test/helpers/local-queues.js';
import { staticTokens } from '#test/helpers/sync-deps.js';
import { newUserId } from '#test/helpers/users.js';
import { handler } from '../../functions/sync.js';

/**
 * Garmin history through the sync engine: Garmin forbids polling, so a historical sync only asks Garmin for
 * asynchronous exports (one backfill request per summary type and 30-day window) and the data arrives later by
 * push. A user depends on every type of every window being asked for exactly once (Garmin answers a repeat with 409
 * and counts it against the app), on a missing permission stopping the requests instead of burning the budget, and
 * on the status endpoint telling honestly what was requested, what has arrived and what never will.
 *
 * The real Garmin module and sync worker on DynamoDB Local; Garmin's API is a fake `ProviderGet`; a real local SQS
 * takes the worker's re-queues.
 */
const queues = useLocalQueues();

const DAY = 86_400_000;
const BACKFILL_PATH = /^\/wellness-api\/rest\/backfill\/([A-Za-z]+)$/;
const ENDPOINTS = Object.values(BACKFILL_ENDPOINTS);

interface BackfillRequest {
  endpoint: string;
  start: number;
  end: number;
}

/**
 * Garmin's backfill API: records each request and answers 202 (no body: null), unless `fault` says otherwise for
 * the n-th call (0-based). A rate limit refuses before any request is made, so it is not recorded.
 */
function fakeGarmin(fault: (call: number, endpoint: string) => Error | undefined = () => undefined) {
  const requests: BackfillRequest[] = [];
  let calls = 0;
  const get: ProviderGet = async (path, query) => {
    const match = BACKFILL_PATH.exec(path);
    if (!match) throw new Error(`unexpected Garmin request: ${path}`);
    const error = fault(calls++, match[1]!);
    if (error instanceof RateLimitedError) throw error;
    requests.push({
      endpoint: match[1]!,
      start: Number(query?.summaryStartTimeInSeconds),
      end: Number(query?.summaryEndTimeInSeconds),
    });
    if (error) throw error;
    return null;
  };
  return { get, requests };
}

function depsWith(get: ProviderGet): SyncWorkerDeps {
  return {
    ...DEFAULT_SYNC_DEPS,
    providers: { garmin: garminModule },
    tokens: staticTokens,
    refresh: async (connection) => depsWith(get).tokens(connection),
    client: async () => get,
  };
}

const invocation = { remainingMs: () => 600_000, receiveCount: 1, receiptHandle: 'r' };

async function garminUser(): Promise<string> {
  const userId = await newUserId();
  await upsertConnection(userId, 'garmin', {
    provider_user_id: `garmin-${userId}`,
    provider_username: null,
    scope: null,
    tokens: 'sealed',
    token_expires_at: Date.now() + 3_600_000,
  });
  return userId;
}

function backfillJob(userId: string, days = 60): SyncJob {
  const now = Date.now();
  return syncJob.parse({
    run_id: newRunId(),
    user_id: userId,
    provider: 'garmin',
    mode: 'historical',
    source: 'backfill',
    window: { start: now - days * DAY, end: now },
  });
}

const drainGarminQueue = (): Promise<SyncJob[]> =>
  drainQueue(queues.get().urls.syncGarmin, (body) => syncJob.parse(body));

beforeEach(async () => {
  await drainGarminQueue();
});

/** The distinct windows requested, oldest first. */
const windowsOf = (requests: BackfillRequest[]) =>
  [...new Map(requests.map((r) => [`${r.start}-${r.end}`, { start: r.start, end: r.end }])).values()].sort(
    (a, b) => a.start - b.start,
  );

type Status = Awaited<ReturnType<typeof garminBackfillStatus>>;
const cells = (status: Status) => Object.values(status.windows).flatMap((w) => Object.values(w));
/** The status's parts, typed as the answer with a record has them (without one they are empty). */
const windowsOfStatus = (status: Status) => status.windows as Record<string, Record<string, string>>;
const summaryOf = (status: Status) =>
  status.summary as Record<string, { done: number; timed_out: number; failed: number }>;

describe('Garmin backfill requests', () => {
  it('requests every backfill type for each 30-day window exactly once, and nothing else', async () => {
    const userId = await garminUser();
    const job = backfillJob(userId);
    const garmin = fakeGarmin();
    expect(await runSyncJob(job, invocation, depsWith(garmin.get))).toBe('completed');

    const windows = windowsOf(garmin.requests);
    // 60 days not starting at midnight: a partial window, a whole one, and the rest up to now.
    expect(windows.length).toBeGreaterThanOrEqual(2);
    expect(windows.length).toBeLessThanOrEqual(3);
    // Together they cover the job's window (seconds rounded outwards), without gap or overlap.
    expect(windows[0]!.start).toBe(Math.floor(job.window.start / 1000));
    expect(windows.at(-1)!.end).toBe(Math.ceil(job.window.end / 1000));
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.start).toBe(windows[i - 1]!.end);
    for (const window of windows) {
      expect(window.end).toBeGreaterThan(window.start);
      expect(window.end - window.start).toBeLessThanOrEqual((BACKFILL_WINDOW_DAYS * DAY) / 1000);
    }

    // Every type x every window, once each: no repeat (Garmin would answer 409) and nothing left out.
    expect(ENDPOINTS).toEqual(expect.arrayContaining(['sleeps', 'dailies', 'respiration', 'pulseOx', 'hrv']));
    const seen = garmin.requests.map((r) => `${r.endpoint}@${r.start}-${r.end}`);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(
      ENDPOINTS.flatMap((endpoint) => windows.map((w) => `${endpoint}@${w.start}-${w.end}`)).sort(),
    );
    // Newest window first: recent history is what the user looks for first.
    expect(garmin.requests[0]!.end).toBe(windows.at(-1)!.end);

    const runs = await userSyncRuns(userId, 10);
    expect(runs).toEqual([
      expect.objectContaining({
        run_id: job.run_id,
        source: 'backfill',
        stage: 'completed',
        status: 'success',
      }),
    ]);
  });

  it('a 409 (already requested) counts as done: the run completes without skipping anything', async () => {
    const userId = await garminUser();
    const job = backfillJob(userId);
    const garmin = fakeGarmin((_call, endpoint) =>
      endpoint === 'sleeps' || endpoint === 'epochs' ? new ProviderRequestError(409, '') : undefined,
    );
    expect(await runSyncJob(job, invocation, depsWith(garmin.get))).toBe('completed');
    expect(garmin.requests).toHaveLength(ENDPOINTS.length * windowsOf(garmin.requests).length);
    const [run] = await userSyncRuns(userId, 10);
    expect(run).toMatchObject({ stage: 'completed', status: 'success' });

    const status = await garminBackfillStatus(userId);
    expect(cells(status).every((c) => c === 'pending')).toBe(true);
    expect(status.permanently_failed).toBe(false);
  });

  it.each([
    403, 412,
  ])('a %i (no historical-data permission) stops the chain: no later request, run failed', async (code) => {
    const userId = await garminUser();
    const job = backfillJob(userId);
    const refusedAt = 4;
    const garmin = fakeGarmin((call) => (call >= refusedAt ? new ProviderRequestError(code, '') : undefined));
    expect(await runSyncJob(job, invocation, depsWith(garmin.get))).toBe('failed');
    // The refused request is the last one made.
    expect(garmin.requests).toHaveLength(refusedAt + 1);
    const [run] = await userSyncRuns(userId, 10);
    expect(run).toMatchObject({ run_id: job.run_id, source: 'backfill', stage: 'failed', status: 'failed' });
    expect(await drainGarminQueue()).toEqual([]);
  });

  it('a rate limit re-queues the run from its checkpoint; the continuation requests the rest, none twice', async () => {
    const userId = await garminUser();
    const job = backfillJob(userId);
    // The 10th request is refused by the budget, with a reset already past: re-queued without delay.
    const limited = fakeGarmin((call) => (call === 9 ? new RateLimitedError(Date.now() - 1_000) : undefined));
    expect(await runSyncJob(job, invocation, depsWith(limited.get))).toBe('deferred');
    expect(limited.requests).toHaveLength(9);

    const midway = await garminBackfillStatus(userId);
    expect(midway).toMatchObject({
      overall_status: 'in_progress',
      in_progress: true,
      permanently_failed: false,
    });

    const [continuation, ...rest] = await drainGarminQueue();
    expect(rest).toEqual([]);
    expect(continuation).toMatchObject({ run_id: job.run_id, attempt: 1, window: job.window });
    const resumed = fakeGarmin();
    expect(
      await runSyncJob(continuation!, { ...invocation, receiptHandle: 'r2' }, depsWith(resumed.get)),
    ).toBe('completed');
    const all = [...limited.requests, ...resumed.requests].map((r) => `${r.endpoint}@${r.start}-${r.end}`);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(ENDPOINTS.length * windowsOf(limited.requests.concat(resumed.requests)).length);
  });
});

describe('garminBackfillStatus', () => {
  it('with no backfill at all: pending, no windows', async () => {
    const userId = await garminUser();
    expect(await garminBackfillStatus(userId)).toMatchObject({
      user_id: userId,
      provider: 'garmin',
      overall_status: 'pending',
      total_windows: 0,
      windows: {},
      in_progress: false,
      permanently_failed: false,
    });
  });

  it('requested cells are pending until data of their type arrives after the run started; then done', async () => {
    const userId = await garminUser();
    const job = backfillJob(userId);
    const garmin = fakeGarmin();
    await runSyncJob(job, invocation, depsWith(garmin.get));
    const windowCount = windowsOf(garmin.requests).length;

    const requested = await garminBackfillStatus(userId);
    expect(requested).toMatchObject({
      overall_status: 'in_progress',
      in_progress: true,
      permanently_failed: false,
      total_windows: windowCount,
      run_id: job.run_id,
    });
    expect(Object.keys(requested.windows)).toHaveLength(windowCount);
    for (const window of Object.values(requested.windows)) {
      expect(Object.keys(window).sort()).toEqual([...BACKFILL_TYPES].sort());
    }
    expect(new Set(cells(requested))).toEqual(new Set(['pending']));

    const [run] = await userSyncRuns(userId, 1);
    const startedAt = Date.parse(run!.started_at!);
    // A push from before the run started is no answer to it.
    await stampDelivery(userId, 'garmin', new Date(startedAt - 60_000).toISOString(), ['sleeps', 'dailies']);
    expect(new Set(cells(await garminBackfillStatus(userId)))).toEqual(new Set(['pending']));

    await stampDelivery(userId, 'garmin', new Date(startedAt + 1_000).toISOString(), ['sleeps', 'dailies']);
    const arrived = await garminBackfillStatus(userId);
    for (const window of Object.values(arrived.windows)) {
      for (const type of BACKFILL_TYPES) {
        expect(window[type]).toBe(type === 'sleeps' || type === 'dailies' ? 'done' : 'pending');
      }
    }
    expect(summaryOf(arrived).sleeps).toEqual({ done: windowCount, timed_out: 0, failed: 0 });
    expect(arrived.overall_status).toBe('in_progress');

    // Half an hour after the requests without data, the rest has timed out; what arrived stays done.
    const late = await garminBackfillStatus(userId, Date.now() + BACKFILL_TIMEOUT_MS + 60_000);
    for (const window of Object.values(late.windows)) {
      for (const type of BACKFILL_TYPES) {
        expect(window[type]).toBe(type === 'sleeps' || type === 'dailies' ? 'done' : 'timed_out');
      }
    }
    expect(late.in_progress).toBe(false);

    // Everything arrived: complete.
    await stampDelivery(userId, 'garmin', new Date(startedAt + 2_000).toISOString(), BACKFILL_TYPES);
    expect(await garminBackfillStatus(userId)).toMatchObject({
      overall_status: 'complete',
      in_progress: false,
      permanently_failed: false,
    });
  });

  it('after a permission failure: unrequested cells failed, overall permanently_failed', async () => {
    const userId = await garminUser();
    const job = backfillJob(userId);
    const refusedAt = 20;
    const garmin = fakeGarmin((call) => (call >= refusedAt ? new ProviderRequestError(403, '') : undefined));
    await runSyncJob(job, invocation, depsWith(garmin.get));

    const status = await garminBackfillStatus(userId);
    expect(status).toMatchObject({
      overall_status: 'permanently_failed',
      permanently_failed: true,
      run_id: job.run_id,
      error: expect.stringMatching(/HISTORICAL_DATA_EXPORT/),
    });
    const all = cells(status);
    const units = garminModule.units(job.window.start, job.window.end);
    expect(all).toHaveLength(units.length);
    // In request order: the requests that went through are pending, the refused one and all after it failed.
    const byUnit = units.map((unit) => {
      const [type, date] = unit.key.split(':') as [string, string];
      const windowIndex = [...new Set(units.map((u) => u.key.split(':')[1]!))].sort().indexOf(date);
      return windowsOfStatus(status)[String(windowIndex)]![type];
    });
    expect(byUnit.slice(0, refusedAt)).toEqual(Array(refusedAt).fill('pending'));
    expect(byUnit.slice(refusedAt)).toEqual(Array(units.length - refusedAt).fill('failed'));
    expect(summaryOf(status).sleeps!.failed + summaryOf(status).dailies!.failed).toBeGreaterThan(0);
    // Once the accepted requests had their time, nothing is in progress any more; the failure stays.
    const late = await garminBackfillStatus(userId, Date.now() + BACKFILL_TIMEOUT_MS + 60_000);
    expect(late).toMatchObject({
      overall_status: 'permanently_failed',
      permanently_failed: true,
      in_progress: false,
    });
  });

  it('a backfill dropped because the connection was revoked is not shown as in progress forever', async () => {
    const userId = await garminUser();
    await setConnectionStatus((await getConnection(userId, 'garmin'))!, 'revoked');
    const garmin = fakeGarmin();
    expect(await runSyncJob(backfillJob(userId), invocation, depsWith(garmin.get))).toBe('dropped');
    expect(garmin.requests).toEqual([]);
    const status = await garminBackfillStatus(userId);
    expect(status.in_progress).toBe(false);
    expect(status.overall_status).not.toBe('in_progress');
    // Nor long after: nothing was requested, so nothing can still arrive.
    const later = await garminBackfillStatus(userId, Date.now() + 7 * DAY);
    expect(later.in_progress).toBe(false);
  });
});

describe('GET /api/v1/providers/garmin/users/{user_id}/backfill/status', () => {
  let apiKey: string;
  beforeAll(async () => {
    await ensureAdminDeveloper();
    const admin = await getDeveloperByEmail(process.env.ADMIN_EMAIL!);
    apiKey = (await createApiKey('backfill-status', admin!.id)).key;
  });

  async function status(userId: string, key: string | null = apiKey) {
    const result = (await handler(
      httpEvent('GET', `/api/v1/providers/garmin/users/${userId}/backfill/status`, {
        headers: key ? { 'x-open-wearables-api-key': key } : {},
      }),
      lambdaContext('sync'),
    )) as APIGatewayProxyStructuredResultV2;
    return { status: result.statusCode!, body: result.body ? JSON.parse(result.body) : undefined };
  }

  it('answers the same as garminBackfillStatus; 404 for an unknown user, 401 without a key', async () => {
    const userId = await garminUser();
    const job = backfillJob(userId);
    await runSyncJob(job, invocation, depsWith(fakeGarmin().get));
    const answer = await status(userId);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(JSON.parse(JSON.stringify(await garminBackfillStatus(userId))));
    expect(answer.body).toMatchObject({ overall_status: 'in_progress', run_id: job.run_id });

    expect((await status(randomUUID())).status).toBe(404);
    expect((await status(userId, null)).status).toBe(401);
  });
});
