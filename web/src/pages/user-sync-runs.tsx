import { useEffect, useRef } from 'preact/hooks';
import { api, call } from '../api';
import { formatDateTime, formatNumber } from '../format';
import { useInterval, useLoad } from '../hooks';
import { DataTable } from '../ui/data-table';
import { ErrorText, Loading } from '../ui/feedback';

/** While a run is in progress its progress is polled this often; otherwise new runs are looked for less often. */
const ACTIVE_POLL_MS = 2_000;
const IDLE_POLL_MS = 15_000;

function progressText(run: {
  progress: number | null;
  items_processed: number | null;
  items_total: number | null;
}) {
  const items =
    run.items_processed === null
      ? ''
      : run.items_total === null
        ? `${formatNumber(run.items_processed)} items`
        : `${formatNumber(run.items_processed)} of ${formatNumber(run.items_total)} items`;
  const percent = run.progress === null ? '' : `${Math.round(run.progress * 100)}%`;
  return [percent, items].filter(Boolean).join(', ') || '—';
}

/**
 * GET /users/{id}/sync/runs, polled: live progress of the user's syncs. `onSettled` is called on the first answer
 * and whenever the set of ended runs changes (a run's data is stored), so the page can (re)load what it shows.
 */
export function SyncRuns({
  userId,
  version,
  onSettled,
}: {
  userId: string;
  version: number;
  onSettled: () => void;
}) {
  const runs = useLoad(
    () => call(api().GET('/api/v1/users/{user_id}/sync/runs', { params: { path: { user_id: userId } } })),
    [userId, version],
  );
  const active = (runs.data ?? []).filter((run) => run.status === 'in_progress');
  const ended = (runs.data ?? [])
    .filter((run) => run.status !== 'in_progress')
    .map((run) => run.run_id)
    .join();
  const seenEnded = useRef<string>();
  const answered = runs.data !== undefined || runs.error !== undefined;
  useEffect(() => {
    if (!answered || seenEnded.current === ended) return;
    seenEnded.current = ended;
    onSettled();
  }, [answered, ended]);
  useInterval(runs.reload, active.length > 0 ? ACTIVE_POLL_MS : IDLE_POLL_MS);

  return (
    <section aria-labelledby="sync-runs">
      <h2 id="sync-runs">Sync runs</h2>
      <ErrorText error={runs.error} />
      {runs.loading && !runs.data && <Loading what="sync runs" />}
      {runs.data && runs.data.length === 0 && <p>No sync runs in the last 24 hours.</p>}
      {runs.data && runs.data.length > 0 && (
        <DataTable
          caption={
            active.length > 0
              ? `${active.length} in progress, updating live`
              : 'The latest runs, newest first'
          }
          columns={['Provider', 'Kind', 'Stage', 'Status', 'Progress', 'Message', 'Updated']}
        >
          {runs.data.map((run) => (
            <tr key={run.run_id}>
              <td>{run.provider}</td>
              <td>{run.source}</td>
              <td>{run.stage}</td>
              <td class={`run-${run.status}`}>{run.status.replace('_', ' ')}</td>
              <td>
                {run.status === 'in_progress' && (
                  <progress
                    max={1}
                    value={run.progress ?? undefined}
                    aria-label={`Progress of the ${run.provider} ${run.source} sync`}
                  />
                )}{' '}
                {progressText(run)}
              </td>
              <td>{run.error ?? run.message ?? '—'}</td>
              <td>{formatDateTime(run.last_update)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
