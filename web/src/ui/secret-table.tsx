import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { formatDateTime } from '../format';
import { ConfirmDialog } from './confirm-dialog';
import { DataTable } from './data-table';

export type RotateOrDelete = 'rotate' | 'delete';

interface Item {
  id: string;
  name: string;
  created_at: string;
}

/**
 * The items holding a secret (API keys, applications), one row each: its name, what identifies it openly
 * (`code`, under `codeColumn`), when it was created, and Rotate and Delete buttons. Either is confirmed first in a
 * dialog (`warning` says what it does), then `apply` does it. `noun` names one item and several.
 */
export function SecretTable<T extends Item>({
  items,
  noun: [one, several],
  codeColumn,
  code,
  rotate,
  warning,
  apply,
}: {
  items: T[];
  noun: [string, string];
  codeColumn: string;
  code: (item: T) => string;
  /** The Rotate button's text and accessible name, and its confirmation's title and confirm button. */
  rotate: { text: string; label: (name: string) => string; title: string; confirmLabel: string };
  warning: (kind: RotateOrDelete, item: T) => ComponentChildren;
  apply: (kind: RotateOrDelete, item: T) => Promise<unknown>;
}) {
  const [pending, setPending] = useState<{ kind: RotateOrDelete; item: T }>();
  const confirm = {
    rotate: { title: rotate.title, confirmLabel: rotate.confirmLabel },
    delete: { title: `Delete this ${one}?`, confirmLabel: `Delete ${one}` },
  };
  return (
    <>
      <DataTable
        caption={items.length === 1 ? `1 ${one}` : `${items.length} ${several}`}
        columns={['Name', codeColumn, 'Created', 'Actions']}
      >
        {items.map((item) => (
          <tr key={item.id}>
            <td>{item.name}</td>
            <td>
              <code>{code(item)}</code>
            </td>
            <td>{formatDateTime(item.created_at)}</td>
            <td class="actions">
              <button
                type="button"
                aria-label={rotate.label(item.name)}
                onClick={() => setPending({ kind: 'rotate', item })}
              >
                {rotate.text}
              </button>
              <button
                type="button"
                class="danger"
                aria-label={`Delete ${one} ${item.name}`}
                onClick={() => setPending({ kind: 'delete', item })}
              >
                Delete
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
      {pending && (
        <ConfirmDialog
          {...confirm[pending.kind]}
          onConfirm={() => apply(pending.kind, pending.item)}
          onClose={() => setPending(undefined)}
        >
          <p>{warning(pending.kind, pending.item)}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
