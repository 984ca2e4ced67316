import { randomBytes } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { badRequest } from '#shared/http/errors.js';
import { isSyncProvider, SYNC_PROVIDERS, SYNC_QUEUES, type SyncProvider } from '#shared/jobs/queues.js';
import { queueUrl, sendJob, sqsClient } from '#shared/jobs/send.js';
import { logger } from '#shared/observability.js';
import { PROVIDER_INFO } from '#shared/providers/registry.js';
import { claimSlot, releaseSlot, type SlotKind } from '#shared/store/sync-slots.js';
import { getUser } from '#shared/store/users.js';
import { dataTypeTally } from '#shared/sync/history.js';
import { recordSyncEvent } from '#shared/sync/status.js';
import { historicalWindow, liveFloor, MAX_DELAY_SECONDS, type SyncWindow } from '#shared/sync/window.js';

/** `catchup`: the freshness watchdog's poll of the window a push connection was silent for. */
export const SYNC_MODES = ['live', 'historical', 'manual', 'catchup'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

const epochMs = z.number().check(z.int(), z.gte(0));

/** Counts of a run so far, carried from one invocation to its continuation. */
export const syncTotals = z.object({
  units_done: z.number().check(z.int(), z.gte(0)),
  units_skipped: z.number().check(z.int(), z.gte(0)),
  samples: z.number().check(z.int(), z.gte(0)),
  events: z.number().check(z.int(), z.gte(0)),
  scores: z.number().check(z.int(), z.gte(0)),
  /** What the run saved by data type (history.ts), for runs that keep a stored record. */
  types: z.optional(z.record(z.string(), dataTypeTally)),
});
export type SyncTotals = z.infer<typeof syncTotals>;
export const NO_TOTALS: SyncTotals = { units_done: 0, units_skipped: 0, samples: 0, events: 0, scores: 0 };

/**
 * A sync job: one run (`run_id`) of one connection (user + provider) over one window. The same run travels on
 * through continuations (deadline reached: `checkpoint` = key of the last unit done) and deferrals (rate limited,
 * connection busy: `attempt` counts them).
 */
export const syncJob = z.object({
  run_id: z.string().check(z.minLength(1), z.maxLength(64)),
  user_id: z.guid(),
  provider: z.enum(SYNC_PROVIDERS),
  mode: z.enum(SYNC_MODES),
  /** What the run's status events name as their source (contract 4.12, plus `watchdog`). */
  source: z._default(z.enum(['pull', 'backfill', 'watchdog']), 'pull'),
  window: z
    .object({ start: epochMs, end: epochMs })
    .check(z.refine((w) => w.start <= w.end, { message: 'window.start must not be after window.end' })),
  /**
   * `window.start` is a floor: the first invocation starts at `last_synced_at` minus the overlap when that is
   * later (shared/sync/window.ts `resolveWindow`) and its continuations carry the resolved window with `false`.
   */
  from_cursor: z._default(z.boolean(), false),
  checkpoint: z.optional(z.string().check(z.minLength(1))),
  attempt: z._default(z.number().check(z.int(), z.gte(0)), 0),
  /** Rate limited beyond SQS's 15-minute delay: not to be run before this time (epoch ms). */
  not_before: z.optional(epochMs),
  totals: z.optional(syncTotals),
  /** When the run's first invocation started (ISO), for its status events. */
  started_at: z.optional(z.iso.datetime()),
});
export type SyncJob = z.output<typeof syncJob>;
export type SyncJobInput = z.input<typeof syncJob>;

/** Run ids as the reference shapes them: `pull_<16 hex>`. */
export const newRunId = () => `pull_${randomBytes(8).toString('hex')}`;

/** The URL of a provider's sync queue, from its env variable. */
export const syncQueueUrl = (provider: SyncProvider) => queueUrl(SYNC_QUEUES[provider]);

/** Sends one job to its provider's queue, after `delaySeconds` (0..900). */
export async function queueSync(job: SyncJobInput, delaySeconds = 0): Promise<void> {
  await sendJob(SYNC_QUEUES[job.provider], syncJob, job, delaySeconds);
}

/**
 * Stretches the visibility of a message being handled (a transient failure: SQS redelivers it after `seconds`).
 * Best effort: if it fails, the queue's own visibility timeout applies.
 */
export async function changeSyncVisibility(
  provider: SyncProvider,
  receiptHandle: string,
  seconds: number,
): Promise<void> {
  try {
    await sqsClient().send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: syncQueueUrl(provider),
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.round(seconds),
      }),
    );
  } catch (error) {
    logger.warn('could not change the visibility of a sync job', { provider, error: error as Error });
  }
}

