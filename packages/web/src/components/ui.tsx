import type { ReactNode } from 'react';
import type { FileInfo } from '@lockstep/protocol';
import { fullTime, lockText } from '../lib/format';

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span role="status" className="inline-flex items-center gap-2 text-sm muted">
      <svg className="h-4 w-4 animate-spin" viewBox="0 0 24 24" fill="none" aria-hidden="true">
        <circle cx="12" cy="12" r="10" stroke="currentColor" strokeOpacity=".25" strokeWidth="4" />
        <path d="M22 12a10 10 0 0 0-10-10" stroke="currentColor" strokeWidth="4" strokeLinecap="round" />
      </svg>
      {label}…
    </span>
  );
}

/** A failed request's message; `id` lets a field point at it (aria-describedby). */
export function ErrorText({ error, id }: { error: unknown; id?: string }) {
  if (!error) return null;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- anything thrown that is not an Error is shown as-is
  const msg = error instanceof Error ? error.message : String(error);
  return (
    <p
      role="alert"
      id={id}
      className="rounded-md border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:border-rose-800 dark:bg-rose-950/60 dark:text-rose-200"
    >
      {msg}
    </p>
  );
}

export function ProgressBar({ value, label, failed = false }: { value: number; label: string; failed?: boolean }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      className="h-2 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
    >
      <div
        className={`h-full rounded-full transition-[width] duration-200 ${failed ? 'bg-rose-500' : 'bg-indigo-500'}`}
        style={{ width: `${pct}%` }}
      />
    </div>
  );
}

const tones = {
  green: 'bg-emerald-50 text-emerald-700 ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-300 dark:ring-emerald-400/30',
  blue: 'bg-indigo-50 text-indigo-700 ring-indigo-600/20 dark:bg-indigo-500/15 dark:text-indigo-200 dark:ring-indigo-400/30',
  amber: 'bg-amber-50 text-amber-800 ring-amber-600/25 dark:bg-amber-500/10 dark:text-amber-200 dark:ring-amber-400/30',
  red: 'bg-rose-50 text-rose-700 ring-rose-600/20 dark:bg-rose-500/10 dark:text-rose-300 dark:ring-rose-400/30',
  violet: 'bg-violet-50 text-violet-700 ring-violet-600/20 dark:bg-violet-500/15 dark:text-violet-200 dark:ring-violet-400/30',
  gray: 'bg-slate-100 text-slate-700 ring-slate-500/20 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-500/30',
} as const;
export type Tone = keyof typeof tones;

export function Badge({
  tone = 'gray',
  children,
  title,
  wrap = false,
}: {
  tone?: Tone;
  children: ReactNode;
  title?: string;
  wrap?: boolean;
}) {
  const shape = wrap ? 'rounded-md items-start py-1 leading-snug' : 'rounded-full items-center py-0.5 whitespace-nowrap';
  return (
    <span title={title} className={`inline-flex max-w-full gap-1 px-2 text-xs font-medium ring-1 ring-inset ${shape} ${tones[tone]}`}>
      {children}
    </span>
  );
}

export function LockIcon({ className = 'h-3 w-3' }: { className?: string }) {
  return (
    <svg className={className} viewBox="0 0 16 16" fill="currentColor" aria-hidden="true">
      <path d="M5 7V5a3 3 0 1 1 6 0v2h.5A1.5 1.5 0 0 1 13 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-7A1.5 1.5 0 0 1 3 13.5v-5A1.5 1.5 0 0 1 4.5 7H5Zm1.5 0h3V5a1.5 1.5 0 0 0-3 0v2Z" />
    </svg>
  );
}

