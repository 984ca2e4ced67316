import type { SyncUnit } from '#shared/providers/types.js';

/**
 * The pure arithmetic of the sync engine: windows, cursors, delays. Times are epoch milliseconds.
 */

export interface SyncWindow {
  start: number;
  end: number;
}

const DAY_MS = 86_400_000;

/**
 * How far a live sync reaches back before `last_synced_at`. Providers publish late: a ring uploads a night's data
 * in the morning, a watch syncs a workout hours after it ended, a score is revised once the day closes. One hour
 * catches the common case (data of the last interval arriving late) without re-reading much; writes are
 * idempotent, so the overlap costs only requests. (The reference re-reads nothing unless PULL_SYNC_LOOKBACK is set.)
 */
export const LIVE_OVERLAP_MS = 3_600_000;

/** A connection never synced (and a live window's floor): the last 30 days, the reference's default window. */
export const LIVE_DEFAULT_DAYS = 30;

/** `POST /sync` without times: the same 30 days as a live sync's floor. */
export const liveFloor = (now: number): SyncWindow => ({ start: now - LIVE_DEFAULT_DAYS * DAY_MS, end: now });

/** `POST /sync/historical?days=`: `[now - days, now]`. */
export const historicalWindow = (days: number, now: number): SyncWindow => ({
  start: now - days * DAY_MS,
  end: now,
});

/**
 * The window a job syncs. A job whose window starts "from the cursor" (live jobs, manual ones without a start)
 * narrows its start to `last_synced_at - overlap` when that is later than the floor it carries; a connection
 * never synced gets the whole floor (30 days). With `runAt` (a live job: queued with a jitter, perhaps deferred),
 * it reaches until the run, so it re-reads all that was written before (shared/sync/run-support.ts
 * `coveredMarks`). Resolved once, on the job's first invocation: continuations carry the resolved window, so their
 * units never shift.
 */
export function resolveWindow(
  window: SyncWindow,
  fromCursor: boolean,
  lastSyncedAt: string | null,
  runAt?: number,
): SyncWindow {
  if (!fromCursor) return window;
  const end = Math.max(window.end, runAt ?? window.end);
  const cursor = lastSyncedAt ? Date.parse(lastSyncedAt) : Number.NaN;
  if (!Number.isFinite(cursor)) return { start: window.start, end };
  return { start: Math.min(Math.max(window.start, cursor - LIVE_OVERLAP_MS), end), end };
}

/**
 * The `last_synced_at` to stamp once a run covered `window` completely, or null to leave it. The cursor only moves
 * forward, and only across a window that starts at or before it: a run over an older, disconnected stretch (a
 * manual sync of last March) must not claim that everything since was synced. A connection without a cursor
 * takes the end of any window (a first sync never re-reads history).
 */
export function nextCursor(lastSyncedAt: string | null, window: SyncWindow): string | null {
  const cursor = lastSyncedAt ? Date.parse(lastSyncedAt) : Number.NaN;
  if (!Number.isFinite(cursor)) return new Date(window.end).toISOString();
  if (window.start > cursor || window.end <= cursor) return null;
  return new Date(window.end).toISOString();
}

/** The window's end when it is later than the cursor (a catch-up covered everything since the last delivery). */
export function laterCursor(lastSyncedAt: string | null, window: SyncWindow): string | null {
  const cursor = lastSyncedAt ? Date.parse(lastSyncedAt) : Number.NaN;
  return Number.isFinite(cursor) && window.end <= cursor ? null : new Date(window.end).toISOString();
}

/** The units still to do: those after the checkpoint (the key of the last unit done), or all of them. */
export function unitsAfter(units: SyncUnit[], checkpoint: string | undefined): SyncUnit[] {
  if (checkpoint === undefined) return units;
  const index = units.findIndex((unit) => unit.key === checkpoint);
  return index < 0 ? units : units.slice(index + 1);
}

/** SQS's maximum message delay. */
export const MAX_DELAY_SECONDS = 900;

export interface Deferral {
  /** `DelaySeconds` of the re-queued message. */
  delaySeconds: number;
  /** Carried by the message when the wait is longer than SQS can delay: it is re-queued until then. */
  notBefore?: number;
}

/**
 * A rate-limited job waits until the provider's reset (`retryAt`): the message is re-queued with
 * `DelaySeconds = min(900, ceil((retryAt - now) / 1000))`; longer waits also carry `not_before`, and each
 * delivery before it just re-queues the job for the rest of the wait. A reset in the past retries at once.
 */
export function deferUntil(retryAt: number, now: number): Deferral {
  const seconds = Math.max(0, Math.ceil((retryAt - now) / 1000));
  if (seconds <= MAX_DELAY_SECONDS) return { delaySeconds: seconds };
  return { delaySeconds: MAX_DELAY_SECONDS, notBefore: retryAt };
}

/** SQS's maximum visibility timeout (12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;
/** Backoff step of a transient failure: the n-th receive is retried after n times this. */
export const TRANSIENT_BACKOFF_SECONDS = 120;

/**
 * Visibility of a message that failed transiently (a 5xx, a network error): proportional to its receive count
 * (2, 4, 6, 8 minutes...), so a struggling provider gets room; after `maxReceiveCount` receives SQS moves the
 * message to the DLQ.
 */
export const transientVisibilitySeconds = (receiveCount: number) =>
  Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, Math.floor(receiveCount)) * TRANSIENT_BACKOFF_SECONDS);

/** Wait before retrying a job whose connection is busy with another sync: 30 s growing to 5 min, jittered. */
export function leaseBusyDelaySeconds(attempt: number, random = Math.random): number {
  const base = Math.min(300, 30 * 2 ** Math.min(attempt, 4));
  return Math.min(MAX_DELAY_SECONDS, Math.round(base / 2 + random() * (base / 2)));
}