export interface QueuedSync {
  run_id: string;
  provider: SyncProvider;
  window: SyncWindow;
  /** The run was already pending: this request queued nothing. */
  existing: boolean;
}

const DAY_MS = 86_400_000;

/** How far back a sync may reach for a provider without its own limit (contract: `days` is 1..365). */
export const DEFAULT_HISTORY_DAYS = 365;

/** The provider's `max_historical_days`, else a year: no request reaches further back. */
export const historyDays = (provider: SyncProvider) =>
  PROVIDER_INFO[provider].maxHistoricalDays ?? DEFAULT_HISTORY_DAYS;

/** The slot a run of this mode holds while pending (live runs of the dispatcher hold none). */
export const slotKindOf = (mode: SyncMode): SlotKind | undefined =>
  mode === 'historical' ? 'backfill' : mode === 'manual' || mode === 'catchup' ? mode : undefined;

/**
 * Claims the connection's slot of `kind` for the run, announces it and queues it (`queue` false: the API runs it
 * inline, inline.ts), unless a run of that kind is pending: then that run is answered instead and nothing is done.
 * A failed announcement or send frees the slot again.
 */
async function startOnce(job: SyncJob, kind: SlotKind, queue = true): Promise<QueuedSync> {
  const provider = job.provider;
  const held = await claimSlot(job.user_id, provider, kind, { run_id: job.run_id, window: job.window });
  if (held) return { run_id: held.run_id, provider, window: held.window, existing: true };
  try {
    await announce(job);
    if (queue) await queueSync(job);
  } catch (error) {
    await releaseSlot(job.user_id, provider, kind, job.run_id);
    throw error;
  }
  return { run_id: job.run_id, provider, window: job.window, existing: false };
}

