import type {
  MarkReadRequest,
  MarkReadResponse,
  Notification,
  NotificationKind,
  NotificationList,
  NotificationsQuery,
} from '@lockstep/protocol';
import type { Db } from '../store/db.js';
import { nowIso } from '../store/db.js';
import {
  approverUsernames,
  countUnread,
  insertNotifications,
  listNotifications,
  markRead,
  toNotification,
} from '../store/notifications.js';
import type { Actor, Services } from './context.js';
import { badRequest } from './errors.js';
import { mailNotices } from './mail.js';

/** What a change wants someone to be told. */
export interface NoticeDraft {
  to: string;
  kind: NotificationKind;
  actor: string;
  project: string | null;
  path: string | null;
  message: string;
  level?: 'info' | 'warning';
}

export interface StoredNotice extends Notification {
  username: string;
  level: 'info' | 'warning';
}

const sameUser = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Inside a change's transaction: store them (one row per draft), returns what to deliver after commit. Skips drafts addressed to the actor themself. */
export async function storeNotifications(trx: Db, drafts: NoticeDraft[]): Promise<StoredNotice[]> {
  const kept = drafts.filter((d) => !sameUser(d.to, d.actor));
  const at = nowIso();
  const rows = await insertNotifications(
    trx,
    kept.map((d) => ({ username: d.to, kind: d.kind, at, actor: d.actor, project: d.project, path: d.path, message: d.message })),
  );
  return rows.map((r, i) => ({ ...toNotification(r), username: r.username, level: kept[i]!.level ?? 'info' }));
}

/** After commit: push each live as `notice` {level, message, project, path, id, kind} via s.bus.notifyUser, and mail it when configured; never throws (log failures). */
export function deliverNotifications(s: Services, stored: StoredNotice[]): void {
  for (const n of stored) {
    const notice = {
      level: n.level,
      message: n.message,
      ...(n.project !== null ? { project: n.project } : {}),
      ...(n.path !== null ? { path: n.path } : {}),
      id: n.id,
      kind: n.kind,
    };
    s.bus.notifyUser(n.username, notice).catch((err: unknown) => s.log.warn({ err, to: n.username, id: n.id }, 'live notice failed'));
  }
  void mailNotices(s, stored);
}

/** Both, for callers outside a transaction. */
export async function notify(s: Services, drafts: NoticeDraft[]): Promise<void> {
  deliverNotifications(s, await storeNotifications(s.db, drafts));
}

/** Usernames who may approve in a project: active users with the approver flag, and active admins (viewers never). */
export async function approversOf(db: Db): Promise<string[]> {
  return approverUsernames(db);
}

const cursorOf = (id: number) => String(id);

function parseCursor(cursor: string | undefined): number | null {
  if (cursor === undefined) return null;
  if (!/^[1-9]\d{0,15}$/.test(cursor)) throw badRequest('invalid cursor');
  return Number(cursor);
}

/** The caller's notifications, newest first, with their unread count. */
export async function myNotifications(s: Services, actor: Actor, q: NotificationsQuery): Promise<NotificationList> {
  const limit = q.limit ?? 50;
  const beforeId = parseCursor(q.cursor);
  const [rows, unread] = await Promise.all([
    listNotifications(s.db, actor.username, { unreadOnly: q.unread === true, limit: limit + 1, beforeId }),
    countUnread(s.db, actor.username),
  ]);
  const items = rows.slice(0, limit);
  return { items, unread, nextCursor: rows.length > limit ? cursorOf(items[items.length - 1]!.id) : null };
}

/** Marks the given ids (only the caller's own) or all of them read; answers the unread count left. */
export async function markNotificationsRead(s: Services, actor: Actor, req: MarkReadRequest): Promise<MarkReadResponse> {
  if (req.all === true) await markRead(s.db, actor.username, 'all', nowIso());
  else if (req.ids) await markRead(s.db, actor.username, { ids: req.ids }, nowIso());
  else throw badRequest('give the ids to mark read, or all: true');
  return { unread: await countUnread(s.db, actor.username) };
}
