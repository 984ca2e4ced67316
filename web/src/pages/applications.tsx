import { useState } from 'preact/hooks';
import { api, call } from '../api';
import { useLoad, usePageTitle } from '../hooks';
import { ErrorText, Loading } from '../ui/feedback';
import { NameForm } from '../ui/name-form';
import { SecretOnce } from '../ui/secret-once';
import { type RotateOrDelete, SecretTable } from '../ui/secret-table';

type Shown = { name: string; app_id: string; app_secret: string };

/** SDK applications (app id + secret for the mobile SDKs' token exchange): the secret is shown once. */
export function ApplicationsPage() {
  usePageTitle('Applications');
  const apps = useLoad(() => call(api().GET('/api/v1/applications')), []);
  const [shown, setShown] = useState<Shown>();

  const create = async (name: string) => {
    setShown(await call(api().POST('/api/v1/applications', { body: { name: name.trim() } })));
    apps.reload();
  };

  const apply = async (kind: RotateOrDelete, { app_id }: { app_id: string }) => {
    const path = { params: { path: { app_id } } };
    if (kind === 'delete') await call(api().DELETE('/api/v1/applications/{app_id}', path));
    else setShown(await call(api().POST('/api/v1/applications/{app_id}/rotate-secret', path)));
    apps.reload();
  };

  return (
    <main>
      <h1>Applications</h1>
      <p>A mobile app built on the Open Wearables SDKs exchanges its app ID and secret for user tokens.</p>
      {shown && (
        <SecretOnce
          title={`Application “${shown.name}”`}
          values={[
            { label: 'App ID', value: shown.app_id },
            { label: 'App secret', value: shown.app_secret },
          ]}
          onDone={() => setShown(undefined)}
        />
      )}
      <NameForm label="Create an application" submitLabel="Create application" create={create} required />
      <ErrorText error={apps.error} />
      {apps.loading && !apps.data && <Loading what="applications" />}
      {apps.data && (
        <SecretTable
          items={apps.data}
          noun={['application', 'applications']}
          codeColumn="App ID"
          code={(app) => app.app_id}
          rotate={{
            text: 'Rotate secret',
            label: (name) => `Rotate the secret of ${name}`,
            title: 'Rotate the secret?',
            confirmLabel: 'Rotate secret',
          }}
          warning={(kind, app) =>
            kind === 'delete'
              ? `Apps using “${app.name}” can no longer get user tokens.`
              : `The current secret of “${app.name}” stops working at once.`
          }
          apply={apply}
        />
      )}
    </main>
  );
}
