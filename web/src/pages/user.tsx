import { useCallback, useState } from 'preact/hooks';
import { api, call } from '../api';
import { HeartRateChart } from '../charts/heart-rate';
import { Hypnogram } from '../charts/hypnogram';
import { StepsChart } from '../charts/steps';
import { formatDateTime } from '../format';
import { useLoad, usePageTitle } from '../hooks';
import { href } from '../router';
import { ErrorText, Loading } from '../ui/feedback';
import { Connections } from './user-connections';
import { userLabel } from './user-create';
import { DataSources } from './user-data-sources';
import { SyncRuns } from './user-sync-runs';
import { Workouts } from './user-workouts';

/** One user: connections, live sync runs, data sources and charts of their data. */
export function UserPage({ userId }: { userId: string }) {
  const user = useLoad(
    () => call(api().GET('/api/v1/users/{user_id}', { params: { path: { user_id: userId } } })),
    [userId],
  );
  // Bumped when the sync runs first answer, when a run ends and when a connection changes: every section
  // (re)loads. The data sections wait for the first: a run that ended before it has its data stored already.
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  const label = user.data ? userLabel(user.data) : 'User';
  usePageTitle(label);

  return (
    <main>
      <p>
        <a href={href('users')}>← All users</a>
      </p>
      <h1>{label}</h1>
      <ErrorText error={user.error} />
      {user.loading && !user.data && <Loading what="the user" />}
      {user.data && (
        <dl class="facts">
          <dt>User ID</dt>
          <dd>
            <code>{user.data.id}</code>
          </dd>
          <dt>Email</dt>
          <dd>{user.data.email ?? '—'}</dd>
          <dt>External ID</dt>
          <dd>{user.data.external_user_id ?? '—'}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(user.data.created_at)}</dd>
        </dl>
      )}
      {user.data && (
        <>
          <Connections userId={userId} version={version} onChanged={refresh} />
          <SyncRuns userId={userId} version={version} onSettled={refresh} />
        </>
      )}
      {user.data && version > 0 && (
        <>
          <HeartRateChart userId={userId} version={version} />
          <StepsChart userId={userId} version={version} />
          <Hypnogram userId={userId} version={version} />
          <Workouts userId={userId} version={version} />
          <DataSources userId={userId} version={version} />
        </>
      )}
    </main>
  );
}
