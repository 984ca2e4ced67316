import { useState } from 'preact/hooks';
import { api, call } from '../api';
import { useAction } from '../hooks';
import { href } from '../router';
import { ErrorText, Status } from '../ui/feedback';
import { Field } from '../ui/field';

const EMPTY = { first_name: '', last_name: '', email: '', external_user_id: '' };

/** POST /api/v1/users: every field is optional. */
export function CreateUserForm({ onCreated }: { onCreated: () => void }) {
  const [fields, setFields] = useState(EMPTY);
  const [created, setCreated] = useState<{ id: string; label: string }>();
  const action = useAction();
  const set = (name: keyof typeof EMPTY) => (value: string) => setFields({ ...fields, [name]: value });

  const submit = (event: Event) => {
    event.preventDefault();
    action.run(async () => {
      const body = Object.fromEntries(
        Object.entries(fields).map(([name, value]) => [name, value.trim() || null]),
      ) as Record<keyof typeof EMPTY, string | null>;
      const user = await call(api().POST('/api/v1/users', { body }));
      setCreated({ id: user.id, label: userLabel(user) });
      setFields(EMPTY);
      onCreated();
    });
  };

  return (
    <section aria-labelledby="create-user">
      <h2 id="create-user">Create a user</h2>
      <form class="grid" onSubmit={submit}>
        <Field label="First name" value={fields.first_name} onValue={set('first_name')} maxLength={100} />
        <Field label="Last name" value={fields.last_name} onValue={set('last_name')} maxLength={100} />
        <Field label="Email" type="email" value={fields.email} onValue={set('email')} />
        <Field
          label="External user ID"
          value={fields.external_user_id}
          onValue={set('external_user_id')}
          maxLength={255}
        />
        <button type="submit" disabled={action.busy}>
          Create user
        </button>
      </form>
      <ErrorText error={action.error} />
      {created && (
        <Status>
          Created <a href={href('users', created.id)}>{created.label}</a>.
        </Status>
      )}
    </section>
  );
}

interface Named {
  id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  external_user_id: string | null;
}

/** How a user is named in the dashboard: their name, else email, else external id, else id. */
export function userLabel(user: Named): string {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
  return name || user.email || user.external_user_id || user.id;
}
