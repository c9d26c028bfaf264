import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

const FOCUSABLE =
  'a[href],button:not([disabled]),input:not([disabled]):not([type=hidden]),select:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex="-1"])';

/** Accessible dialog: focus moves in and is trapped, Esc closes, focus returns to the opener. */
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
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const descId = useId();
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const opener = document.activeElement;
    const node = ref.current!;
    const first = node.querySelector<HTMLElement>('[data-autofocus]') ?? node.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? node).focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        closeRef.current();
      } else if (e.key === 'Tab') {
        const items = [...node.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
          (el) => el.offsetParent !== null || el === document.activeElement,
        );
        if (items.length === 0) {
          e.preventDefault();
          return;
        }
        const [a, z] = [items[0]!, items[items.length - 1]!];
        if (e.shiftKey && (document.activeElement === a || !node.contains(document.activeElement))) {
          e.preventDefault();
          z.focus();
        } else if (!e.shiftKey && document.activeElement === z) {
          e.preventDefault();
          a.focus();
        }
      }
    };
    document.addEventListener('keydown', onKey, true);
    const prevOverflow = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    return () => {
      document.removeEventListener('keydown', onKey, true);
      document.body.style.overflow = prevOverflow;
      if (opener instanceof HTMLElement || opener instanceof SVGElement) opener.focus();
    };
  }, []);

  const accent = tone === 'danger' ? 'border-t-4 border-t-rose-500' : tone === 'warning' ? 'border-t-4 border-t-amber-500' : '';
  return createPortal(
    <div
      className="fixed inset-0 z-50 flex items-start justify-center overflow-y-auto bg-slate-950/50 p-4 pt-[10vh] backdrop-blur-[2px]"
      onMouseDown={(e) => e.target === e.currentTarget && onClose()}
    >
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descId : undefined}
        tabIndex={-1}
        className={`card w-full ${size === 'lg' ? 'max-w-2xl' : 'max-w-lg'} ${accent} outline-none`}
      >
        <div className="flex items-start justify-between gap-4 border-b border-slate-200 px-5 py-4 dark:border-slate-800">
          <div className="min-w-0">
            <h2 id={titleId} className="text-base font-semibold">
              {title}
            </h2>
            {description && (
              <div id={descId} className="mt-0.5 text-sm break-all muted">
                {description}
              </div>
            )}
          </div>
          <button type="button" className="btn btn-ghost btn-sm -mr-2" onClick={onClose} aria-label="Close dialog">
            <svg className="h-4 w-4" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
              <path d="M5 5l10 10M15 5 5 15" />
            </svg>
          </button>
        </div>
        <div className="space-y-4 px-5 py-4">{children}</div>
        {footer && (
          <div className="flex flex-wrap justify-end gap-2 border-t border-slate-200 bg-slate-50 px-5 py-3 dark:border-slate-800 dark:bg-slate-900/60 rounded-b-lg">
            {footer}
          </div>
        )}
      </div>
    </div>,
    document.body,
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
  return (
    <>
      <button type="button" className="btn btn-secondary" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" form={form} className={`btn ${submitClass}`} disabled={busy || disabled}>
        {busy ? busyLabel : label}
      </button>
    </>
  );
}
