import { useState } from 'preact/hooks';
import { api, call } from '../api';
import { formatDateTime } from '../format';
import { useAction, useLoad, usePageTitle } from '../hooks';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { ErrorText, Loading } from '../ui/feedback';
import { Field } from '../ui/field';
import { SecretOnce } from '../ui/secret-once';

type Pending = { kind: 'rotate' | 'delete'; id: string; name: string };

/** GET/POST /api/v1/developer/api-keys, rotate and delete: a new key is shown once. */
export function ApiKeysPage() {
  usePageTitle('API keys');
  const keys = useLoad(() => call(api().GET('/api/v1/developer/api-keys')), []);
  const [name, setName] = useState('');
  const [shown, setShown] = useState<{ name: string; key: string }>();
  const [pending, setPending] = useState<Pending>();
  const create = useAction();
  const confirm = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    create.run(async () => {
      const created = await call(
        api().POST('/api/v1/developer/api-keys', { body: { name: name.trim() || 'Default' } }),
      );
      setShown({ name: created.name, key: created.key });
      setName('');
      keys.reload();
    });
  };

  const apply = async ({ kind, id }: Pending) => {
    const path = { params: { path: { key_id: id } } };
    if (kind === 'delete') await call(api().DELETE('/api/v1/developer/api-keys/{key_id}', path));
    else {
      const rotated = await call(api().POST('/api/v1/developer/api-keys/{key_id}/rotate', path));
      setShown({ name: rotated.name, key: rotated.key });
    }
    keys.reload();
  };

  return (
    <main>
      <h1>API keys</h1>
      <p>
        Your backend calls the API with a key, in the header <code>X-Open-Wearables-API-Key</code>.
      </p>
      {shown && (
        <SecretOnce
          title={`New API key “${shown.name}”`}
          values={[{ label: 'API key', value: shown.key }]}
          onDone={() => setShown(undefined)}
        />
      )}
      <form class="inline" onSubmit={submit} aria-label="Create an API key">
        <Field label="Name" value={name} onValue={setName} maxLength={100} placeholder="Default" />
        <button type="submit" disabled={create.busy}>
          Create API key
        </button>
      </form>
      <ErrorText error={create.error} />
      <ErrorText error={keys.error} />
      {keys.loading && !keys.data && <Loading what="API keys" />}
      {keys.data && (
        <table>
          <caption>{keys.data.length === 1 ? '1 API key' : `${keys.data.length} API keys`}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.key_prefix}</code>
                </td>
                <td>{formatDateTime(key.created_at)}</td>
                <td class="actions">
                  <button
                    type="button"
                    aria-label={`Rotate API key ${key.name}`}
                    onClick={() => setPending({ kind: 'rotate', id: key.id, name: key.name })}
                  >
                    Rotate
                  </button>
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Delete API key ${key.name}`}
                    onClick={() => setPending({ kind: 'delete', id: key.id, name: key.name })}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pending && (
        <ConfirmDialog
          title={pending.kind === 'delete' ? 'Delete this API key?' : 'Rotate this API key?'}
          confirmLabel={pending.kind === 'delete' ? 'Delete API key' : 'Rotate API key'}
          action={confirm}
          onConfirm={() => apply(pending)}
          onClose={() => {
            confirm.clear();
            setPending(undefined);
          }}
        >
          <p>
            “{pending.name}” stops working at once
            {pending.kind === 'rotate' ? ': a new key named “Default” replaces it.' : '.'}
          </p>
        </ConfirmDialog>
      )}
    </main>
  );
}
