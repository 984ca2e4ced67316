import type { SyncProvider } from '#shared/jobs/queues.js';
import { logger } from '#shared/observability.js';
import { syncModules } from '#shared/providers/cores.js';
import { claimInlineSync, manualSyncJob, queueSync } from '#shared/sync/enqueue.js';
import type { JobOutcome } from '#shared/sync/run-handover.js';
import type { SyncRunSummary } from '#shared/sync/status.js';
import { runProgress } from '#shared/sync/status-read.js';
import { runSyncJob } from '#shared/sync/worker.js';
import { DEFAULT_SYNC_DEPS, type SyncWorkerDeps } from '#shared/sync/worker-deps.js';

/**
 * What an API request may spend on an inline sync: the API functions' 29 s timeout (lib/app-function.ts; API
 * Gateway gives up after 30 s) less what the answer needs after the run (reading its summary) and a safety margin.
 */
export const INLINE_SYNC_BUDGET_MS = 24_000;

/** The worker's margins, shrunk to an API request's time: a unit still running 3 s before the budget ends goes back. */
const INLINE_DEPS: Omit<SyncWorkerDeps, 'providers'> = {
  ...DEFAULT_SYNC_DEPS,
  softMarginMs: 6_000,
  hardMarginMs: 3_000,
};

export interface InlineSync {
  run_id: string;
  /** The run ended within the request (`completed` or `failed`); otherwise it goes on from the sync queue. */
  finished: boolean;
  /** Another manual sync of the connection was pending: that run is answered, nothing was started. */
  existing: boolean;
  outcome: JobOutcome | null;
  summary: SyncRunSummary | null;
}

/**
 * `POST /sync?async=false`: a manual sync run by the same code as the sync worker, in the request, until it ends or
 * the budget does; then its continuation is queued (a deferral too: the connection busy, a rate limit) and the
 * caller follows it like a queued run.
 */
export async function runInlineSync(
  userId: string,
  provider: SyncProvider,
  range: { start?: number; end?: number },
  budgetMs = INLINE_SYNC_BUDGET_MS,
  deps: Partial<SyncWorkerDeps> = {},
): Promise<InlineSync> {
  const deadline = Date.now() + budgetMs;
  const job = manualSyncJob(userId, provider, range);
  const claimed = await claimInlineSync(job);
  if (claimed.existing) {
    const summary = (await runProgress(userId, claimed.run_id))?.summary ?? null;
    return { run_id: claimed.run_id, finished: false, existing: true, outcome: null, summary };
  }
  let outcome: JobOutcome;
  try {
    outcome = await runSyncJob(
      job,
      { remainingMs: () => deadline - Date.now(), receiveCount: 1, receiptHandle: '', inline: true },
      { ...INLINE_DEPS, providers: syncModules, ...deps },
    );
  } catch (error) {
    // Anything the worker would leave to SQS's retries: the queue retries it instead.
    logger.warn('inline sync handed over to the queue', { runId: job.run_id, error: error as Error });
    await queueSync(job);
    outcome = 'continued';
  }
  const summary = (await runProgress(userId, job.run_id))?.summary ?? null;
  const finished = outcome === 'completed' || outcome === 'failed' || outcome === 'dropped';
  return { run_id: job.run_id, finished, existing: false, outcome, summary };
}
