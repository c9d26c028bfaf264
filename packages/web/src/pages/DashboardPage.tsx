import { useState, type ReactNode } from 'react';
import type { FileInfo, Lock, ReviewItem } from '@lockstep/protocol';
import { useMe } from '../api/auth';
import { canApprove, useReviews } from '../api/lifecycle';
import { useActivity, useLocks } from '../api/queries';
import { Link } from '../components/Layout';
import { notificationHref } from '../components/Notifications';
import { ErrorText, LockIcon, Spinner, StateBadge } from '../components/ui';
import type { FileModalKind } from '../modals/common';
import { LifecycleModal } from '../modals/LifecycleModals';
import { actionVerb, fullTime, relativeTime, sinceText } from '../lib/format';
import { projectHref } from '../lib/router';
import { useStore } from '../lib/store';
import { activityStore, presenceStore, type Activity } from '../realtime/stores';

function Panel({ title, count, children, className = '' }: { title: string; count?: number; children: ReactNode; className?: string }) {
  const id = `panel-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <section aria-labelledby={id} className={`card flex min-h-0 flex-col ${className}`}>
      <h2 id={id} className="flex items-center gap-2 border-b border-slate-200 px-4 py-3 text-sm font-semibold dark:border-slate-800">
        {title}
        {count !== undefined && <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs dark:bg-slate-800">{count}</span>}
      </h2>
      <div className="min-h-0 flex-1 overflow-y-auto">{children}</div>
    </section>
  );
}

function LockList({ locks, showUser, empty }: { locks: Lock[]; showUser: boolean; empty: string }) {
  if (locks.length === 0) return <p className="px-4 py-6 text-center text-sm muted">{empty}</p>;
  return (
    <ul className="divide-y divide-slate-100 dark:divide-slate-800">
      {locks.map((l) => (
        <li key={`${l.project}/${l.path}`} className="flex items-start gap-3 px-4 py-2.5" data-testid={`lock-${l.project}/${l.path}`}>
          <LockIcon className="mt-1 h-3.5 w-3.5 shrink-0 text-amber-500" />
          <div className="min-w-0 flex-1">
            <p className="text-sm [overflow-wrap:anywhere]">
              <span className="font-mono">{l.path}</span>{' '}
              <Link href={projectHref(l.project)} className="text-xs text-indigo-600 hover:underline dark:text-indigo-300">
                {l.project}
              </Link>
            </p>
            <p className="text-xs [overflow-wrap:anywhere] muted" title={fullTime(l.lockedAt)}>
              {showUser && <span className="font-medium text-slate-700 dark:text-slate-200">{l.user} · </span>}
              {sinceText(l.lockedAt)}
              {l.message ? ` · ${l.message}` : ''}
            </p>
          </div>
        </li>
      ))}
    </ul>
  );
}

type ReviewModal = { project: string; kind: FileModalKind; file: FileInfo };

/** Files in review that wait for this user's signature, with the two answers at hand. */
function ReviewList({ items, onAction }: { items: ReviewItem[]; onAction: (m: ReviewModal) => void }) {
  if (items.length === 0) return <p className="px-4 py-6 text-center text-sm muted">Nothing waits for your approval.</p>;
  return (
    <ul className="divide-y divide-slate-100 dark:divide-slate-800">
      {items.map(({ project, file }) => (
        <li key={`${project}/${file.path}`} className="space-y-1.5 px-4 py-2.5" data-testid={`review-${project}/${file.path}`}>
          <div className="flex flex-wrap items-center gap-2">
            <Link
              href={notificationHref({ project, path: file.path })!}
              className="font-mono text-sm [overflow-wrap:anywhere] text-indigo-700 hover:underline dark:text-indigo-300"
            >
              {file.path}
            </Link>
            <span className="text-xs muted">{project}</span>
            <StateBadge file={file} />
          </div>
          {file.review && (
            <p className="text-xs [overflow-wrap:anywhere] text-slate-600 dark:text-slate-300" title={fullTime(file.review.requestedAt)}>
              <span className="font-medium">{file.review.requestedBy}</span> · rev {file.review.revision} ·{' '}
              {relativeTime(file.review.requestedAt)}
              {file.review.comment ? ` · “${file.review.comment}”` : ''}
            </p>
          )}
          <div className="flex gap-1.5">
            <button
              type="button"
              className="btn btn-primary btn-sm"
              aria-label={`Approve ${file.name}`}
              onClick={() => onAction({ project, kind: 'approve', file })}
            >
              Approve
            </button>
            <button
              type="button"
              className="btn btn-secondary btn-sm"
              aria-label={`Reject ${file.name}`}
              onClick={() => onAction({ project, kind: 'reject', file })}
            >
              Reject
            </button>
          </div>
        </li>
      ))}
    </ul>
  );
}

function ActivityList({ items }: { items: Activity[] }) {
  if (items.length === 0)
    return <p className="px-4 py-6 text-center text-sm muted">No activity yet. Changes appear here as they happen.</p>;
  return (
    <ol className="divide-y divide-slate-100 dark:divide-slate-800">
      {items.map((a) => (
        <li key={a.id} className="px-4 py-2.5 text-sm">
          <span className="font-medium">{a.actor}</span> {actionVerb(a.action)}{' '}
          {a.path && <span className="font-mono [overflow-wrap:anywhere]">{a.path}</span>}
          {a.project && (
            <>
              {' '}
              <Link href={projectHref(a.project)} className="text-xs text-indigo-600 hover:underline dark:text-indigo-300">
                {a.project}
              </Link>
            </>
          )}
          {a.detail && <span className="block text-xs italic [overflow-wrap:anywhere] muted">“{a.detail}”</span>}
          <span className="block text-xs muted" title={fullTime(a.at)}>
            {relativeTime(a.at)}
          </span>
        </li>
      ))}
    </ol>
  );
}

export function DashboardPage() {
  const me = useMe();
  const locks = useLocks();
  const live = useStore(activityStore);
  const online = useStore(presenceStore);
  const audit = useActivity(50);
  const approver = canApprove(me);
  const reviews = useReviews(approver);
  const [modal, setModal] = useState<ReviewModal | null>(null);

  const mine = locks.data?.filter((l) => l.user === me.username) ?? [];
  // Merge live events with the stored activity, newest first, without duplicates.
  const fromAudit: Activity[] = (audit.data ?? [])
    .filter((e) => e.action.startsWith('file.') || e.action.startsWith('project.'))
    .map((e) => ({
      id: `audit:${e.id}`,
      at: e.at,
      actor: e.user ?? 'system',
      action: e.action,
      project: e.project,
      path: e.path,
      detail: e.message ?? undefined,
    }));
  const seen = new Set(live.map((a) => `${a.action}|${a.project}|${a.path}|${a.actor}|${a.at.slice(0, 19)}`));
  const activity = [...live, ...fromAudit.filter((a) => !seen.has(`${a.action}|${a.project}|${a.path}|${a.actor}|${a.at.slice(0, 19)}`))]
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, 60);

  return (
    <div>
      <h1 className="mb-1 text-2xl font-semibold tracking-tight">Dashboard</h1>
      <p className="mb-6 text-sm muted">What is checked out, by whom, and what just happened.</p>
      <ErrorText error={locks.error} />
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        {approver && (
          <Panel title="Waiting for my approval" count={reviews.data?.items.length} className="md:col-span-2 xl:col-span-3">
            <ErrorText error={reviews.error} />
            {reviews.isPending ? (
              <div className="p-4">
                <Spinner />
              </div>
            ) : (
              <ReviewList items={reviews.data?.items ?? []} onAction={setModal} />
            )}
          </Panel>
        )}
        <Panel title="My checkouts" count={mine.length}>
          {locks.isPending ? (
            <div className="p-4">
              <Spinner />
            </div>
          ) : (
            <LockList locks={mine} showUser={false} empty="You have nothing checked out." />
          )}
        </Panel>
        <Panel title="Who is online" count={online.length}>
          <ul className="flex flex-wrap gap-2 p-4" aria-label="Online users">
            {online.length === 0 && <li className="text-sm muted">Nobody (or not connected).</li>}
            {online.map((u) => (
              <li key={u} className="inline-flex items-center gap-1.5 rounded-full bg-slate-100 px-2.5 py-1 text-sm dark:bg-slate-800">
                <span className="h-2 w-2 rounded-full bg-emerald-500" aria-hidden="true" />
                {u}
                {u === me.username && <span className="text-xs text-slate-600 dark:text-slate-300">(you)</span>}
              </li>
            ))}
          </ul>
        </Panel>
        <Panel title="All current locks" count={locks.data?.length} className="md:col-span-2 xl:col-span-1 xl:row-span-2 xl:max-h-[40rem]">
          {locks.isPending ? (
            <div className="p-4">
              <Spinner />
            </div>
          ) : (
            <LockList locks={locks.data ?? []} showUser empty="No file is checked out." />
          )}
        </Panel>
        <Panel title="Recent activity" className="max-h-[28rem] md:col-span-2">
          <ActivityList items={activity} />
        </Panel>
      </div>
      {modal && <LifecycleModal slug={modal.project} modal={modal} onClose={() => setModal(null)} />}
    </div>
  );
}
