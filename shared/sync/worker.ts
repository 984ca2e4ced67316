import { randomUUID } from 'node:crypto';
import type { Context, SQSRecord } from 'aws-lambda';
import { savePullResult, storableCounts, writingFor } from '#shared/ingest/persist.js';
import { createSqsWorker } from '#shared/jobs/worker.js';
import { isoAt } from '#shared/model/time.js';
import type { FreshTokens } from '#shared/oauth/fresh-token.js';
import { logger } from '#shared/observability.js';
import { UnauthorizedError } from '#shared/providers/http.js';
import type { ProviderModule } from '#shared/providers/module.js';
import type { PullResult } from '#shared/providers/types.js';
import { acquireLease, type LeaseTaken, releaseLease } from '#shared/store/connection-leases.js';
import { type Connection, getConnection } from '#shared/store/connections.js';
import { extendSlot, releaseSlot } from '#shared/store/sync-slots.js';
import { UserGone } from '#shared/store/user-guard.js';
import { getUser } from '#shared/store/users.js';
import { type SyncJob, slotKindOf, syncJob } from '#shared/sync/enqueue.js';
import type { Invocation, JobOutcome } from '#shared/sync/run-handover.js';
import { RunReport } from '#shared/sync/run-report.js';
import {
  beforeDeadline,
  coveredMarks,
  DeadlineReached,
  emitScopeOf,
  stampCursor,
  UnitDigests,
} from '#shared/sync/run-support.js';
import { UnitFailures } from '#shared/sync/unit-failure.js';
import { deferUntil, laterCursor, nextCursor, resolveWindow, unitsAfter } from '#shared/sync/window.js';
import { DEFAULT_SYNC_DEPS, type SyncWorkerDeps } from '#shared/sync/worker-deps.js';

/**
 * The sync worker: one job = one invocation's share of a run (see enqueue.ts for the job). Per job:
 *
 * 1. a job with `not_before` in the future is re-queued for the rest of its wait;
 * 2. the user and an active connection must exist, else the job is dropped (with a status event when the user
 *    exists: no items are written for a deleted user);
 * 3. the connection's sync lease is taken (one sync per connection at a time); when another sync holds it, the job
 *    is re-queued with a growing delay instead of failing;
 * 4. a usable access token (refreshed near expiry, exactly once across racing workers);
 * 5. the window (resolved once, carried by continuations), split into the provider's units, resumed after the
 *    checkpoint; each unit is fetched, saved idempotently and checkpointed, with progress events, and emits its
 *    events (a live run only those of what changed the store: run-support.ts `emitScopeOf`; and it skips saving
 *    a unit that pulled what the last live run saved: `UnitDigests`);
 * 6. before the invocation's deadline it stops and re-queues a continuation with the checkpoint: a unit is not
 *    started with less than `softMarginMs` left, and a unit still running `hardMarginMs` before the deadline is
 *    abandoned (redone by the continuation; saves are idempotent), so no invocation ever runs into its timeout;
 * 7. once every unit is done: `last_synced_at` is advanced (see window.ts `nextCursor`) and the lease released in
 *    the same write, with the announcement marks the run covered, and a `completed` event is recorded.
 *
 * Faults: a rate limit re-queues the job (same checkpoint) until the provider's reset and the message succeeds
 * (nothing ever sleeps); a transient provider error (5xx, network) fails the message after stretching its
 * visibility in proportion to its receive count (SQS retries, then dead-letters it); a 401 on a data call forces
 * one token refresh and retries the unit; a revoked or expired connection fails the run and drops the job; a 410
 * (the API is gone) revokes the connection and fails the run; any other 4xx skips that unit and the run ends `partial`.
 */

/** The lease outlives the invocation by this much, then lapses on its own if the worker died. */
const LEASE_SLACK_MS = 30_000;

/** One job, start to finish or to its hand-over (continuation, deferral; run-handover.ts, unit-failure.ts). */
class SyncRun extends UnitFailures {
  constructor(
    job: SyncJob,
    invocation: Invocation,
    private readonly deps: SyncWorkerDeps,
  ) {
    super(job, invocation, new RunReport(job, deps.progressEveryMs));
  }

