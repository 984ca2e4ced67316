import { useState } from 'preact/hooks';
import { api, call } from '../api';
import { useAction, usePageTitle } from '../hooks';
import { signIn, useSession } from '../session';
import { ErrorText, Status } from '../ui/feedback';
import { Field } from '../ui/field';

/** POST /api/v1/auth/login (a form: username = email, password). */
export function SignInPage() {
  const { notice } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  usePageTitle('Sign in');

  const submit = (event: Event) => {
    event.preventDefault();
    action.run(async () => {
      const tokens = await call(
        api().POST('/api/v1/auth/login', {
          body: { username: email, password },
          bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      );
      signIn(tokens.access_token);
    });
  };

  return (
    <main class="sign-in">
      <h1>Sign in</h1>
      <p>The Open Wearables developer dashboard: sign in with your developer account.</p>
      {notice && <Status>{notice}</Status>}
      <form onSubmit={submit}>
        <Field label="Email" type="email" autoComplete="username" required value={email} onValue={setEmail} />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
        <ErrorText error={action.error} />
        <button type="submit" disabled={action.busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
