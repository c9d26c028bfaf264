import type { ReactNode } from 'react';
import * as Dialog from '@radix-ui/react-dialog';
import { useOnline } from './OutageBar';

/**
 * Accessible dialog on Radix UI: focus moves in and is trapped, the page behind is inert, Esc and
 * a click outside close it, focus returns to the opener. `[data-autofocus]` marks the first field.
 */
export function Modal({
  title,
  description,
  onClose,
  children,
  footer,
  size = 'md',
  tone,
}: {
  title: string;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  size?: 'md' | 'lg';
  tone?: 'danger' | 'warning';
}) {
  const accent = tone === 'danger' ? 'border-t-4 border-t-rose-500' : tone === 'warning' ? 'border-t-4 border-t-amber-500' : '';
  return (
    <Dialog.Root open onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-50 bg-slate-950/50 backdrop-blur-[2px]" />
        <div className="pointer-events-none fixed inset-0 z-50 flex items-start justify-center overflow-y-auto p-2 pt-4 sm:p-4 sm:pt-[10vh]">
          <Dialog.Content
            onOpenAutoFocus={(e) => {
              const first = (e.currentTarget as HTMLElement | null)?.querySelector<HTMLElement>('[data-autofocus]');
              if (first) {
                e.preventDefault();
                first.focus();
              }
            }}
            {...(description ? {} : { 'aria-describedby': undefined })}
            className={`card pointer-events-auto w-full min-w-0 ${size === 'lg' ? 'max-w-2xl' : 'max-w-lg'} ${accent} outline-none`}
          >
            <div className="flex items-start justify-between gap-4 border-b border-slate-200 px-4 py-4 sm:px-5 dark:border-slate-800">
              <div className="min-w-0">
                <Dialog.Title className="text-base font-semibold">{title}</Dialog.Title>
                {description ? (
                  <Dialog.Description asChild>
                    <div className="mt-0.5 text-sm break-words muted">{description}</div>
                  </Dialog.Description>
                ) : null}
              </div>
              <Dialog.Close className="btn btn-ghost btn-sm -mr-2" aria-label="Close dialog">
                <svg className="h-4 w-4" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
                  <path d="M5 5l10 10M15 5 5 15" />
                </svg>
              </Dialog.Close>
            </div>
            <div className="space-y-4 px-4 py-4 sm:px-5">{children}</div>
            {footer && (
              <div className="flex flex-wrap justify-end gap-2 rounded-b-lg border-t border-slate-200 bg-slate-50 px-4 py-3 sm:px-5 dark:border-slate-800 dark:bg-slate-900/60">
                {footer}
              </div>
            )}
          </Dialog.Content>
        </div>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** Cancel + submit footer of a modal whose form sits in the body: the submit button targets it by `form` id. */
export function FormFooter({
  form,
  onCancel,
  busy,
  disabled,
  label,
  busyLabel,
  submitClass = 'btn-primary',
}: {
  form: string;
  onCancel: () => void;
  busy: boolean;
  /** Also disabled while the form is not ready to send. */
  disabled?: boolean;
  label: string;
  busyLabel: string;
  submitClass?: 'btn-primary' | 'btn-warning' | 'btn-danger';
}) {
  const online = useOnline();
  return (
    <>
      <button type="button" className="btn btn-secondary" onClick={onCancel}>
        Cancel
      </button>
      <button
        type="submit"
        form={form}
        className={`btn ${submitClass}`}
        disabled={busy || disabled || !online}
        title={online ? undefined : 'Waiting for the connection to come back'}
      >
        {busy ? busyLabel : online ? label : `${label} (offline)`}
      </button>
    </>
  );
}
