import { useStore } from '../lib/store';
import { dismissNotice, dismissToast, noticeStore, processStore, toastStore } from '../realtime/stores';
import { projectHref, navigate } from '../lib/router';
import { shortTime } from '../lib/format';
import { ProgressBar } from './ui';

const toneClass = {
  info: 'border-l-indigo-500',
  success: 'border-l-emerald-500',
  warning: 'border-l-amber-500',
  error: 'border-l-rose-500',
};

/** Transient toasts and running server processes, bottom left: row actions and the detail panel sit on the right. */
export function Toaster() {
  const toasts = useStore(toastStore);
  const processes = Object.values(useStore(processStore));
  return (
    <div
      data-testid="toasts"
      className="pointer-events-none fixed bottom-3 left-3 z-[60] flex w-[22rem] max-w-[calc(100vw-1.5rem)] flex-col gap-2"
    >
      {processes.map((p) => (
        <div key={p.processId} className="card pointer-events-auto px-4 py-3 text-sm" data-testid="process">
          <div className="mb-1.5 flex justify-between gap-2">
            <span className="truncate font-medium">{p.label}</span>
            <span className="muted">
              {p.state === 'failed' ? 'failed' : p.state === 'completed' ? 'done' : `${Math.round(p.progress * 100)}%`}
            </span>
          </div>
          <ProgressBar value={p.state === 'completed' ? 1 : p.progress} label={p.label} />
        </div>
      ))}
      <div role="status" aria-live="polite" className="flex flex-col gap-2">
        {toasts.map((t) => (
          <div
            key={t.id}
            className={`card pointer-events-auto flex items-start gap-3 border-l-4 px-4 py-3 text-sm shadow-lg ${toneClass[t.tone]}`}
          >
            <div className="min-w-0 flex-1">
              <p className="font-medium break-words">{t.title}</p>
              {t.body && <p className="mt-0.5 break-words muted">{t.body}</p>}
            </div>
            <button
              type="button"
              className="btn btn-ghost btn-sm -mr-1"
              onClick={() => dismissToast(t.id)}
              aria-label="Dismiss notification"
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}

/** Personal notices (your lock was overridden…): prominent, stay until dismissed. */
export function NoticeBanner() {
  const notices = useStore(noticeStore);
  if (notices.length === 0) return null;
  return (
    <div className="space-y-2 px-4 pt-3 sm:px-6">
      {notices.map((n) => (
        <div
          key={n.id}
          role="alert"
          data-testid="notice"
          className={`mx-auto flex max-w-screen-2xl items-start gap-3 rounded-lg border-2 px-4 py-3 shadow-sm ${
            n.level === 'warning'
              ? 'border-amber-400 bg-amber-50 text-amber-950 dark:border-amber-500/70 dark:bg-amber-950/60 dark:text-amber-100'
              : 'border-indigo-300 bg-indigo-50 text-indigo-950 dark:border-indigo-500/60 dark:bg-indigo-950/60 dark:text-indigo-100'
          }`}
        >
          <svg className="mt-0.5 h-5 w-5 shrink-0" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
            <path
              fillRule="evenodd"
              d="M8.5 2.9a1.7 1.7 0 0 1 3 0l6.3 11.4A1.7 1.7 0 0 1 16.3 17H3.7a1.7 1.7 0 0 1-1.5-2.6L8.5 2.9ZM10 7a1 1 0 0 0-1 1v3a1 1 0 1 0 2 0V8a1 1 0 0 0-1-1Zm0 8a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
            />
          </svg>
          <div className="min-w-0 flex-1">
            <p className="font-semibold">
              {n.level === 'warning' ? 'Attention' : 'Notice'} · {shortTime(n.at)}
            </p>
            <p className="text-sm break-words">{n.message}</p>
          </div>
          {n.project && (
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => navigate(projectHref(n.project!))}>
              Open project
            </button>
          )}
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => dismissNotice(n.id)}>
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
