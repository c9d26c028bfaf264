import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, type FileInfo, type NotificationList, type ReviewList, type User } from '@lockstep/protocol';
import { canEdit, isAdmin } from './auth';
import { get } from './client';
import { keys } from './queries';

export type LifecycleAction = Parameters<typeof api.fileLifecycle>[2];

/** What awaits the caller's approval, across projects. */
export const useReviews = (enabled: boolean) => useQuery({ queryKey: keys.reviews, queryFn: () => get<ReviewList>(api.reviews), enabled });

/** The newest notifications and the unread count (the bell). */
export const useNotifications = (limit = 15) =>
  useQuery({
    queryKey: keys.notificationList(limit),
    queryFn: () => get<NotificationList>(api.notifications({ limit })),
  });

/** Every notification, page by page (the inbox page). */
export const useNotificationPages = (unreadOnly: boolean) =>
  useInfiniteQuery({
    queryKey: keys.notificationPages(unreadOnly),
    queryFn: ({ pageParam }) => get<NotificationList>(api.notifications({ limit: 50, cursor: pageParam, unread: unreadOnly || undefined })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

/** May this user sign releases? Admins always may. */
export const canApprove = (me: User) => isAdmin(me) || me.approver;

/** The lifecycle steps this user may take on this file now (the server checks them again). */
export function lifecycleActions(file: FileInfo, me: User) {
  const review = file.review;
  const requester = review?.requestedBy === me.username;
  return {
    release: file.state === 'wip' && !file.lockedBy && canEdit(me),
    approve: file.state === 'in_review' && canApprove(me) && !requester && !review?.approvals.some((a) => a.user === me.username),
    withdraw: file.state === 'in_review' && (requester || isAdmin(me)),
    obsolete: (file.state === 'wip' || file.state === 'released') && !file.lockedBy && isAdmin(me),
    reactivate: file.state === 'obsolete' && isAdmin(me),
  };
}

/** Details can be edited (and the file deleted) only in work: what is reviewed or released stays as it is. */
export const editableInState = (file: Pick<FileInfo, 'state'>) => file.state === 'wip';

/** Why a file cannot be checked out because of its state, or null when it can. */
export function checkoutBlockedBy(file: Pick<FileInfo, 'state'>): string | null {
  if (file.state === 'in_review') return 'In review: it can be checked out once the review is approved, rejected or withdrawn.';
  if (file.state === 'obsolete') return 'Obsolete: it is read-only until an admin reactivates it.';
  return null;
}
