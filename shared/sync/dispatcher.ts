import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { SYNC_PROVIDERS, type SyncProvider } from '#shared/jobs/queues.js';
import { sendJob } from '#shared/jobs/send.js';
import { logger } from '#shared/observability.js';
import { defaultLiveSyncMode, PROVIDER_INFO } from '#shared/providers/registry.js';
import { ACTIVE_SHARDS, activeConnectionsPage } from '#shared/store/connection-index.js';
import { getProviderSettings } from '#shared/store/provider-settings.js';
import { queueLiveSyncs } from '#shared/sync/enqueue.js';
import { queueCatchups } from '#shared/sync/watchdog.js';

/** `live`: a periodic pull of every connection; `watchdog`: catch-up polls of silent push connections. */
const dispatchKind = z._default(z.enum(['live', 'watchdog']), 'live');

/** What each provider's schedule invokes the dispatcher with (shared/jobs/schedules.ts `input`). */
export const dispatchInput = z.object({ provider: z.enum(SYNC_PROVIDERS), kind: dispatchKind });

/**
 * Where a dispatch run that neared its deadline goes on: the shard and the index page key to resume at, plus the
 * counts so far. Sent to the `syncDispatch` queue, which the dispatcher itself consumes.
 */
export const dispatchJob = z.object({
  dispatch_id: z.string().check(z.minLength(1)),
  provider: z.enum(SYNC_PROVIDERS),
  kind: dispatchKind,
  shard: z.number().check(z.int(), z.gte(0), z.lte(ACTIVE_SHARDS - 1)),
  start_key: z.optional(z.record(z.string(), z.unknown())),
  connections: z.number().check(z.int(), z.gte(0)),
  requests: z.number().check(z.int(), z.gte(0)),
});
export type DispatchJob = z.infer<typeof dispatchJob>;

export interface DispatchResult {
  provider: SyncProvider;
  dispatch_id: string;
  /** Connections a job was queued for (live: every active one; watchdog: the silent ones). */
  connections: number;
  /** SendMessageBatch requests made for them. */
  requests: number;
  /** False when the rest was handed to a continuation. */
  complete: boolean;
  /** Why nothing was dispatched: the admin disabled the provider, or its live mode is not pull. */
  skipped?: string;
}

/**
 * Whether live pulls of the provider are on: the admin toggle (`PUT /oauth/providers/{p}`), and the live sync mode
 * (pull unless set to webhook, contract 7.2: periodic pulls only for providers whose live mode is pull).
 */
async function dispatchOff(provider: SyncProvider, kind: DispatchKind): Promise<string | undefined> {
  const settings = await getProviderSettings(provider);
  if (!settings.is_enabled) return `${provider} is disabled`;
  const mode = settings.live_sync_mode ?? defaultLiveSyncMode(PROVIDER_INFO[provider]);
  // Pulls when live mode is pull; the watchdog when it is webhook (a polled connection cannot go silent).
  const wanted = kind === 'live' ? 'pull' : 'webhook';
  return mode === wanted ? undefined : `the live sync mode of ${provider} is ${mode}`;
}

type DispatchKind = z.output<typeof dispatchKind>;

/** A page is not started with less than this left: one page (up to 1 MB of user ids) is sent whole. */
export const DISPATCH_MARGIN_MS = 60_000;
/** Live jobs are spread over this many seconds (random `DelaySeconds`), not sent to the provider at once. */
export const LIVE_JITTER_SECONDS = 300;

export interface DispatchOptions {
  remainingMs: () => number;
  marginMs?: number;
  jitterSeconds?: number;
}

/**
 * Queues one live sync job per active connection of `provider` (unless live pulls of it are off): every shard of the active-connection index
 * (shared/store/connections.ts), page by page, each page sent with SendMessageBatch before the next is read.
 *
 * Bounded time: before each page it checks the invocation's remaining time, and with less than the margin left
 * it sends a continuation (shard + page key + counts) to the `syncDispatch` queue and returns. The dispatcher
 * consumes that queue too, so the run resumes in a fresh invocation where this one stopped; a failed continuation
 * is retried by SQS (a page re-sent after a failure only duplicates live jobs, which the sync lease and idempotent
 * writes absorb).
 */
export async function dispatchLiveSyncs(
  start: Pick<DispatchJob, 'provider'> & Partial<DispatchJob>,
  options: DispatchOptions,
): Promise<DispatchResult> {
  const margin = options.marginMs ?? DISPATCH_MARGIN_MS;
  const jitterSeconds = options.jitterSeconds ?? LIVE_JITTER_SECONDS;
  const { provider } = start;
  const kind = start.kind ?? 'live';
  const dispatchId = start.dispatch_id ?? randomUUID();
  let connections = start.connections ?? 0;
  let requests = start.requests ?? 0;
  if (start.dispatch_id === undefined) {
    const skipped = await dispatchOff(provider, kind);
    if (skipped) {
      logger.info('sync dispatch skipped', { provider, reason: skipped });
      return { provider, dispatch_id: dispatchId, connections, requests, complete: true, skipped };
    }
  }

  for (let shard = start.shard ?? 0; shard < ACTIVE_SHARDS; shard++) {
    let startKey = shard === start.shard ? start.start_key : undefined;
    do {
      if (options.remainingMs() < margin) {
        await sendJob('syncDispatch', dispatchJob, {
          dispatch_id: dispatchId,
          provider,
          kind,
          shard,
          start_key: startKey,
          connections,
          requests,
        });
        logger.info('sync dispatch continues in a new invocation', {
          provider,
          dispatchId,
          shard,
          connections,
        });
        return { provider, dispatch_id: dispatchId, connections, requests, complete: false };
      }
      const page = await activeConnectionsPage(provider, shard, startKey);
      if (page.userIds.length > 0 && kind === 'watchdog') {
        connections += await queueCatchups(provider, page.userIds);
      } else if (page.userIds.length > 0) {
        requests += await queueLiveSyncs(provider, page.userIds, { jitterSeconds });
        connections += page.userIds.length;
      }
      startKey = page.next;
    } while (startKey);
  }
  logger.info('sync dispatch done', { provider, dispatchId, connections, requests });
  return { provider, dispatch_id: dispatchId, connections, requests, complete: true };
}
