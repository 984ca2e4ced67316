import { api, call } from '../api';
import { DAY_MS, formatDateTime, formatDuration, formatNumber } from '../format';
import { useLoad } from '../hooks';
import { DataTable } from '../ui/data-table';
import { ErrorText, Loading } from '../ui/feedback';

const DAYS = 30;

const orDash = (value: number | null, unit: string, digits = 0) =>
  value === null ? '—' : `${formatNumber(value, digits)} ${unit}`;

/** GET /events/workouts of the last 30 days, newest first (the first 20). */
export function Workouts({ userId, version }: { userId: string; version: number }) {
  const workouts = useLoad(async () => {
    const end = new Date();
    const query = {
      start_date: new Date(end.getTime() - DAYS * DAY_MS).toISOString(),
      end_date: end.toISOString(),
      limit: 20,
    };
    return call(
      api().GET('/api/v1/users/{user_id}/events/workouts', { params: { path: { user_id: userId }, query } }),
    );
  }, [userId, version]);
  const items = workouts.data?.data ?? [];
  return (
    <section aria-labelledby="workouts">
      <h2 id="workouts">Workouts</h2>
      <ErrorText error={workouts.error} />
      {workouts.loading && !workouts.data && <Loading what="workouts" />}
      {workouts.data && items.length === 0 && <p>No workouts in the last {DAYS} days.</p>}
      {items.length > 0 && (
        <DataTable
          caption={
            <>
              {workouts.data?.pagination.has_more ? `The latest ${items.length}` : `${items.length}`} workouts
              of the last {DAYS} days
            </>
          }
          columns={['Type', 'Start', 'Duration', 'Distance', 'Calories', 'Heart rate (avg / max)', 'Source']}
        >
          {items.map((w) => (
            <tr key={w.id}>
              <td>{w.type.replaceAll('_', ' ')}</td>
              <td>{formatDateTime(w.start_time)}</td>
              <td>{formatDuration(w.duration_seconds)}</td>
              <td>{w.distance_meters === null ? '—' : `${formatNumber(w.distance_meters / 1000, 2)} km`}</td>
              <td>{orDash(w.calories_kcal, 'kcal')}</td>
              <td>
                {w.avg_heart_rate_bpm === null
                  ? '—'
                  : `${w.avg_heart_rate_bpm} / ${w.max_heart_rate_bpm ?? '—'} bpm`}
              </td>
              <td>{w.source.provider}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
