import { api, call } from '../api';
import { useLoad } from '../hooks';
import { DataTable } from '../ui/data-table';
import { ErrorText, Loading } from '../ui/feedback';

/** GET /users/{id}/data-sources: every provider, device and app that wrote data for the user. */
export function DataSources({ userId, version }: { userId: string; version: number }) {
  const sources = useLoad(
    () => call(api().GET('/api/v1/users/{user_id}/data-sources', { params: { path: { user_id: userId } } })),
    [userId, version],
  );
  const items = sources.data?.items ?? [];
  return (
    <section aria-labelledby="data-sources">
      <h2 id="data-sources">Data sources</h2>
      <ErrorText error={sources.error} />
      {sources.loading && !sources.data && <Loading what="data sources" />}
      {sources.data && items.length === 0 && <p>No data yet.</p>}
      {items.length > 0 && (
        <DataTable columns={['Source', 'Provider', 'Device type', 'Software']}>
          {items.map((source) => (
            <tr key={source.id}>
              <td>{source.display_name}</td>
              <td>{source.provider}</td>
              <td>{source.device_type ?? '—'}</td>
              <td>{source.software_version ?? '—'}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