/** "Available" / "Checked out by you" / "Locked by NAME · since TIME · message". */
export function StatusBadge({ file }: { file: Pick<FileInfo, 'status' | 'lockedBy' | 'lockedAt' | 'lockMessage'> }) {
  if (file.status === 'available')
    return (
      <Badge tone="green">
        <span className="h-1.5 w-1.5 rounded-full bg-emerald-500" aria-hidden="true" />
        Available
      </Badge>
    );
  if (file.status === 'checked_out_by_me')
    return (
      <Badge tone="blue" title={file.lockedAt ? `Since ${fullTime(file.lockedAt)}` : undefined}>
        <LockIcon />
        Checked out by you{file.lockMessage ? ` · ${file.lockMessage}` : ''}
      </Badge>
    );
  return (
    <Badge
      tone="amber"
      wrap
      title={`Locked by ${file.lockedBy ?? 'someone'} since ${fullTime(file.lockedAt)}${file.lockMessage ? `: ${file.lockMessage}` : ''}`}
    >
      <LockIcon className="mt-0.5 h-3 w-3 shrink-0" />
      <span className="min-w-0 line-clamp-2 break-words">{lockText(file.lockedBy, file.lockedAt, file.lockMessage)}</span>
    </Badge>
  );
}

/** The file's lifecycle state and the revision production gets: "Released B", "In review 1/2", "WIP — released: A". */
export function StateBadge({ file }: { file: Pick<FileInfo, 'state' | 'releasedRevision' | 'releasedAt' | 'releasedBy' | 'review'> }) {
  const released = file.releasedRevision;
  const when = file.releasedAt ? ` on ${fullTime(file.releasedAt)}` : '';
  const by = file.releasedBy ? ` by ${file.releasedBy}` : '';
  const [tone, text, title]: [Tone, string, string] =
    file.state === 'released'
      ? ['green', `Released ${released ?? ''}`.trim(), `Revision ${released ?? '?'} released${by}${when}: production runs it`]
      : file.state === 'in_review'
        ? [
            'violet',
            `In review ${file.review ? `${file.review.approvals.length}/${file.review.required}` : ''}`.trim(),
            file.review ? `Release of revision ${file.review.revision} requested by ${file.review.requestedBy}` : 'Release requested',
          ]
        : file.state === 'obsolete'
          ? ['red', 'Obsolete', 'Retired: read-only']
          : [
              'gray',
              released ? `WIP — released: ${released}` : 'WIP',
              released ? `Work in progress; production runs revision ${released}` : 'Work in progress, never released',
            ];
  return (
    <span data-testid="state-badge" data-state={file.state} className="inline-flex max-w-full">
      <Badge tone={tone} title={title}>
        {file.state === 'released' && (
          <svg className="h-3 w-3" viewBox="0 0 16 16" fill="currentColor" aria-hidden="true">
            <path d="M13.5 4.3a1 1 0 0 1 0 1.4l-6 6a1 1 0 0 1-1.4 0l-3-3a1 1 0 1 1 1.4-1.4L6.8 9.6l5.3-5.3a1 1 0 0 1 1.4 0Z" />
          </svg>
        )}
        {text}
      </Badge>
    </span>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 px-6 py-10 text-center dark:border-slate-700">
      <p className="font-medium">{title}</p>
      {children && <div className="mt-1 text-sm muted">{children}</div>}
    </div>
  );
}

export function DownloadIcon({ className = 'h-4 w-4' }: { className?: string }) {
  return (
    <svg
      className={className}
      viewBox="0 0 20 20"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d="M10 3v10m0 0-4-4m4 4 4-4M4 15v1.5A1.5 1.5 0 0 0 5.5 18h9a1.5 1.5 0 0 0 1.5-1.5V15" />
    </svg>
  );
}

export function BellIcon({ className = 'h-4 w-4' }: { className?: string }) {
  return (
    <svg className={className} viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
      <path d="M10 2a5 5 0 0 0-5 5v2.6L3.3 12.8A1 1 0 0 0 4.2 14.3h11.6a1 1 0 0 0 .9-1.5L15 9.6V7a5 5 0 0 0-5-5Zm0 16a2.5 2.5 0 0 1-2.45-2h4.9A2.5 2.5 0 0 1 10 18Z" />
    </svg>
  );
}
