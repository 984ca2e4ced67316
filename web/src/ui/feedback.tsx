import type { ComponentChildren } from 'preact';

/** An error as the API worded it (ApiError's message is the response's `detail`). */
export function ErrorText({ error }: { error: Error | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error.message}
    </p>
  );
}

/** A polite live region: loading and success messages are announced without moving focus. */
export function Status({ children }: { children: ComponentChildren }) {
  return (
    <p class="status" role="status">
      {children}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return <Status>Loading {what}…</Status>;
}
