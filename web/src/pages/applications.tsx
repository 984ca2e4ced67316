import { useState } from 'preact/hooks';
import { api, call } from '../api';
import { formatDateTime } from '../format';
import { useAction, useLoad, usePageTitle } from '../hooks';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { ErrorText, Loading } from '../ui/feedback';
import { Field } from '../ui/field';
import { SecretOnce } from '../ui/secret-once';

type Pending = { kind: 'rotate' | 'delete'; appId: string; name: string };
type Shown = { name: string; app_id: string; app_secret: string };

/** SDK applications (app id + secret for the mobile SDKs' token exchange): the secret is shown once. */
export function ApplicationsPage() {
  usePageTitle('Applications');
  const apps = useLoad(() => call(api().GET('/api/v1/applications')), []);
  const [name, setName] = useState('');
  const [shown, setShown] = useState<Shown>();
  const [pending, setPending] = useState<Pending>();
  const create = useAction();
  const confirm = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    create.run(async () => {
      setShown(await call(api().POST('/api/v1/applications', { body: { name: name.trim() } })));
      setName('');
      apps.reload();
    });
  };

  const apply = async ({ kind, appId }: Pending) => {
    const path = { params: { path: { app_id: appId } } };
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
      <form class="inline" onSubmit={submit} aria-label="Create an application">
        <Field label="Name" value={name} onValue={setName} required maxLength={100} />
        <button type="submit" disabled={create.busy}>
          Create application
        </button>
      </form>
      <ErrorText error={create.error} />
      <ErrorText error={apps.error} />
      {apps.loading && !apps.data && <Loading what="applications" />}
      {apps.data && (
        <table>
          <caption>{apps.data.length === 1 ? '1 application' : `${apps.data.length} applications`}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">App ID</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {apps.data.map((app) => (
              <tr key={app.id}>
                <td>{app.name}</td>
                <td>
                  <code>{app.app_id}</code>
                </td>
                <td>{formatDateTime(app.created_at)}</td>
                <td class="actions">
                  <button
                    type="button"
                    aria-label={`Rotate the secret of ${app.name}`}
                    onClick={() => setPending({ kind: 'rotate', appId: app.app_id, name: app.name })}
                  >
                    Rotate secret
                  </button>
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Delete application ${app.name}`}
                    onClick={() => setPending({ kind: 'delete', appId: app.app_id, name: app.name })}
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
          title={pending.kind === 'delete' ? 'Delete this application?' : 'Rotate the secret?'}
          confirmLabel={pending.kind === 'delete' ? 'Delete application' : 'Rotate secret'}
          action={confirm}
          onConfirm={() => apply(pending)}
          onClose={() => {
            confirm.clear();
            setPending(undefined);
          }}
        >
          <p>
            {pending.kind === 'delete'
              ? `Apps using “${pending.name}” can no longer get user tokens.`
              : `The current secret of “${pending.name}” stops working at once.`}
          </p>
        </ConfirmDialog>
      )}
    </main>
  );
}
