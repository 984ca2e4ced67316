import { syncModules } from '#shared/providers/cores.js';
import { type Connection, getConnection } from '#shared/store/connections.js';
import { arrivalAttribute } from '#shared/store/provider-accounts.js';
import { type BackfillRecord, getBackfillRecord } from '#shared/sync/backfill-record.js';

/**
 * `GET /providers/garmin/users/{id}/backfill/status` (contract 4.5), from the durable backfill record (which
 * requests were made, how the run ended) and the connection's arrival stamps (which summary types Garmin has
 * pushed since). A requested type is `done` once data of that type arrived after the run started, `timed_out`
 * when none came within BACKFILL_TIMEOUT_MS of its request, else `pending`; a type never requested because the run
 * failed (no permission) is `failed`.
 */
// The reference's 300 s: Garmin pushes nothing for an empty window, so silence is all there is to go by. A push
// arriving later still turns the cell `done`.
export const BACKFILL_TIMEOUT_MS = 5 * 60_000;
export const MAX_ATTEMPTS = 3;

export type CellState = 'done' | 'pending' | 'timed_out' | 'failed';

interface Unit {
  type: string;
  window: string;
}

/** The run's units in request order, as `<type>:<window start date>` keys say. */
function unitsOf(record: BackfillRecord): Unit[] {
  const module = syncModules.garmin!;
  return module.units(record.window_start, record.window_end).map((unit) => {
    const at = unit.key.indexOf(':');
    return { type: unit.key.slice(0, at), window: unit.key.slice(at + 1) };
  });
}

function cellState(
  unit: Unit,
  index: number,
  record: BackfillRecord,
  connection: Connection | undefined,
  now: number,
): CellState {
  // Not requested: still to come while the run goes on; never, once it ended without them.
  if (index >= record.requested) return record.status === 'in_progress' ? 'pending' : 'failed';
  const arrived = (connection as Record<string, unknown> | undefined)?.[arrivalAttribute(unit.type)];
  if (typeof arrived === 'string' && arrived >= record.started_at) return 'done';
  return now - Date.parse(record.updated_at) > BACKFILL_TIMEOUT_MS ? 'timed_out' : 'pending';
}

export async function garminBackfillStatus(userId: string, now = Date.now()) {
  const [record, connection] = await Promise.all([
    getBackfillRecord(userId, 'garmin'),
    getConnection(userId, 'garmin'),
  ]);
  const empty = {
    user_id: userId,
    provider: 'garmin',
    retry_phase: false,
    retry_type: null,
    retry_window: null,
    max_attempts: MAX_ATTEMPTS,
  };
  if (!record) {
    return {
      ...empty,
      overall_status: 'pending',
      current_window: 0,
      total_windows: 0,
      windows: {} as Record<string, Record<string, CellState>>,
      summary: {} as Record<string, { done: number; timed_out: number; failed: number }>,
      in_progress: false,
      attempt_count: 0,
      permanently_failed: false,
    };
  }
  const units = unitsOf(record);
  const windowIds = [...new Set(units.map((u) => u.window))].sort();
  const windows: Record<string, Record<string, CellState>> = {};
  const summary: Record<string, { done: number; timed_out: number; failed: number }> = {};
  units.forEach((unit, index) => {
    const state = cellState(unit, index, record, connection, now);
    const id = String(windowIds.indexOf(unit.window));
    windows[id] = { ...windows[id], [unit.type]: state };
    summary[unit.type] ??= { done: 0, timed_out: 0, failed: 0 };
    if (state !== 'pending') summary[unit.type]![state]++;
  });
  const states = Object.values(windows).flatMap((w) => Object.values(w));
  const running = record.status === 'in_progress';
  // A run that ended short of its requests (no permission, dropped before it ran) cannot complete.
  const failed = !running && record.requested < units.length;
  const waiting = !failed && states.includes('pending');
  const next = units[record.requested];
  return {
    ...empty,
    overall_status: failed ? 'permanently_failed' : running || waiting ? 'in_progress' : 'complete',
    current_window: next ? windowIds.indexOf(next.window) : Math.max(0, windowIds.length - 1),
    total_windows: windowIds.length,
    windows,
    summary,
    in_progress: running || waiting,
    attempt_count: 1,
    permanently_failed: failed,
    run_id: record.run_id,
    error: record.error,
  };
}
