import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from 'react';

export type Control =
  | ({ as?: 'input' } & InputHTMLAttributes<HTMLInputElement>)
  | ({ as: 'textarea' } & TextareaHTMLAttributes<HTMLTextAreaElement>)
  | ({ as: 'select' } & SelectHTMLAttributes<HTMLSelectElement>);

export interface Labelled {
  id: string;
  label: ReactNode;
  /** Muted note after the label, in parentheses: "(optional)", "(write-only)"… */
  hint?: ReactNode;
  /** The label for screen readers only (a table cell, where the column header names the field). */
  hideLabel?: boolean;
  /** Red asterisk after the label; `required` alone does not show one. */
  star?: boolean;
  /** Class of the wrapping div, for the parent's layout. */
  wrap?: string;
  /** The server's (or our own) complaint about this field, shown under it and tied by aria-describedby. */
  error?: string;
}

/** A `.label` tied by id to its `.input` (so screen readers and getByLabel find the control); `className` adds to `.input`. */
export function Field({ id, label, hint, hideLabel, star, wrap, error, as = 'input', className, ...control }: Labelled & Control) {
  const Tag = as as 'input'; // one element type for JSX; the props were checked against `as` above
  return (
    <div className={wrap}>
      <label htmlFor={id} className={hideLabel ? 'sr-only' : 'label'}>
        {label}
        {star && (
          <>
            {' '}
            <span className="font-normal text-rose-600">*</span>
          </>
        )}
        {hint && (
          <>
            {' '}
            <span className="font-normal muted">({hint})</span>
          </>
        )}
      </label>
      <Tag
        id={id}
        className={className ? `input ${className}` : 'input'}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        {...(control as InputHTMLAttributes<HTMLInputElement>)}
      />
      {error && (
        <p id={`${id}-error`} role="alert" className="mt-1 text-xs text-rose-700 dark:text-rose-300" data-testid={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
