import { useState } from 'preact/hooks';
import { useAction } from '../hooks';
import { ErrorText } from './feedback';
import { Field, type InputProps } from './field';

/**
 * An inline form creating something by name (up to 100 characters): `create` gets the name as typed; the field is
 * emptied once it succeeds, and its error shows below the form.
 */
export function NameForm({
  label,
  submitLabel,
  create,
  ...input
}: InputProps & { label: string; submitLabel: string; create: (name: string) => Promise<unknown> }) {
  const [name, setName] = useState('');
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    action.run(async () => {
      await create(name);
      setName('');
    });
  };
  return (
    <>
      <form class="inline" onSubmit={submit} aria-label={label}>
        <Field label="Name" value={name} onValue={setName} maxLength={100} {...input} />
        <button type="submit" disabled={action.busy}>
          {submitLabel}
        </button>
      </form>
      <ErrorText error={action.error} />
    </>
  );
}
