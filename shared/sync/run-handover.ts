import { emitCommitted } from '#shared/delivery/emit.js';
import { connectionRevoked } from '#shared/delivery/payloads.js';
import { QUEUES, SYNC_QUEUES } from '#shared/jobs/queues.js';
import { isoAt } from '#shared/model/time.js';
import {
  ConnectionAuthError,
  ProviderNotConfiguredError,
  TokenRefreshBusyError,
} from '#shared/oauth/errors.js';
import { logger } from '#shared/observability.js';
import type { ProviderGoneError, RateLimitedError } from '#shared/providers/http.js';
import { isIntegrated, PROVIDER_INFO } from '#shared/providers/registry.js';
import { dropStaleIndex } from '#shared/store/connection-index.js';
import { type Connection, getConnection, setConnectionStatus } from '#shared/store/connections.js';
import { changeSyncVisibility, queueSync, type SyncJob } from '#shared/sync/enqueue.js';
import type { RunReport } from '#shared/sync/run-report.js';
import {
  deferUntil,
  leaseBusyDelaySeconds,
  MAX_DELAY_SECONDS,
  type SyncWindow,
  transientVisibilitySeconds,
} from '#shared/sync/window.js';

/**
 * How a sync run hands over or ends when it cannot go on now: re-queued after a delay (the connection is busy, the
 * provider rate-limits, a transient failure after progress), failed with a status event (and the connection revoked
 * when the provider's API is gone), or failed as a message for SQS to retry. The run itself (worker.ts) extends this.
 */

/** Deferrals (connection busy, rate limited) after which a run gives up. */
export const MAX_DEFERRALS = 48;
export type JobOutcome = 'completed' | 'continued' | 'deferred' | 'dropped' | 'failed';

export interface Invocation {
  remainingMs(): number;
  receiveCount: number;
  receiptHandle: string;
  /**
   * No queue message backs this invocation (an API request runs the job inline, shared/sync/inline.ts): a
   * transient failure hands the run over to the queue as a continuation instead of failing a message.
   */
  inline?: boolean;
}

/** Why a connection whose provider API answered 410 Gone is revoked (the sync and webhook workers both say it). */
export function apiGoneReason(provider: string): string {
  const deprecation = isIntegrated(provider) ? PROVIDER_INFO[provider].deprecation : undefined;
  return `${provider} answered 410 Gone: ${deprecation?.message ?? 'its API is no longer available'}`;
}

export abstract class RunHandover {
  /** A final (`failed`) status has been recorded for the run. */
  protected ended = false;

  constructor(
    protected readonly job: SyncJob,
    protected readonly invocation: Invocation,
    protected readonly report: RunReport,
  ) {}

  protected requeue(changes: Partial<SyncJob>, delaySeconds: number) {
    return queueSync({ ...this.job, ...this.report.handover(), ...changes }, delaySeconds);
  }

  protected async fail(message: string, error?: string): Promise<JobOutcome> {
    this.ended = true;
    await this.report.event({
      stage: 'failed',
      status: 'failed',
      message,
      error: error ?? message,
      ended_at: isoAt(Date.now()),
    });
    return 'failed';
  }

  /**
   * `attempt` counts deferrals in a row without progress: a long backfill sharing a provider's budget with others
   * may wait many times, but gives up only when it stops advancing.
   */
  private nextAttempt(): number {
    return this.report.progressed ? 1 : this.job.attempt + 1;
  }

  protected lastReceive(): boolean {
    return this.invocation.receiveCount >= QUEUES[SYNC_QUEUES[this.job.provider]].maxReceiveCount;
  }

  /**
   * A job for a connection that is not active (or gone) is dropped with a status event; whatever still indexes the
   * connection for the dispatcher goes too (connection-index.ts `dropStaleIndex`).
   */
  protected async dropInactive(connection: Connection | undefined, now: number): Promise<JobOutcome> {
    const { job } = this;
    await dropStaleIndex(job.user_id, job.provider, connection !== undefined);
    const message = connection
      ? `Connection to ${job.provider} is ${connection.status}; reconnection required`
      : `User not connected to ${job.provider}`;
    await this.report.event({ stage: 'cancelled', status: 'skipped', message, ended_at: isoAt(now) });
    return 'dropped';
  }

