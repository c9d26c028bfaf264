import type { Notification } from '@lockstep/protocol';
import type { Db } from './db.js';
import type { Selectable } from 'kysely';
import type { Database } from './schema.js';

export type NotificationRow = Selectable<Database['notifications']>;

/** A row to insert: the table's columns but the generated id and the read mark. */
export type NotificationInsert = Omit<Database['notifications'], 'id' | 'read_at'>;

export const toNotification = (r: NotificationRow): Notification => ({
  id: r.id,
  kind: r.kind,
  at: r.at,
  actor: r.actor,
  project: r.project,
  path: r.path,
  message: r.message,
  read: r.read_at !== null,
});

/** One row per notification, in order; pass the change's transaction so they commit with it. */
export async function insertNotifications(db: Db, rows: NotificationInsert[]): Promise<NotificationRow[]> {
  // One statement each: RETURNING's row order is not defined for a multi-row insert, and there are few.
  const inserted: NotificationRow[] = [];
  for (const r of rows)
    inserted.push(
      await db
        .insertInto('notifications')
        .values({ ...r, read_at: null })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
  return inserted;
}

/** A user's notifications, newest first; `beforeId` continues a page. */
export async function listNotifications(
  db: Db,
  username: string,
  q: { unreadOnly: boolean; limit: number; beforeId: number | null },
): Promise<Notification[]> {
  let query = db.selectFrom('notifications').selectAll().where('username', '=', username);
  if (q.unreadOnly) query = query.where('read_at', 'is', null);
  if (q.beforeId !== null) query = query.where('id', '<', q.beforeId);
  const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map(toNotification);
}

export async function countUnread(db: Db, username: string): Promise<number> {
  const r = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('username', '=', username)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Marks the user's own rows read: the given ids (others' ids are ignored), or all of them. */
export async function markRead(db: Db, username: string, which: { ids: number[] } | 'all', at: string): Promise<void> {
  let query = db.updateTable('notifications').set({ read_at: at }).where('username', '=', username).where('read_at', 'is', null);
  if (which !== 'all') {
    if (which.ids.length === 0) return;
    query = query.where('id', 'in', which.ids);
  }
  await query.execute();
}

/** Active users with the approver flag (viewers excluded) and active admins. */
export async function approverUsernames(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select('username')
    .where('disabled', '=', 0)
    .where((eb) => eb.or([eb('role', '=', 'admin'), eb.and([eb('approver', '=', 1), eb('role', '!=', 'viewer')])]))
    .orderBy('username_key')
    .execute();
  return rows.map((r) => r.username);
}

/** The e-mail addresses of active users among `usernames` (those without one are left out). */
export async function emailsOf(db: Db, usernames: string[]): Promise<Map<string, string>> {
  if (usernames.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['username', 'email'])
    .where('username', 'in', usernames)
    .where('disabled', '=', 0)
    .where('email', 'is not', null)
    .execute();
  return new Map(rows.filter((r) => r.email).map((r) => [r.username, r.email!]));
}
