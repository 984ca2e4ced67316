import { useState } from 'preact/hooks';
import { api, call } from '../api';
import { useLoad, usePageTitle } from '../hooks';
import { ErrorText, Loading } from '../ui/feedback';
import { NameForm } from '../ui/name-form';
import { SecretOnce } from '../ui/secret-once';
import { type RotateOrDelete, SecretTable } from '../ui/secret-table';

/** GET/POST /api/v1/developer/api-keys, rotate and delete: a new key is shown once. */
export function ApiKeysPage() {
  usePageTitle('API keys');
  const keys = useLoad(() => call(api().GET('/api/v1/developer/api-keys')), []);
  const [shown, setShown] = useState<{ name: string; key: string }>();

  const create = async (name: string) => {
    const created = await call(
      api().POST('/api/v1/developer/api-keys', { body: { name: name.trim() || 'Default' } }),
    );
    setShown({ name: created.name, key: created.key });
    keys.reload();
  };

  const apply = async (kind: RotateOrDelete, { id }: { id: string }) => {
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
      <NameForm
        label="Create an API key"
        submitLabel="Create API key"
        create={create}
        placeholder="Default"
      />
      <ErrorText error={keys.error} />
      {keys.loading && !keys.data && <Loading what="API keys" />}
      {keys.data && (
        <SecretTable
          items={keys.data}
          noun={['API key', 'API keys']}
          codeColumn="Key"
          code={(key) => key.key_prefix}
          rotate={{
            text: 'Rotate',
            label: (name) => `Rotate API key ${name}`,
            title: 'Rotate this API key?',
            confirmLabel: 'Rotate API key',
          }}
          warning={(kind, key) => (
            <>
              “{key.name}” stops working at once
              {kind === 'rotate' ? ': a new key named “Default” replaces it.' : '.'}
            </>
          )}
          apply={apply}
        />
      )}
    </main>
  );
}
