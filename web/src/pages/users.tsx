import { useState } from 'preact/hooks';
import { api, call } from '../api';
import { formatDateTime } from '../format';
import { useLoad, usePageTitle } from '../hooks';
import { href } from '../router';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { DataTable } from '../ui/data-table';
import { ErrorText, Loading } from '../ui/feedback';
import { Field } from '../ui/field';
import { CreateUserForm, userLabel } from './user-create';

const PAGE_SIZE = 20;

/** GET /api/v1/users with search and paging; create and delete (GDPR erasure, confirmed first). */
export function UsersPage() {
  usePageTitle('Users');
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [deleting, setDeleting] = useState<{ id: string; label: string }>();
  const users = useLoad(
    () =>
      call(
        api().GET('/api/v1/users', {
          params: { query: { page, limit: PAGE_SIZE, ...(search ? { search } : {}) } },
        }),
      ),
    [page, search],
  );
  const pages = users.data ? Math.max(1, Math.ceil(users.data.total / PAGE_SIZE)) : 1;

  const submitSearch = (event: Event) => {
    event.preventDefault();
    setSearch(typed.trim());
    setPage(1);
  };

  return (
    <main>
      <h1>Users</h1>
      <search>
        <form class="inline" onSubmit={submitSearch}>
          <Field
            label="Search"
            type="search"
            value={typed}
            onValue={setTyped}
            placeholder="Name, email or ID"
          />
          <button type="submit">Search</button>
        </form>
      </search>
      <ErrorText error={users.error} />
      {users.loading && !users.data && <Loading what="users" />}
      {users.data && (
        <DataTable
          caption={
            <>
              {users.data.total === 1 ? '1 user' : `${users.data.total} users`}
              {search && ` matching “${search}”`}
            </>
          }
          columns={['User', 'Email', 'External ID', 'Created', 'Last sync', 'Connected', 'Actions']}
        >
          {users.data.items.map((user) => (
            <tr key={user.id}>
              <td>
                <a href={href('users', user.id)}>{userLabel(user)}</a>
              </td>
              <td>{user.email ?? '—'}</td>
              <td>{user.external_user_id ?? '—'}</td>
              <td>{formatDateTime(user.created_at)}</td>
              <td>
                {formatDateTime(user.last_synced_at)}
                {user.last_synced_provider && ` (${user.last_synced_provider})`}
              </td>
              <td>{user.has_active_connection ? 'Yes' : 'No'}</td>
              <td class="actions">
                <button
                  type="button"
                  class="danger"
                  aria-label={`Delete user ${userLabel(user)}`}
                  onClick={() => setDeleting({ id: user.id, label: userLabel(user) })}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <nav class="pager" aria-label="Pages of users">
        <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous page
        </button>
        <span>
          Page {page} of {pages}
        </span>
        <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next page
        </button>
      </nav>
      <CreateUserForm onCreated={users.reload} />
      {deleting && (
        <ConfirmDialog
          title="Delete this user?"
          confirmLabel="Delete user"
          onConfirm={async () => {
            await call(
              api().DELETE('/api/v1/users/{user_id}', { params: { path: { user_id: deleting.id } } }),
            );
            users.reload();
          }}
          onClose={() => setDeleting(undefined)}
        >
          <p>{deleting.label} and every item of their data are erased. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </main>
  );
}
