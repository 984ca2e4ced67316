import { isoAt } from '#shared/model/time.js';
import type { SyncUnit } from '#shared/providers/types.js';
import { saveBackfillRecord } from '#shared/sync/backfill-record.js';
import { NO_TOTALS, type SyncJob, type SyncTotals } from '#shared/sync/enqueue.js';
import { recordSyncEvent, type SyncEventInput } from '#shared/sync/status.js';
import type { SyncWindow } from '#shared/sync/window.js';

/**
 * What a sync run reports: its status events (the run's counts and window in their metadata, progress at most
 * every `progressEveryMs`), and for a push backfill the durable backfill record. Its counts and start time travel
 * with the job through hand-overs (`handover`).
 */
export class RunReport {
  totals: SyncTotals;
  startedAt: string;
  /** The run has recorded its `started` event: hand-overs carry its start time and counts from then on. */
  begun: boolean;
  /** Units of the run's window, once resolved. */
  unitsTotal = 0;
  private lastProgress = 0;

  constructor(
    readonly job: SyncJob,
    private readonly progressEveryMs: number,
  ) {
    this.totals = { ...(job.totals ?? NO_TOTALS) };
    this.begun = job.started_at !== undefined;
    this.startedAt = job.started_at ?? new Date().toISOString();
  }

  /** Units were done in this invocation (its deferrals then start counting afresh). */
  get progressed(): boolean {
    return this.totals.units_done > (this.job.totals?.units_done ?? 0);
  }

  /** The counts and start time a continuation or deferral carries. */
  handover(): Partial<SyncJob> {
    return this.begun ? { totals: this.totals, started_at: this.startedAt } : {};
  }

  async event(
    input: Omit<SyncEventInput, 'run_id' | 'user_id' | 'provider' | 'source'>,
    window?: SyncWindow,
  ) {
    const { job } = this;
    const event = await recordSyncEvent({
      run_id: job.run_id,
      user_id: job.user_id,
      provider: job.provider,
      source: job.source,
      started_at: this.startedAt,
      ...input,
      metadata: {
        mode: job.mode,
        window_start: isoAt((window ?? job.window).start),
        window_end: isoAt((window ?? job.window).end),
        attempt: job.attempt,
        samples_saved: this.totals.samples,
        events_saved: this.totals.events,
        scores_saved: this.totals.scores,
        units_skipped: this.totals.units_skipped,
        ...input.metadata,
      },
    });
    if (job.source === 'backfill') {
      await saveBackfillRecord(job.user_id, job.provider, {
        run_id: job.run_id,
        status: event.status,
        stage: event.stage,
        requested: this.totals.units_done + this.totals.units_skipped,
        total: input.items_total ?? this.unitsTotal,
        window_start: (window ?? job.window).start,
        window_end: (window ?? job.window).end,
        started_at: this.startedAt,
        updated_at: event.timestamp,
        error: event.error ?? null,
      });
    }
    return event;
  }

  async progress(
    stage: 'fetching' | 'saving',
    done: number,
    total: number,
    unit: SyncUnit,
    window: SyncWindow,
  ) {
    const now = Date.now();
    if (now - this.lastProgress < this.progressEveryMs) return;
    this.lastProgress = now;
    await this.event(
      {
        stage,
        status: 'in_progress',
        message: `${stage === 'fetching' ? 'Fetching' : 'Saving'} ${unit.key}`,
        progress: total === 0 ? 1 : done / total,
        items_processed: done,
        items_total: total,
      },
      window,
    );
  }
}
