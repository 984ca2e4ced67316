import type { ComponentChildren } from 'preact';

/** A table with a header row naming its `columns`; `children` are its body rows. */
export function DataTable({
  caption,
  columns,
  children,
}: {
  caption?: ComponentChildren;
  columns: string[];
  children: ComponentChildren;
}) {
  return (
    <table>
      {caption !== undefined && <caption>{caption}</caption>}
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