  protected async deferBusy(reason: string, resume: Partial<SyncJob> = {}): Promise<JobOutcome> {
    const { job } = this;
    if (this.nextAttempt() > MAX_DEFERRALS) {
      return this.fail(`Sync of ${job.provider} gave up after ${job.attempt} deferrals: ${reason}`);
    }
    const delay = leaseBusyDelaySeconds(job.attempt);
    logger.info('sync deferred', { runId: job.run_id, provider: job.provider, reason, delaySeconds: delay });
    await this.requeue({ ...resume, attempt: this.nextAttempt() }, delay);
    return 'deferred';
  }

  /** A connection that cannot give a token fails the run; a refresh running elsewhere defers it. */
  protected async tokenFailure(error: unknown, resume: Partial<SyncJob> = {}): Promise<JobOutcome> {
    if (error instanceof ConnectionAuthError) return this.fail(error.message);
    if (error instanceof ProviderNotConfiguredError) return this.fail(error.message);
    if (error instanceof TokenRefreshBusyError)
      return this.deferBusy('another worker is refreshing the token', resume);
    throw error;
  }

  /**
   * The provider answered 410 Gone: its API is shut down (the Fitbit Web API since 2026-11-02) and no later request
   * of this connection can succeed. The connection is revoked with the reason (tokens cleared, out of the
   * dispatcher's index; the account link stays, as after a refused refresh: the sync worker may not write it), and
   * the run fails saying where the provider's users go instead.
   */
  protected async apiGone(error: ProviderGoneError): Promise<JobOutcome> {
    const { job } = this;
    const reason = apiGoneReason(job.provider);
    const connection = await getConnection(job.user_id, job.provider);
    if (connection) {
      await setConnectionStatus(connection, 'revoked', { clearTokens: true, reason });
      if (connection.status === 'active') await emitCommitted(connectionRevoked(connection, 'api_gone'));
    }
    logger.warn('provider API gone: connection revoked', { runId: job.run_id, provider: job.provider });
    return this.fail(`${reason}. The connection was revoked.`, error.message);
  }

  protected async deferRateLimited(
    error: RateLimitedError,
    resume: Partial<SyncJob>,
    window: SyncWindow,
  ): Promise<JobOutcome> {
    const { job } = this;
    if (this.nextAttempt() > MAX_DEFERRALS) {
      return this.fail(
        `Sync of ${job.provider} gave up after ${job.attempt} rate-limit waits`,
        error.message,
      );
    }
    const wait = deferUntil(error.retryAt, Date.now());
    await this.report.event(
      {
        stage: 'fetching',
        status: 'in_progress',
        message: `Rate limited by ${job.provider}; resuming after ${isoAt(error.retryAt)}`,
      },
      window,
    );
    await this.requeue(
      { ...resume, attempt: this.nextAttempt(), not_before: wait.notBefore },
      wait.delaySeconds,
    );
    return 'deferred';
  }

  /**
   * A 5xx or network failure. Without progress in this invocation the message fails (SQS redelivers it after a
   * visibility stretched in proportion to its receive count, and dead-letters it after maxReceiveCount); with
   * progress, a continuation from the new checkpoint is queued after the same backoff and the message succeeds,
   * so no unit already saved is fetched again (a unit that keeps failing then exhausts the continuation's receives).
   */
  protected async transient(
    error: Error,
    at: { done: number; total: number; resume: Partial<SyncJob> },
    window: SyncWindow,
  ): Promise<JobOutcome> {
    const { job, invocation } = this;
    const queue = QUEUES[SYNC_QUEUES[job.provider]];
    const backoff = transientVisibilitySeconds(invocation.receiveCount);
    const progressed = at.resume.checkpoint !== job.checkpoint;
    const last = !progressed && invocation.receiveCount >= queue.maxReceiveCount;
    if (last) this.ended = true;
    await this.report.event(
      last
        ? {
            stage: 'failed',
            status: 'failed',
            message: `${job.provider} kept failing; the job was dead-lettered`,
            error: error.message,
            ended_at: isoAt(Date.now()),
          }
        : {
            stage: 'fetching',
            status: 'in_progress',
            message: `${job.provider} failed transiently; retrying in ${backoff} s`,
            error: error.message,
            progress: at.total === 0 ? 0 : at.done / at.total,
            items_processed: at.done,
            items_total: at.total,
          },
      window,
    );
    if (progressed || invocation.inline) {
      await this.requeue(at.resume, Math.min(backoff, MAX_DELAY_SECONDS));
      return 'continued';
    }
    if (!last) await changeSyncVisibility(job.provider, invocation.receiptHandle, backoff);
    throw error;
  }
}
