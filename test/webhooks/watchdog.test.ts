import { beforeEach, describe, expect, it, vi } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import type { SyncProvider } from '#shared/jobs/queues.js';
import { SYNC_QUEUES } from '#shared/jobs/queues.js';
import { updateProviderSetting } from '#shared/oauth/provider-settings.js';
import type { ProviderModule } from '#shared/providers/module.js';
import type { SyncUnit } from '#shared/providers/types.js';
import { getConnection, setConnectionStatus, upsertConnection } from '#shared/store/connections.js';
import { stampDelivery } from '#shared/store/provider-accounts.js';
import { getProviderSettings } from '#shared/store/provider-settings.js';
import { dispatchLiveSyncs } from '#shared/sync/dispatcher.js';
import { historyDays, type SyncJob, syncJob } from '#shared/sync/enqueue.js';
import { userSyncRuns } from '#shared/sync/status-read.js';
import { queueCatchups } from '#shared/sync/watchdog.js';
import { runSyncJob } from '#shared/sync/worker.js';
import { DEFAULT_SYNC_DEPS, type SyncWorkerDeps } from '#shared/sync/worker-deps.js';
import { drainQueue, useLocalQueues } from '#test/helpers/local-queues.js';
import { staticTokens } from '#test/helpers/sync-deps.js';
import { newUserId } from '#test/helpers/users.js';

/**
 * The freshness watchdog: a push connection (Garmin, or Strava in webhook mode) that has delivered nothing for
 * WEBHOOK_SILENCE_HOURS may have lost webhooks, and gets one catch-up poll of the silent window. A user depends on
 * it to get back data a provider outage or a lapsed subscription swallowed, and on it staying quiet otherwise: a
 * connection that delivers is never polled, a revoked one never, and one catch-up is enough per silence period.
 *
 * DynamoDB Local, a real local SQS for what the watchdog queues, and the sync worker with a fake provider module.
 */
const queues = useLocalQueues();

const HOUR = 3_600_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

const drain = (provider: SyncProvider): Promise<SyncJob[]> =>
  drainQueue(queues.get().urls[SYNC_QUEUES[provider]], (body) => syncJob.parse(body));

beforeEach(async () => {
  await drain('garmin');
  await drain('strava');
});

interface ConnectOptions {
  /** When the connection was made (its `created_at`); default 10 days ago. */
  createdAt?: number;
  lastSyncedAt?: number | null;
  lastWebhookAt?: number;
  status?: 'active' | 'revoked';
}

/** A connection made at `createdAt` (the clock, Date only, is moved there for the write). */
async function connect(provider: 'garmin' | 'strava', options: ConnectOptions = {}): Promise<string> {
  const userId = await newUserId();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(options.createdAt ?? Date.now() - 10 * DAY);
  let connection: Awaited<ReturnType<typeof upsertConnection>>;
  try {
    connection = await upsertConnection(userId, provider, {
      provider_user_id: `${provider}-${userId}`,
      provider_username: null,
      scope: null,
      tokens: 'sealed',
      token_expires_at: Date.now() + 3_600_000,
      last_synced_at: options.lastSyncedAt == null ? null : iso(options.lastSyncedAt),
    });
  } finally {
    vi.useRealTimers();
  }
  if (options.lastWebhookAt !== undefined) await stampDelivery(userId, provider, iso(options.lastWebhookAt));
  if (options.status === 'revoked') await setConnectionStatus(connection, 'revoked');
  return userId;
}

/** Runs `work` with WEBHOOK_SILENCE_HOURS set (env is cached per process: reset around the change). */
async function withSilenceHours<T>(hours: string, work: () => Promise<T>): Promise<T> {
  const previous = process.env.WEBHOOK_SILENCE_HOURS;
  process.env.WEBHOOK_SILENCE_HOURS = hours;
  resetEnvCache();
  try {
    return await work();
  } finally {
    if (previous === undefined) delete process.env.WEBHOOK_SILENCE_HOURS;
    else process.env.WEBHOOK_SILENCE_HOURS = previous;
    resetEnvCache();
  }
}

