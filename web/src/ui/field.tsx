import type { JSX } from 'preact';
import { useId } from 'preact/hooks';

export type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onInput'>;

/** A labelled text input. */
export function Field({
  label,
  value,
  onValue,
  ...input
}: InputProps & { label: string; value: string; onValue: (value: string) => void }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        value={value}
        onInput={(event) => onValue((event.target as HTMLInputElement).value)}
        {...input}
      />
    </div>
  );
}

/** A labelled select over `options` ([value, text] pairs). */
export function Select({
  label,
  value,
  options,
  onValue,
  disabled,
}: {
  label: string;
  value: string;
  options: Array<[string, string]>;
  onValue: (value: string) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(event) => onValue((event.target as HTMLSelectElement).value)}
      >
        {options.map(([optionValue, text]) => (
          <option key={optionValue} value={optionValue}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
