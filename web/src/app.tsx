import { api, call, dashboardConfig } from './api';
import { useLoad } from './hooks';
import { ApiKeysPage } from './pages/api-keys';
import { ApplicationsPage } from './pages/applications';
import { ProvidersPage } from './pages/providers';
import { SignInPage } from './pages/sign-in';
import { UserPage } from './pages/user';
import { UsersPage } from './pages/users';
import { href, useRoute } from './router';
import { signOut, useSession } from './session';

const NAV = [
  ['users', 'Users'],
  ['api-keys', 'API keys'],
  ['applications', 'Applications'],
  ['providers', 'Providers'],
] as const;

function Page({ route }: { route: string[] }) {
  const [page, id] = route;
  if (page === 'users' && id) return <UserPage userId={id} />;
  if (page === 'api-keys') return <ApiKeysPage />;
  if (page === 'applications') return <ApplicationsPage />;
  if (page === 'providers') return <ProvidersPage />;
  return <UsersPage />;
}

/** POST /auth/logout is a courtesy (access tokens are stateless): the token is forgotten either way. */
async function leave() {
  await call(api().POST('/api/v1/auth/logout')).catch(() => undefined);
  signOut();
}

function Header({ current }: { current: string | undefined }) {
  const me = useLoad(() => call(api().GET('/api/v1/auth/me')), []);
  return (
    <header>
      <a class="brand" href={href('users')}>
        Open Wearables
      </a>
      <nav aria-label="Main">
        <ul>
          {NAV.map(([page, text]) => (
            <li key={page}>
              <a href={href(page)} aria-current={current === page ? 'page' : undefined}>
                {text}
              </a>
            </li>
          ))}
          <li>
            <a href={`${dashboardConfig().apiBaseUrl}/docs`}>API docs</a>
          </li>
        </ul>
      </nav>
      <div class="account">
        {me.data && <span>{me.data.email}</span>}
        <button type="button" onClick={leave}>
          Sign out
        </button>
      </div>
    </header>
  );
}

export function App() {
  const { token } = useSession();
  const route = useRoute();
  if (!token) return <SignInPage />;
  const current = route[0] ?? 'users';
  return (
    <>
      <Header current={current} />
      <Page key={route.join('/')} route={route} />
    </>
  );
}
