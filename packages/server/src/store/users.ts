import type { Role, User } from '@lockstep/protocol';
import type { Db } from './db.js';
import { nowIso } from './db.js';

import type { UserRow } from './schema.js';

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    disabled: !!row.disabled,
    approver: !!row.approver,
    email: row.email,
    createdAt: row.created_at,
  };
}

export const usernameKey = (username: string): string => username.toLowerCase();

export async function insertUser(
  db: Db,
  u: { username: string; passwordHash: string; role: Role; approver?: boolean; email?: string | null },
): Promise<User> {
  const row = await db
    .insertInto('users')
    .values({
      username: u.username,
      username_key: usernameKey(u.username),
      password_hash: u.passwordHash,
      role: u.role,
      disabled: 0,
      approver: u.approver ? 1 : 0,
      email: u.email ?? null,
      created_at: nowIso(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export async function findUserByName(db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username_key', '=', usernameKey(username)).executeTakeFirst();
}

export async function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listUsers(db: Db): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('username_key').execute();
  return rows.map(toUser);
}

export async function countUsers(db: Db): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function updateUser(
  db: Db,
  id: number,
  patch: { role?: Role; passwordHash?: string; disabled?: boolean; approver?: boolean; email?: string | null },
): Promise<User | undefined> {
  const row = await db
    .updateTable('users')
    .set({
      ...(patch.role ? { role: patch.role } : {}),
      ...(patch.passwordHash ? { password_hash: patch.passwordHash } : {}),
      ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
      ...(patch.approver !== undefined ? { approver: patch.approver ? 1 : 0 } : {}),
      ...(patch.email !== undefined ? { email: patch.email } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && toUser(row);
}

export async function countActiveAdmins(db: Db): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('role', '=', 'admin')
    .where('disabled', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