describe('queueCatchups', () => {
  it('a connection silent for more than 24 h gets one catch-up of [last delivery, now]', async () => {
    const now = Date.now();
    const lastSynced = now - 3 * DAY;
    const userId = await connect('garmin', { lastSyncedAt: lastSynced });
    expect(await queueCatchups('garmin', [userId], now)).toBe(1);
    const jobs = await drain('garmin');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      user_id: userId,
      provider: 'garmin',
      mode: 'catchup',
      source: 'watchdog',
      // From the last delivery, less the hour of overlap live pulls use (a record may be uploaded late).
      window: { start: lastSynced - HOUR, end: now },
      from_cursor: false,
      attempt: 0,
    });
    expect(jobs[0]!.run_id).toMatch(/^pull_[0-9a-f]{16}$/);
    expect(await drain('strava')).toEqual([]);
  });

  it('the last delivery is the latest of last_webhook_at, last_synced_at and created_at', async () => {
    const now = Date.now();
    // A webhook after the last sync: the silence started with the webhook.
    const byWebhook = await connect('garmin', { lastSyncedAt: now - 9 * DAY, lastWebhookAt: now - 2 * DAY });
    // Never synced, never pushed: silent since it was connected.
    const byCreation = await connect('garmin', { createdAt: now - 4 * DAY });
    // A sync after the last webhook.
    const bySync = await connect('garmin', { lastSyncedAt: now - 30 * HOUR, lastWebhookAt: now - 5 * DAY });
    expect(await queueCatchups('garmin', [byWebhook, byCreation, bySync], now)).toBe(3);
    const windows = Object.fromEntries((await drain('garmin')).map((j) => [j.user_id, j.window]));
    expect(windows).toEqual({
      [byWebhook]: { start: now - 2 * DAY - HOUR, end: now },
      [byCreation]: { start: now - 4 * DAY - HOUR, end: now },
      [bySync]: { start: now - 30 * HOUR - HOUR, end: now },
    });
  });

  it('a connection that got a webhook recently gets none', async () => {
    const now = Date.now();
    const userId = await connect('garmin', { lastSyncedAt: now - 20 * DAY, lastWebhookAt: now - HOUR });
    expect(await queueCatchups('garmin', [userId], now)).toBe(0);
    expect(await drain('garmin')).toEqual([]);
  });

  it('silence is counted from the last delivery: one ms short of 24 h is not silent, 24 h is', async () => {
    const last = Date.now() - 2 * DAY;
    const userId = await connect('garmin', { lastWebhookAt: last, createdAt: last - DAY });
    expect(await queueCatchups('garmin', [userId], last + 24 * HOUR - 1)).toBe(0);
    expect(await queueCatchups('garmin', [userId], last + 24 * HOUR)).toBe(1);
    expect(await drain('garmin')).toHaveLength(1);
  });

  it('a revoked connection, a missing connection and another provider get none', async () => {
    const now = Date.now();
    const revoked = await connect('garmin', { lastSyncedAt: now - 5 * DAY, status: 'revoked' });
    const unconnected = await newUserId();
    const stravaOnly = await connect('strava', { lastSyncedAt: now - 5 * DAY });
    expect(await queueCatchups('garmin', [revoked, unconnected, stravaOnly], now)).toBe(0);
    expect(await drain('garmin')).toEqual([]);
    expect(await drain('strava')).toEqual([]);
  });

  it('WEBHOOK_SILENCE_HOURS overrides the 24 h', async () => {
    const now = Date.now();
    const userId = await connect('garmin', { lastWebhookAt: now - 3 * HOUR });
    expect(await queueCatchups('garmin', [userId], now)).toBe(0);
    expect(await withSilenceHours('2', () => queueCatchups('garmin', [userId], now))).toBe(1);
    expect((await drain('garmin'))[0]!.window).toEqual({ start: now - 4 * HOUR, end: now });
    // 48 h: a connection silent for 30 h is not polled yet.
    const quiet = await connect('garmin', { lastWebhookAt: now - 30 * HOUR });
    expect(await withSilenceHours('48', () => queueCatchups('garmin', [quiet], now))).toBe(0);
    expect(await queueCatchups('garmin', [quiet], now)).toBe(1);
    await drain('garmin');
  });

  it("the window never reaches further back than the provider's history", async () => {
    const now = Date.now();
    for (const provider of ['garmin', 'strava'] as const) {
      const days = historyDays(provider);
      const userId = await connect(provider, { createdAt: now - (days + 200) * DAY, lastSyncedAt: null });
      const synced = await connect(provider, {
        createdAt: now - (days + 200) * DAY,
        lastSyncedAt: now - (days + 30) * DAY,
      });
      expect(await queueCatchups(provider, [userId, synced], now)).toBe(2);
      const jobs = await drain(provider);
      expect(jobs.map((j) => j.window)).toEqual([
        { start: now - days * DAY, end: now },
        { start: now - days * DAY, end: now },
      ]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// The scheduled dispatch with kind watchdog.
// ---------------------------------------------------------------------------------------------------------

describe('dispatchLiveSyncs with kind watchdog', () => {
  const options = { remainingMs: () => 300_000 };

  it('is skipped for Strava while its live mode is pull (the default), and runs once it is webhook', async () => {
    const silent = await connect('strava', { lastSyncedAt: Date.now() - 3 * DAY });
    const fresh = await connect('strava', { lastSyncedAt: Date.now() - 3 * DAY, lastWebhookAt: Date.now() });
    const settings = await getProviderSettings('strava');
    expect(settings.live_sync_mode).toBeNull();

    const skipped = await dispatchLiveSyncs({ provider: 'strava', kind: 'watchdog' }, options);
    expect(skipped).toMatchObject({ connections: 0, complete: true, skipped: expect.any(String) });
    expect(skipped.skipped).toMatch(/pull/);
    expect(await drain('strava')).toEqual([]);

    await updateProviderSetting('strava', { live_sync_mode: 'webhook' });
    try {
      const started = Date.now();
      const result = await dispatchLiveSyncs({ provider: 'strava', kind: 'watchdog' }, options);
      const ended = Date.now();
      expect(result.skipped).toBeUndefined();
      expect(result.complete).toBe(true);
      const jobs = await drain('strava');
      expect(result.connections).toBe(jobs.length);
      const users = jobs.map((j) => j.user_id);
      expect(users).toContain(silent);
      expect(users).not.toContain(fresh);
      const job = jobs.find((j) => j.user_id === silent)!;
      expect(job).toMatchObject({ mode: 'catchup', source: 'watchdog', provider: 'strava' });
      expect(job.window.end).toBeGreaterThanOrEqual(started);
      expect(job.window.end).toBeLessThanOrEqual(ended);

      // In webhook mode the live pull is what is off.
      const live = await dispatchLiveSyncs({ provider: 'strava', kind: 'live' }, options);
      expect(live.skipped).toMatch(/webhook/);
      expect(await drain('strava')).toEqual([]);
    } finally {
      await updateProviderSetting('strava', { live_sync_mode: 'pull' });
    }
  });

  it('runs for Garmin (webhook by default): catch-ups for its silent connections only', async () => {
    const silent = await connect('garmin', { lastSyncedAt: Date.now() - 2 * DAY });
    const fresh = await connect('garmin', { lastWebhookAt: Date.now() - HOUR });
    const revoked = await connect('garmin', { lastSyncedAt: Date.now() - 2 * DAY, status: 'revoked' });
    const result = await dispatchLiveSyncs({ provider: 'garmin', kind: 'watchdog' }, options);
    expect(result.skipped).toBeUndefined();
    expect(result.complete).toBe(true);
    const jobs = await drain('garmin');
    expect(result.connections).toBe(jobs.length);
    const users = jobs.map((j) => j.user_id);
    expect(users).toContain(silent);
    expect(users).not.toContain(fresh);
    expect(users).not.toContain(revoked);
    for (const job of jobs) expect(job).toMatchObject({ mode: 'catchup', source: 'watchdog' });
    // Garmin has no live pull: the live dispatch is the one skipped.
    const live = await dispatchLiveSyncs({ provider: 'garmin', kind: 'live' }, options);
    expect(live.skipped).toMatch(/webhook/);
    expect(await drain('garmin')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The catch-up run, through the sync worker with a fake provider module.
// ---------------------------------------------------------------------------------------------------------

/** A fake Garmin: one unit per UTC day of the window, nothing to save; records the units it was asked for. */
function fakeGarmin() {
  const calls: SyncUnit[] = [];
  const module: ProviderModule = {
    name: 'garmin',
    identity: async () => ({ providerUserId: null, providerUsername: null }),
    units(start, end) {
      const units: SyncUnit[] = [];
      for (let day = Math.floor(start / DAY) * DAY; day < end; day += DAY) {
        units.push({
          key: iso(day).slice(0, 10),
          start: Math.max(day, start),
          end: Math.min(day + DAY, end),
        });
      }
      return units;
    },
    async pull(_get, unit) {
      calls.push(unit);
      return { series: [], events: [], scores: [] };
    },
  };
  return { module, calls };
}

function depsFor(module: ProviderModule): SyncWorkerDeps {
  return {
    ...DEFAULT_SYNC_DEPS,
    providers: { garmin: module },
    tokens: staticTokens,
    refresh: async () => {
      throw new Error('no refresh expected');
    },
    client: async () => async () => null,
  };
}

const invocation = { remainingMs: () => 600_000, receiveCount: 1, receiptHandle: 'r' };

/** One watchdog pass for the user (real time), then the job it queued run by the worker. */
async function catchUp(userId: string) {
  expect(await queueCatchups('garmin', [userId])).toBe(1);
  const [job, ...rest] = await drain('garmin');
  expect(rest).toEqual([]);
  const fake = fakeGarmin();
  expect(await runSyncJob(job!, invocation, depsFor(fake.module))).toBe('completed');
  return { job: job!, calls: fake.calls };
}

describe('the catch-up run', () => {
  it("its status events carry source 'watchdog', and last_synced_at advances: the next pass queues nothing", async () => {
    const lastSynced = Date.now() - 3 * DAY;
    const userId = await connect('garmin', { lastSyncedAt: lastSynced });
    const { job, calls } = await catchUp(userId);
    // The silent window, whole: the units cover [last delivery, now].
    expect(calls[0]!.start).toBe(lastSynced - HOUR);
    expect(calls.at(-1)!.end).toBe(job.window.end);

    const runs = await userSyncRuns(userId, 10);
    expect(runs).toEqual([
      expect.objectContaining({
        run_id: job.run_id,
        source: 'watchdog',
        provider: 'garmin',
        stage: 'completed',
        status: 'success',
      }),
    ]);
    expect((await getConnection(userId, 'garmin'))!.last_synced_at).toBe(iso(job.window.end));

    // The next passes within the silence period queue nothing; once it is over again, one more catch-up.
    expect(await queueCatchups('garmin', [userId], Date.now() + HOUR)).toBe(0);
    expect(await queueCatchups('garmin', [userId], job.window.end + 24 * HOUR - 1)).toBe(0);
    expect(await drain('garmin')).toEqual([]);
    expect(await queueCatchups('garmin', [userId], job.window.end + 24 * HOUR)).toBe(1);
    await drain('garmin');
  });

  it('a connection never synced: the catch-up sets last_synced_at', async () => {
    const userId = await connect('garmin', { createdAt: Date.now() - 2 * DAY });
    const { job } = await catchUp(userId);
    expect((await getConnection(userId, 'garmin'))!.last_synced_at).toBe(iso(job.window.end));
    expect(await queueCatchups('garmin', [userId], Date.now() + HOUR)).toBe(0);
  });

  it('silent since a webhook that came after the last sync: the catch-up still counts as a delivery', async () => {
    // The usual case of a push connection: synced once long ago (its backfill), then webhooks until they stopped.
    const userId = await connect('garmin', {
      lastSyncedAt: Date.now() - 20 * DAY,
      lastWebhookAt: Date.now() - 2 * DAY,
    });
    const { job } = await catchUp(userId);
    expect(job.window.start).toBe(
      Date.parse((await getConnection(userId, 'garmin'))!.last_webhook_at!) - HOUR,
    );
    // Without this, every watchdog pass polls the same connection again (and again) until a webhook arrives.
    expect(await queueCatchups('garmin', [userId], Date.now() + HOUR)).toBe(0);
    expect((await getConnection(userId, 'garmin'))!.last_synced_at).toBe(iso(job.window.end));
  });

  it("silent for longer than the provider's history: the clamped catch-up still counts as a delivery", async () => {
    const days = historyDays('garmin');
    const userId = await connect('garmin', {
      createdAt: Date.now() - (days + 100) * DAY,
      lastSyncedAt: Date.now() - (days + 10) * DAY,
    });
    const { job } = await catchUp(userId);
    expect(job.window.end - job.window.start).toBe(days * DAY);
    expect(await queueCatchups('garmin', [userId], Date.now() + HOUR)).toBe(0);
  });
});
