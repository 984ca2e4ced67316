import { useId, useState } from 'preact/hooks';

/** A secret with a Copy button (the clipboard API needs a secure context: localhost or https). */
function SecretValue({ label, value }: { label: string; value: string }) {
  const id = useId();
  const [copied, setCopied] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied to the clipboard');
    } catch {
      (document.getElementById(id) as HTMLInputElement | null)?.select();
      setCopied('Copying is not allowed here: the value is selected, copy it with the keyboard');
    }
  };
  return (
    <div class="field secret">
      <label for={id}>{label}</label>
      <div class="row">
        <input id={id} value={value} readOnly spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={copy} aria-label={`Copy ${label}`}>
          Copy
        </button>
      </div>
      <span role="status">{copied}</span>
    </div>
  );
}

/** What the API shows once (a new API key, an application secret): copy it now, it cannot be read again. */
export function SecretOnce({
  title,
  values,
  onDone,
}: {
  title: string;
  values: Array<{ label: string; value: string }>;
  onDone: () => void;
}) {
  const titleId = useId();
  return (
    <section class="once" aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      <p>Copy it now: it is shown only this once.</p>
      {values.map(({ label, value }) => (
        <SecretValue key={label} label={label} value={value} />
      ))}
      <button type="button" onClick={onDone}>
        Done
      </button>
    </section>
  );
}
