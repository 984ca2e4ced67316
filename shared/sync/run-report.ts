import type { SavedCounts } from '#shared/ingest/persist.js';
import { isoAt } from '#shared/model/time.js';
import { BUSINESS_METRICS, count } from '#shared/observability.js';
import type { PullResult, SyncUnit } from '#shared/providers/types.js';
import { saveBackfillRecord } from '#shared/sync/backfill-record.js';
import { NO_TOTALS, type SyncJob, type SyncTotals } from '#shared/sync/enqueue.js';
import { recordRunHistory, tallyResult } from '#shared/sync/history.js';
import { recordSyncEvent, type SyncEventInput } from '#shared/sync/status.js';
import type { SyncWindow } from '#shared/sync/window.js';

/** Runs that keep a stored record (history.ts); live and catch-up runs have their 24-hour status only. */
const STORED_MODES: ReadonlySet<SyncJob['mode']> = new Set(['historical', 'manual']);
const FINAL_STAGES = new Set(['completed', 'failed', 'cancelled']);

/**
 * What a sync run reports: its status events (the run's counts and window in their metadata, progress at most
 * every `progressEveryMs`), for a push backfill the durable backfill record, and for a historical or manual run
 * its stored record (history.ts). Its counts and start time travel with the job through hand-overs (`handover`).
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
    if (this.totals.types) this.totals.types = structuredClone(this.totals.types);
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

  /** Counts what a unit saved (and, for a run that keeps a stored record, by data type). */
  tally(saved: SavedCounts, result: PullResult, unit: SyncUnit): void {
    this.totals.samples += saved.samples;
    this.totals.events += saved.events;
    this.totals.scores += saved.scores;
    count(BUSINESS_METRICS.samplesIngested, { provider: this.job.provider, source: 'sync' }, saved.samples);
    if (!STORED_MODES.has(this.job.mode)) return;
    this.totals.types ??= {};
    tallyResult(this.totals.types, result, unit);
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
    if (event.stage === 'completed' || event.stage === 'failed') {
      count(BUSINESS_METRICS.syncRuns, { provider: job.provider, outcome: event.status });
    }
    // Before its start the run is not yet stored, unless this is its end (its start time would change otherwise).
    if (STORED_MODES.has(job.mode) && (this.begun || FINAL_STAGES.has(event.stage))) {
      await recordRunHistory({
        run_key: job.run_id,
        user_id: job.user_id,
        provider: job.provider,
        source: job.source,
        scope: job.mode === 'historical' ? 'historical' : 'live',
        status: event.status,
        requested_start: (window ?? job.window).start,
        requested_end: (window ?? job.window).end,
        started_at: this.startedAt,
        ended_at: event.ended_at,
        items_inserted: this.totals.samples + this.totals.events + this.totals.scores,
        error: event.error,
        data_types: this.totals.types ?? {},
      });
    }
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