/** Announces a queued run in the user's sync status (only for a user that exists: no orphan items). */
async function announce(job: SyncJob): Promise<void> {
  if (!(await getUser(job.user_id))) return;
  await recordSyncEvent({
    run_id: job.run_id,
    user_id: job.user_id,
    provider: job.provider,
    source: job.source,
    stage: 'queued',
    status: 'in_progress',
    message: `${job.mode === 'historical' ? 'Historical sync' : 'Sync'} queued for ${job.provider}`,
    metadata: { mode: job.mode, window_start: iso(job.window.start), window_end: iso(job.window.end) },
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Queues a historical backfill of `[now - days, now]` (the OAuth callback after a connect, and
 * `POST /sync/historical`), at most the provider's history; a pending backfill is answered instead. Null for a
 * provider without a pull implementation: nothing is queued.
 */
export async function queueHistoricalSync(
  userId: string,
  provider: string,
  days: number,
  now = Date.now(),
): Promise<QueuedSync | null> {
  if (!isSyncProvider(provider)) return null;
  const job = syncJob.parse({
    run_id: newRunId(),
    user_id: userId,
    provider,
    mode: 'historical',
    // A push provider's history comes as a backfill it pushes (Garmin), not as pulled pages.
    source: PROVIDER_INFO[provider].restPull ? 'pull' : 'backfill',
    window: historicalWindow(Math.min(days, historyDays(provider)), now),
  });
  return startOnce(job, 'backfill');
}

/**
 * Queues a manual sync (`POST /sync`): over `[start, end]` when given; without a start, from the connection's
 * cursor (as a live sync), at most 30 days back from `end` (default now). The window is clamped to the provider's
 * history and to now; a pending manual sync is answered instead.
 */
export async function queueManualSync(
  userId: string,
  provider: SyncProvider,
  range: { start?: number; end?: number },
  now = Date.now(),
): Promise<QueuedSync> {
  return startOnce(manualSyncJob(userId, provider, range, now), 'manual');
}

/** Starts a manual sync's run without queueing it: the API runs it inline (inline.ts). */
export const claimInlineSync = (job: SyncJob) => startOnce(job, 'manual', false);

/** The job of a manual sync over `range` (see `queueManualSync`). */
export function manualSyncJob(
  userId: string,
  provider: SyncProvider,
  range: { start?: number; end?: number },
  now = Date.now(),
): SyncJob {
  const floor = now - historyDays(provider) * DAY_MS;
  const end = Math.min(range.end ?? now, now);
  const requested = range.start === undefined ? liveFloor(end) : { start: range.start, end };
  const window = { start: Math.max(requested.start, floor), end };
  if (window.end < window.start) {
    throw badRequest(
      `The requested window ends before the ${historyDays(provider)} days of history ${provider} can be synced`,
    );
  }
  return syncJob.parse({
    run_id: newRunId(),
    user_id: userId,
    provider,
    mode: 'manual',
    window,
    from_cursor: range.start === undefined,
  });
}

/** SendMessageBatch takes at most 10 entries. */
const BATCH_ENTRIES = 10;
const SEND_ATTEMPTS = 5;
/** SendMessageBatch calls in flight at once. */
const SEND_CONCURRENCY = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LiveQueueOptions {
  /** Each job is delayed by a random 0..jitterSeconds (max 900), spreading a dispatch over a few minutes. */
  jitterSeconds?: number;
  now?: number;
  random?: () => number;
}

/**
 * Queues one live job per user (one run each) with `SendMessageBatch`, ten per call; entries SQS reports failed
 * are re-sent with backoff, and the call throws if some still fail after five attempts. Up to ten calls run at
 * once. Resolves to the number of SendMessageBatch requests made.
 */
export async function queueLiveSyncs(
  provider: SyncProvider,
  userIds: readonly string[],
  options: LiveQueueOptions = {},
): Promise<number> {
  const now = options.now ?? Date.now();
  const random = options.random ?? Math.random;
  const jitter = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.floor(options.jitterSeconds ?? 0)));
  const url = syncQueueUrl(provider);
  const batches: string[][] = [];
  for (let i = 0; i < userIds.length; i += BATCH_ENTRIES) batches.push(userIds.slice(i, i + BATCH_ENTRIES));
  let requests = 0;

  const sendBatch = async (batch: string[]) => {
    let pending: SendMessageBatchRequestEntry[] = batch.map((userId, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify(
        syncJob.parse({
          run_id: newRunId(),
          user_id: userId,
          provider,
          mode: 'live',
          window: liveFloor(now),
          from_cursor: true,
        }),
      ),
      DelaySeconds: Math.floor(random() * (jitter + 1)),
    }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= SEND_ATTEMPTS) {
        throw new Error(`${pending.length} live sync jobs for ${provider} could not be queued`);
      }
      if (attempt > 0) await sleep(Math.min(2_000, 100 * 2 ** attempt));
      const out = await sqsClient().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: pending }));
      requests++;
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      pending = pending.filter((entry) => failed.has(entry.Id));
    }
  };

  let next = 0;
  const lanes = Array.from({ length: Math.min(SEND_CONCURRENCY, batches.length) }, async () => {
    while (next < batches.length) await sendBatch(batches[next++]!);
  });
  await Promise.all(lanes);
  return requests;
}