  /**
   * A user deleted while the job runs: every guarded write refused, the sync's own writes purged, job dropped. Any
   * other failure is retried by SQS (the message fails) until its last receive, which ends the run `failed` with the
   * error: no run stays `in_progress` once its job is gone.
   */
  async run(): Promise<JobOutcome> {
    try {
      return await this.runForUser();
    } catch (error) {
      if (error instanceof UserGone) {
        logger.warn('dropping a sync job: the user was deleted', { runId: this.job.run_id });
        return 'dropped';
      }
      if (this.lastReceive() && !this.ended) {
        const message = (error as Error).message ?? String(error);
        await this.fail(`Sync of ${this.job.provider} failed: ${message}`, message);
      }
      // SQS retries the message, and dead-letters it after its last receive (the alarm tells an operator).
      throw error;
    }
  }

  private async runForUser(): Promise<JobOutcome> {
    const { job } = this;
    const now = Date.now();
    if (job.not_before !== undefined && job.not_before > now) {
      const wait = deferUntil(job.not_before, now);
      await this.requeue({}, wait.delaySeconds);
      return 'deferred';
    }

    if (!(await getUser(job.user_id))) {
      logger.warn('dropping a sync job: the user does not exist', {
        runId: job.run_id,
        provider: job.provider,
      });
      return 'dropped';
    }
    const connection = await getConnection(job.user_id, job.provider);
    if (connection?.status !== 'active') return this.dropInactive(connection, now);
    const provider = this.deps.providers[job.provider];
    if (!provider) return this.fail(`No pull implementation for ${job.provider}`);

    const owner = randomUUID();
    const leaseUntil = now + this.invocation.remainingMs() + LEASE_SLACK_MS;
    const lease = await acquireLease(connection, 'sync', owner, leaseUntil, { now, run: job.run_id });
    if (!lease) return this.deferBusy('another sync of this connection is running');
    try {
      return await this.sync(provider, connection, owner, lease);
    } finally {
      if (!this.leaseReturned) await releaseLease(connection, 'sync', owner, { covered: this.covered });
    }
  }

  /** Whether the lease went back with the cursor's stamp. */
  private leaseReturned = false;
  /**
   * The marks the run removes as it gives the lease back: once it completes, run-support.ts `coveredMarks`; before,
   * its own unless a save may have gone unannounced (one failed or was abandoned here, or an earlier invocation left
   * the mark), so that runs failing before they write (a refused permission, an outage) leave no marks behind.
   */
  private covered: string[] = [];

