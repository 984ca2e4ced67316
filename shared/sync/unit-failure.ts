import {
  ConnectionAuthError,
  ProviderNotConfiguredError,
  TokenRefreshBusyError,
} from '#shared/oauth/errors.js';
import { logger } from '#shared/observability.js';
import {
  PermissionDeniedError,
  ProviderGoneError,
  ProviderRequestError,
  RateLimitedError,
  TransientProviderError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import type { SyncUnit } from '#shared/providers/types.js';
import type { SyncJob } from '#shared/sync/enqueue.js';
import { type JobOutcome, RunHandover } from '#shared/sync/run-handover.js';
import { DeadlineReached } from '#shared/sync/run-support.js';
import type { SyncWindow } from '#shared/sync/window.js';

/** Where a run stood when one of its units failed. */
export interface UnitAt {
  unit: SyncUnit;
  /** Units done before this one, of `total`. */
  done: number;
  total: number;
  window: SyncWindow;
  /** The continuation from the last checkpoint. */
  resume: Partial<SyncJob>;
}

/**
 * What a failed unit means for its run (worker.ts runs the units; the fault list is in its header): the run is
 * continued, deferred or failed, or the unit is skipped and the run goes on.
 */
export abstract class UnitFailures extends RunHandover {
  /** The outcome the invocation ends with; null when the unit is skipped (the run will end `partial`). */
  protected async unitFailed(error: unknown, at: UnitAt): Promise<JobOutcome | null> {
    const { job } = this;
    const { unit, done, total, window, resume } = at;
    if (error instanceof DeadlineReached) {
      logger.warn('sync unit abandoned at the deadline', { runId: job.run_id, unit: unit.key });
      await this.requeue(resume, 0);
      return 'continued';
    }
    if (error instanceof ProviderGoneError) return this.apiGone(error);
    if (error instanceof ProviderRequestError) {
      this.report.totals.units_skipped++;
      await this.report.event(
        {
          stage: 'fetching',
          status: 'partial',
          message: `Skipped ${unit.key}: ${job.provider} answered ${error.status}`,
          error: error.message,
          progress: total === 0 ? 1 : (done + 1) / total,
          items_processed: done + 1,
          items_total: total,
        },
        window,
      );
      return null;
    }
    if (error instanceof RateLimitedError) return this.deferRateLimited(error, resume, window);
    if (error instanceof TransientProviderError)
      return this.transient(error, { done, total, resume }, window);
    if (error instanceof UnauthorizedError) {
      return this.fail(`${job.provider} rejected a freshly refreshed access token`, error.message);
    }
    if (error instanceof PermissionDeniedError) {
      // Every later unit would be refused too (Garmin: no HISTORICAL_DATA_EXPORT): stop the chain here.
      return this.fail(`${job.provider} refused ${unit.key} and the rest: ${error.message}`, error.message);
    }
    if (
      error instanceof ConnectionAuthError ||
      error instanceof TokenRefreshBusyError ||
      error instanceof ProviderNotConfiguredError
    ) {
      return this.tokenFailure(error, resume);
    }
    // Anything else (a body that does not parse, a mapping that breaks on it): retried like a 5xx.
    return this.transient(error as Error, { done, total, resume }, window);
  }
}
