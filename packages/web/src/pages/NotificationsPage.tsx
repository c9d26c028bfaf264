import { useState } from 'react';
import { useNotificationPages, useNotifications } from '../api/lifecycle';
import { NotificationItem, useMarkRead } from '../components/Notifications';
import { EmptyState, ErrorText, Spinner } from '../components/ui';
import { useSubmit } from '../lib/useSubmit';

/** The whole inbox, newest first, page by page (the bell shows only the newest). */
export function NotificationsPage() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const pages = useNotificationPages(unreadOnly);
  const unread = useNotifications().data?.unread ?? 0;
  const markRead = useMarkRead();
  const markAll = useSubmit();
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="mx-auto max-w-3xl">
      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Notifications</h1>
          <p className="text-sm muted">Reviews waiting for you, your releases, your locks and the files you wait for. {unread} unread.</p>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <label className="inline-flex items-center gap-2 text-sm">
            <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} />
            Unread only
          </label>
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            disabled={unread === 0 || markAll.busy}
            onClick={() => void markAll.run(() => markRead({ all: true }))}
          >
            Mark all read
          </button>
        </div>
      </div>
      <ErrorText error={pages.error ?? markAll.error} />
      {pages.isPending && <Spinner label="Loading notifications" />}
      {pages.data && items.length === 0 && <EmptyState title={unreadOnly ? 'Nothing unread' : 'No notifications yet'} />}
      {items.length > 0 && (
        <ul className="card divide-y divide-slate-100 overflow-hidden dark:divide-slate-800" aria-label="Notifications">
          {items.map((n) => (
            <NotificationItem key={n.id} n={n} />
          ))}
        </ul>
      )}
      {pages.hasNextPage && (
        <div className="mt-3 text-center">
          <button
            type="button"
            className="btn btn-secondary"
            disabled={pages.isFetchingNextPage}
            onClick={() => void pages.fetchNextPage()}
          >
            {pages.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </div>
  );
}