  private async sync(
    provider: ProviderModule,
    connection: Connection,
    owner: string,
    lease: LeaseTaken,
  ): Promise<JobOutcome> {
    const { job, deps, invocation } = this;
    const window = resolveWindow(
      job.window,
      job.from_cursor && job.checkpoint === undefined,
      connection.last_synced_at,
      job.mode === 'live' ? Date.now() : undefined,
    );
    const all = provider.units(window.start, window.end);
    const remaining = unitsAfter(all, job.checkpoint);
    const total = all.length;
    this.report.unitsTotal = total;
    let done = total - remaining.length;
    let checkpoint = job.checkpoint;
    const continuation = { window, from_cursor: false };

    if (!this.report.begun) {
      this.report.startedAt = new Date().toISOString();
      this.report.begun = true;
      await this.report.event(
        {
          stage: 'started',
          status: 'in_progress',
          message: `Sync of ${job.provider} started`,
          progress: 0,
          items_processed: 0,
          items_total: total,
        },
        window,
      );
    }

    let current: FreshTokens;
    try {
      current = await deps.tokens(connection);
    } catch (error) {
      return this.tokenFailure(error, { ...continuation, checkpoint });
    }
    let get = await deps.client(job.provider, current.tokens.accessToken);
    const emit = emitScopeOf(job, lease);
    const digests = new UnitDigests(job.mode === 'live' ? lease.digests : undefined, emit === 'changed');
    if (!lease.unannounced.includes(job.run_id)) this.covered = [job.run_id];

    for (const unit of remaining) {
      if (invocation.remainingMs() < deps.softMarginMs) {
        await this.requeue({ ...continuation, checkpoint }, 0);
        return 'continued';
      }
      let saving = false;
      try {
        await beforeDeadline(
          (async () => {
            await this.report.progress('fetching', done, total, unit, window);
            let result: PullResult;
            try {
              result = await provider.pull(get, unit);
            } catch (error) {
              if (!(error instanceof UnauthorizedError)) throw error;
              // The provider no longer takes this token: one forced refresh, one more try.
              current = await deps.refresh(current.connection);
              get = await deps.client(job.provider, current.tokens.accessToken);
              result = await provider.pull(get, unit);
            }
            await this.report.progress('saving', done, total, unit, window);
            const { digest, unchanged } = digests.check(unit, result);
            saving = !unchanged;
            const saved = unchanged
              ? storableCounts(result)
              : await writingFor(job.user_id, () =>
                  savePullResult(job.user_id, result, { identity: provider.eventIdentity, emit }),
                );
            digests.record(unit, digest);
            this.report.tally(saved, result, unit);
          })(),
          invocation.remainingMs() - deps.hardMarginMs,
        );
      } catch (error) {
        // An abandoned unit may yet save, unobserved.
        if (saving || error instanceof DeadlineReached) this.covered = [];
        const outcome = await this.unitFailed(error, {
          unit,
          done,
          total,
          window,
          resume: { ...continuation, checkpoint },
        });
        if (outcome !== null) return outcome;
      }
      this.report.totals.units_done++;
      done++;
      checkpoint = unit.key;
    }

    // A catch-up polled everything since the connection's last delivery: its end is the new cursor.
    const cursor =
      job.mode === 'catchup'
        ? laterCursor(connection.last_synced_at, window)
        : nextCursor(connection.last_synced_at, window);
    this.covered = coveredMarks(job, lease);
    if (cursor) {
      this.leaseReturned = await stampCursor(connection, cursor, {
        owner,
        covered: this.covered,
        digests: digests.saved,
      });
    }
    const partial = this.report.totals.units_skipped > 0;
    await this.report.event(
      {
        stage: 'completed',
        status: partial ? 'partial' : 'success',
        message: partial
          ? `Sync of ${job.provider} completed; ${this.report.totals.units_skipped} of ${total} parts skipped`
          : `Sync of ${job.provider} completed`,
        progress: 1,
        items_processed: done,
        items_total: total,
        ended_at: isoAt(Date.now()),
        metadata: { last_synced_at: cursor ?? connection.last_synced_at },
      },
      window,
    );
    return 'completed';
  }
}

/**
 * Runs one job; exported for tests that drive it without an SQS record. A run that ends frees its connection's
 * slot (enqueue.ts), one that goes on keeps it from lapsing.
 */
export async function runSyncJob(
  job: SyncJob,
  invocation: Invocation,
  deps: SyncWorkerDeps,
): Promise<JobOutcome> {
  const outcome = await new SyncRun(job, invocation, deps).run();
  const kind = slotKindOf(job.mode);
  if (kind) {
    const ongoing = outcome === 'continued' || outcome === 'deferred';
    await (ongoing ? extendSlot : releaseSlot)(job.user_id, job.provider, kind, job.run_id);
  }
  return outcome;
}

/** The SQS consumer of every sync queue (functions/sync-worker.ts), with partial batch responses. */
export function createSyncWorker(deps: Partial<SyncWorkerDeps> & Pick<SyncWorkerDeps, 'providers'>) {
  const full: SyncWorkerDeps = { ...DEFAULT_SYNC_DEPS, ...deps };
  return createSqsWorker(syncJob, async (job, context: Context, record: SQSRecord) => {
    const outcome = await runSyncJob(
      job,
      {
        remainingMs: () => context.getRemainingTimeInMillis(),
        receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
        receiptHandle: record.receiptHandle,
      },
      full,
    );
    logger.info('sync job handled', { runId: job.run_id, provider: job.provider, mode: job.mode, outcome });
  });
}
