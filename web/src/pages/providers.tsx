import { useState } from 'preact/hooks';
import { api, call, dashboardConfig } from '../api';
import { useAction, useLoad, usePageTitle } from '../hooks';
import { DataTable } from '../ui/data-table';
import { ErrorText, Loading } from '../ui/feedback';
import { startConnect } from './connect';

/** The demo (`npm start -- --demo`): a new user, sent through the fake provider's consent page. */
async function connectDemoUser(provider: string, name: string) {
  const user = await call(
    api().POST('/api/v1/users', { body: { first_name: 'Demo', last_name: `${name} user` } }),
  );
  await startConnect(provider, user.id);
}

/** GET /oauth/providers: enabled (configured and switched on), deprecated, how data arrives. */
export function ProvidersPage() {
  usePageTitle('Providers');
  const providers = useLoad(() => call(api().GET('/api/v1/oauth/providers')), []);
  const { demo } = dashboardConfig();
  const [connecting, setConnecting] = useState<string>();
  const action = useAction();
  const connect = (provider: string, name: string) => {
    setConnecting(provider);
    action.run(() => connectDemoUser(provider, name)).then(() => setConnecting(undefined));
  };

  return (
    <main>
      <h1>Providers</h1>
      <p>
        A cloud provider is enabled when its client credentials are configured and it is switched on. SDK
        providers (Apple Health, Health Connect, Samsung Health) send their data through the mobile SDKs.
      </p>
      {demo && (
        <p class="demo">
          Demo mode: every cloud provider is a fake on this machine. “Connect a demo user” creates a user and
          takes you through the fake's consent page.
        </p>
      )}
      <ErrorText error={providers.error ?? action.error} />
      {providers.loading && !providers.data && <Loading what="providers" />}
      {providers.data && (
        <DataTable
          columns={[
            'Provider',
            'Kind',
            'Configured',
            'Enabled',
            'Live data',
            'Deprecated',
            ...(demo ? ['Demo'] : []),
          ]}
        >
          {providers.data.map((p) => (
            <tr key={p.provider}>
              <td>
                {p.name} <code>{p.provider}</code>
              </td>
              <td>{p.has_cloud_api ? 'Cloud API' : 'Mobile SDK'}</td>
              <td>{p.is_configured ? 'Yes' : 'No (no client credentials)'}</td>
              <td>{p.is_enabled ? 'Yes' : 'No'}</td>
              <td>{p.live_sync_mode ?? '—'}</td>
              <td>{p.deprecated ? `Yes: ${p.deprecation_message ?? ''}` : 'No'}</td>
              {demo && (
                <td>
                  {p.is_enabled && p.has_cloud_api && (
                    <button
                      type="button"
                      aria-label={`Connect a demo user to ${p.name}`}
                      disabled={action.busy}
                      onClick={() => connect(p.provider, p.name)}
                    >
                      {connecting === p.provider ? 'Connecting…' : 'Connect a demo user'}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
    </main>
  );
}
