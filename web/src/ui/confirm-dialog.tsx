import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { useAction } from '../hooks';
import { ErrorText } from './feedback';

/**
 * A modal confirmation (the native <dialog>: focus moves into it and Escape cancels). The dialog stays open,
 * showing the API's error, until the action succeeds or is cancelled (the error is forgotten with the dialog).
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const action = useAction();
  useEffect(() => {
    ref.current?.showModal();
    return () => ref.current?.close();
  }, []);
  const confirm = async () => {
    if (await action.run(onConfirm)) onClose();
  };
  return (
    <dialog ref={ref} aria-labelledby={titleId} onCancel={onClose} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      <div>{children}</div>
      <ErrorText error={action.error} />
      <div class="actions">
        <button type="button" onClick={onClose} disabled={action.busy}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={confirm} disabled={action.busy}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
