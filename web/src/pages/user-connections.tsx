import { useState } from 'preact/hooks';
import { api, call } from '../api';
import { formatDateTime } from '../format';
import { useAction, useLoad } from '../hooks';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { DataTable } from '../ui/data-table';
import { ErrorText, Loading, Status } from '../ui/feedback';
import { Select } from '../ui/field';
import { type Provider, startConnect } from './connect';

/** Connect a provider: the enabled cloud providers (a deprecated one is listed last, marked). */
function ConnectForm({ userId }: { userId: string }) {
  const providers = useLoad(
    () =>
      call(
        api().GET('/api/v1/oauth/providers', {
          params: { query: { enabled_only: 'true', cloud_only: 'true' } },
        }),
      ),
    [],
  );
  const [chosen, setChosen] = useState('');
  const action = useAction();
  const options = [...(providers.data ?? [])]
    .sort((a, b) => Number(a.deprecated) - Number(b.deprecated))
    .map((p): [string, string] => [p.provider, `${p.name}${p.deprecated ? ' (deprecated)' : ''}`]);
  const provider = chosen || options[0]?.[0] || '';
  const submit = (event: Event) => {
    event.preventDefault();
    action.run(() => startConnect(provider, userId));
  };
  if (providers.data && options.length === 0)
    return <p>No cloud provider is enabled: configure one first.</p>;
  return (
    <form class="inline" onSubmit={submit} aria-label="Connect a provider">
      <Select
        label="Provider"
        value={provider}
        options={options}
        onValue={setChosen}
        disabled={!providers.data}
      />
      <button type="submit" disabled={action.busy || !provider}>
        Connect
      </button>
      <ErrorText error={providers.error ?? action.error} />
    </form>
  );
}

/** GET /users/{id}/connections: status, last sync, manual sync and disconnect (confirmed first). */
export function Connections({
  userId,
  version,
  onChanged,
}: {
  userId: string;
  version: number;
  onChanged: () => void;
}) {
  const connections = useLoad(
    () => call(api().GET('/api/v1/users/{user_id}/connections', { params: { path: { user_id: userId } } })),
    [userId, version],
  );
  const [disconnecting, setDisconnecting] = useState<string>();
  const [queued, setQueued] = useState<string>();
  const sync = useAction();
  const path = (provider: string) => ({
    params: { path: { user_id: userId, provider: provider as Provider } },
  });

  const syncNow = (provider: string) =>
    sync.run(async () => {
      const answer = await call(
        api().POST('/api/v1/providers/{provider}/users/{user_id}/sync', path(provider)),
      );
      setQueued(answer.message);
      onChanged();
    });

  return (
    <section aria-labelledby="connections">
      <h2 id="connections">Connections</h2>
      <ErrorText error={connections.error ?? sync.error} />
      {queued && <Status>{queued}</Status>}
      {connections.loading && !connections.data && <Loading what="connections" />}
      {connections.data && connections.data.length === 0 && <p>Not connected to any provider yet.</p>}
      {connections.data && connections.data.length > 0 && (
        <DataTable columns={['Provider', 'Status', 'Last sync', 'Connected', 'Actions']}>
          {connections.data.map((c) => (
            <tr key={c.id}>
              <td>{c.provider}</td>
              <td class={`connection-${c.status}`}>
                {c.status}
                {c.status_reason && `: ${c.status_reason}`}
              </td>
              <td>{formatDateTime(c.last_synced_at)}</td>
              <td>{formatDateTime(c.created_at)}</td>
              <td class="actions">
                {c.status === 'active' && c.rest_pull && (
                  <button
                    type="button"
                    aria-label={`Sync ${c.provider} now`}
                    disabled={sync.busy}
                    onClick={() => syncNow(c.provider)}
                  >
                    Sync now
                  </button>
                )}
                {c.status === 'active' && (
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Disconnect ${c.provider}`}
                    onClick={() => setDisconnecting(c.provider)}
                  >
                    Disconnect
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <ConnectForm userId={userId} />
      {disconnecting && (
        <ConfirmDialog
          title={`Disconnect ${disconnecting}?`}
          confirmLabel="Disconnect"
          onConfirm={async () => {
            await call(api().DELETE('/api/v1/users/{user_id}/connections/{provider}', path(disconnecting)));
            onChanged();
          }}
          onClose={() => setDisconnecting(undefined)}
        >
          <p>The stored tokens are destroyed and syncing stops. The data already stored is kept.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
