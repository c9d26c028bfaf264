import { useState, type InputHTMLAttributes, type SubmitEvent } from 'react';
import { Field, type Labelled } from './Field';

/** The longest address the server takes (protocol `Email`). */
const EMAIL_MAX = 254;

/** An email address input: the browser's address check and the server's length, label and error tied to it (Field). */
export function EmailField(props: Labelled & Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'maxLength'>) {
  return <Field type="email" maxLength={EMAIL_MAX} {...props} />;
}

/**
 * A stored email address edited on its own and saved with its own button: your account's, or a
 * user's in the admin's table (`compact`: the label for screen readers only, Save only once the
 * address differs). Saves the trimmed address, null when emptied. `error`: what the server said
 * of the address (fieldErrors' `email`), shown under it and tied to it.
 */
export function EmailEditor({
  id,
  label,
  value,
  busy,
  error,
  onSave,
  compact = false,
  placeholder,
  autoComplete,
}: {
  id: string;
  label: string;
  value: string | null;
  busy: boolean;
  error?: string;
  onSave: (email: string | null) => unknown;
  compact?: boolean;
  placeholder?: string;
  autoComplete?: string;
}) {
  const [draft, setDraft] = useState(value ?? '');
  const changed = draft.trim() !== (value ?? '');
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    if (changed) void onSave(draft.trim() || null);
  };
  return (
    <form onSubmit={submit} className={compact ? 'flex min-w-0 items-start gap-1' : 'flex flex-wrap items-start gap-2'}>
      <EmailField
        wrap={compact ? 'w-48 min-w-0' : 'min-w-0 flex-1'}
        id={id}
        label={label}
        hideLabel={compact}
        placeholder={placeholder}
        autoComplete={autoComplete}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        error={error}
      />
      {compact ? (
        changed && (
          // mt-1.5 and mt-7: level with the input (36 px) above any error under it.
          <button type="submit" className="btn btn-primary btn-sm mt-1.5" disabled={busy} aria-label={`Save ${label.toLowerCase()}`}>
            Save
          </button>
        )
      ) : (
        <button type="submit" className="btn btn-primary mt-7" disabled={busy || !changed}>
          {busy ? 'Saving…' : 'Save email'}
        </button>
      )}
    </form>
  );
}
