import { useState } from 'react';
import * as Popover from '@radix-ui/react-popover';
import { useQueryClient } from '@tanstack/react-query';
import { api, type MarkReadRequest, type Notification } from '@lockstep/protocol';
import { post } from '../api/client';
import { useNotifications } from '../api/lifecycle';
import { keys } from '../api/queries';
import { fullTime, relativeTime } from '../lib/format';
import { navigate, projectHref } from '../lib/router';
import { Link } from './Layout';
import { BellIcon, ErrorText } from './ui';

/** Where a notification leads: its file's details, else its project. */
export function notificationHref(n: Pick<Notification, 'project' | 'path'>): string | null {
  if (!n.project) return null;
  return n.path ? `${projectHref(n.project)}?file=${encodeURIComponent(n.path)}` : projectHref(n.project);
}

export function useMarkRead() {
  const qc = useQueryClient();
  return async (body: MarkReadRequest) => {
    await post(api.notificationsRead, body);
    await qc.invalidateQueries({ queryKey: keys.notifications });
  };
}

/** One notification: unread ones are marked (dot, bold, and said to screen readers); a click opens its file and marks it read. */
export function NotificationItem({ n, onOpen }: { n: Notification; onOpen?: () => void }) {
  const markRead = useMarkRead();
  const href = notificationHref(n);
  const open = () => {
    if (!n.read) void markRead({ ids: [n.id] }).catch(() => {});
    onOpen?.();
    if (href) navigate(href);
  };
  return (
    <li data-testid={`notification-${n.id}`} data-read={n.read}>
      <button
        type="button"
        onClick={open}
        className="flex w-full items-start gap-2.5 px-3 py-2.5 text-left text-sm hover:bg-slate-50 focus-visible:bg-slate-50 dark:hover:bg-slate-800/60 dark:focus-visible:bg-slate-800/60"
      >
        <span className={`mt-1.5 h-2 w-2 shrink-0 rounded-full ${n.read ? 'bg-transparent' : 'bg-indigo-500'}`} aria-hidden="true" />
        <span className="min-w-0 flex-1">
          <span className={`block break-words ${n.read ? '' : 'font-semibold'}`}>
            {!n.read && <span className="sr-only">Unread: </span>}
            {n.message}
          </span>
          <span className="block text-xs text-slate-600 dark:text-slate-400" title={fullTime(n.at)}>
            {relativeTime(n.at)}
            {n.project ? ` · ${n.project}` : ''}
          </span>
        </span>
      </button>
    </li>
  );
}

/** The header's bell: the unread count, and the newest notifications in a popover. */
export function NotificationBell() {
  const list = useNotifications();
  const markRead = useMarkRead();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const unread = list.data?.unread ?? 0;
  const items = list.data?.items ?? [];
  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger
        className="btn btn-ghost btn-sm relative"
        aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
        data-testid="notification-bell"
      >
        <BellIcon />
        {unread > 0 && (
          <span
            data-testid="unread-count"
            className="absolute -top-1 -right-1 grid h-4 min-w-4 place-items-center rounded-full bg-rose-600 px-1 text-[0.65rem] leading-none font-bold text-white"
            aria-hidden="true"
          >
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          align="end"
          sideOffset={8}
          collisionPadding={8}
          aria-label="Notifications"
          data-testid="notification-panel"
          className="card z-50 flex max-h-[min(32rem,80vh)] w-[22rem] max-w-[calc(100vw-1rem)] flex-col shadow-lg"
        >
          <div className="flex items-center justify-between gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-800">
            <h2 className="text-sm font-semibold">Notifications{unread ? ` (${unread} unread)` : ''}</h2>
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              disabled={unread === 0}
              onClick={() => void markRead({ all: true }).then(() => setError(null), setError)}
            >
              Mark all read
            </button>
          </div>
          <ErrorText error={list.error ?? error} />
          <ul className="min-h-0 flex-1 divide-y divide-slate-100 overflow-y-auto dark:divide-slate-800" aria-label="Newest notifications">
            {items.length === 0 && <li className="px-3 py-6 text-center text-sm muted">Nothing yet.</li>}
            {items.map((n) => (
              <NotificationItem key={n.id} n={n} onOpen={() => setOpen(false)} />
            ))}
          </ul>
          <div className="border-t border-slate-200 px-3 py-2 text-right dark:border-slate-800" onClick={() => setOpen(false)}>
            <Link href="/notifications" className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
              See all
            </Link>
          </div>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
