import type { ReactNode, TdHTMLAttributes } from 'react';

/**
 * A table that becomes a list of labelled cards below 1024 px (`.stack-table` in index.css). The
 * explicit ARIA roles keep the table semantics that `display: block` drops in some browsers.
 */
export function StackTable({ columns, children }: { columns: ReactNode[]; children: ReactNode }) {
  return (
    <table role="table" className="stack-table w-full">
      <thead role="rowgroup" className="border-b border-slate-200 dark:border-slate-800">
        <tr role="row">
          {columns.map((c, i) => (
            <th key={i} role="columnheader" className="th">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody role="rowgroup" className="divide-y divide-slate-100 dark:divide-slate-800">
        {children}
      </tbody>
    </table>
  );
}

interface CellProps extends TdHTMLAttributes<HTMLTableCellElement> {
  /** The column's name, shown before the value in card form (none: the value spans the card). */
  label?: string;
}

/** One cell; an empty one is hidden in card form, a labelled one holds its value in one box. */
export function Cell({ label, className = '', children, ...rest }: CellProps) {
  const empty = children === null || children === undefined || children === false || children === '';
  return (
    <td role="cell" className={`td ${className}`} data-label={label} {...rest}>
      {empty ? null : label ? <div className="min-w-0">{children}</div> : children}
    </td>
  );
}
