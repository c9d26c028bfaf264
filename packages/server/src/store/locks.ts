import type { Lock } from '@lockstep/protocol';
import { sql } from 'kysely';
import { appendAudit, auditRow, type AuditRecord, type AuditRow } from './audit.js';
import type { Db, Dialect } from './db.js';
import { nowIso } from './db.js';
import { fileStillAt } from './files.js';
import { prepared } from './prepared.js';
import type { Database } from './schema.js';

export type LockRow = Database['locks'];

/**
 * Takes the lock or returns the current holder's row. One INSERT … ON CONFLICT DO NOTHING: the
 * database's unique key decides, so two racing requests can never both win.
 */
export function tryLock(db: Db, l: NewLock): Promise<LockAttempt> {
  return tryLockWith(db, l, (row) => insertLock.run(db, row));
}

type NewLock = { project: string; pathKey: string; path: string; username: string; message: string };
export type LockAttempt = { acquired: true; lock: LockRow } | { acquired: false; holder: LockRow | undefined };

/** tryLock with the insert supplied (it resolves with the rows inserted: 1 when the lock was taken). */
async function tryLockWith(db: Db, l: NewLock, insert: (row: LockRow) => Promise<number>): Promise<LockAttempt> {
  const row: LockRow = {
    project: l.project,
    path_key: l.pathKey,
    path: l.path,
    username: l.username,
    locked_at: nowIso(),
    message: l.message,
  };
  if ((await insert(row)) > 0) return { acquired: true, lock: row };
  return { acquired: false, holder: await findLock(db, l.project, l.pathKey) };
}

const insertLock = prepared((db, r: LockRow) =>
  db
    .insertInto('locks')
    .values({ project: r.project, path_key: r.path_key, path: r.path, username: r.username, locked_at: r.locked_at, message: r.message })
    .onConflict((oc) => oc.columns(['project', 'path_key']).doNothing()),
);

const selectLock = prepared((db, k: { project: string; pathKey: string }) =>
  db.selectFrom('locks').selectAll().where('project', '=', k.project).where('path_key', '=', k.pathKey),
);

export async function findLock(db: Db, project: string, pathKey: string): Promise<LockRow | undefined> {
  return selectLock.first(db, { project, pathKey });
}

const deleteLock = prepared((db, k: { project: string; pathKey: string }) =>
  db.deleteFrom('locks').where('project', '=', k.project).where('path_key', '=', k.pathKey),
);
const deleteLockOf = prepared((db, k: { project: string; pathKey: string; holder: string }) =>
  db.deleteFrom('locks').where('project', '=', k.project).where('path_key', '=', k.pathKey).where('username', '=', k.holder),
);

/** Releases the lock; when `holder` is given only that user's lock is released. */
export async function releaseLock(db: Db, project: string, pathKey: string, holder?: string): Promise<boolean> {
  const released = holder ? await deleteLockOf.run(db, { project, pathKey, holder }) : await deleteLock.run(db, { project, pathKey });
  return released > 0;
}

export async function listLocks(db: Db, filter: { project?: string; user?: string }): Promise<Lock[]> {
  let q = db.selectFrom('locks').selectAll();
  if (filter.project) q = q.where('project', '=', filter.project);
  if (filter.user) q = q.where('username', '=', filter.user);
  const rows = await q.orderBy('locked_at', 'desc').execute();
  return rows.map((r) => ({ project: r.project, path: r.path, user: r.username, lockedAt: r.locked_at, message: r.message }));
}

/**
 * Takes the lock and writes its audit row, atomically, inside the caller's transaction; the
 * holder's row when the lock is taken. PostgreSQL does both in one statement (a data-modifying
 * WITH: one round trip).
 */
export async function takeLockAudited(trx: Db, dialect: Dialect, lock: NewLock, audit: AuditRecord): Promise<LockAttempt> {
  if (dialect === 'postgres') return tryLockWith(trx, lock, (row) => insertLockAudited.run(trx, audited(row, audit)));
  return tryLockWith(trx, lock, async (row) => {
    const inserted = await insertLock.run(trx, row);
    if (inserted > 0) await appendAudit(trx, audit);
    return inserted;
  });
}

/**
 * takeLockAudited for an entry that must still be at `commit` (null: it moved on or was deleted
 * meanwhile). On SQLite one statement checks the file row and takes the lock (the check-out path
 * is the hottest there is); on PostgreSQL the row is locked FOR UPDATE first, so a lifecycle step
 * that changes the row waits for the check-out or makes it see the new commit.
 */
export async function takeLockOfFileAt(
  trx: Db,
  dialect: Dialect,
  lock: NewLock,
  audit: AuditRecord,
  commit: string,
): Promise<LockAttempt | null> {
  const fileMoved = async () => !(await fileStillAt(trx, dialect, lock.project, lock.pathKey, commit));
  if (dialect === 'postgres') return (await fileMoved()) ? null : takeLockAudited(trx, dialect, lock, audit);
  const attempt = await tryLockWith(trx, lock, async (row) => {
    const inserted = await insertLockIfFileAt.run(trx, { ...row, commit });
    if (inserted > 0) await appendAudit(trx, audit);
    return inserted;
  });
  return !attempt.acquired && (await fileMoved()) ? null : attempt;
}

const insertLockIfFileAt = prepared(
  (_db, v: LockRow & { commit: string }) =>
    sql`insert into locks (project, path_key, path, username, locked_at, message)
      select ${v.project}, ${v.path_key}, ${v.path}, ${v.username}, ${v.locked_at}, ${v.message}
      where exists (select 1 from files where project = ${v.project} and path_key = ${v.path_key} and commit_sha = ${v.commit})
      on conflict (project, path_key) do nothing`,
);

/** Releases `holder`'s lock and writes the audit row, atomically (as takeLockAudited); false when `holder` had no lock. */
export async function releaseLockAudited(
  trx: Db,
  dialect: Dialect,
  key: { project: string; pathKey: string; holder: string },
  audit: AuditRecord,
): Promise<boolean> {
  if (dialect === 'postgres') return (await deleteLockAudited.run(trx, audited(key, audit))) > 0;
  const released = await releaseLock(trx, key.project, key.pathKey, key.holder);
  if (released) await appendAudit(trx, audit);
  return released;
}

type Audited<T> = T & { [K in keyof AuditRow as `audit_${K}`]: AuditRow[K] };
/** Prepared statements take flat values: the audit row's columns become `audit_<column>`. */
const audited = <T extends object>(values: T, audit: AuditRecord): Audited<T> =>
  ({ ...values, ...Object.fromEntries(Object.entries(auditRow(audit)).map(([k, v]) => [`audit_${k}`, v])) }) as Audited<T>;

/** `insert into audit select <the row> from <changed>`: the audit row exists only if the lock changed. */
const auditFrom = (changed: string, a: Audited<object>) =>
  sql`insert into audit (at, username, action, project, path, revision, message)
      select ${a.audit_at}, ${a.audit_username}, ${a.audit_action}, ${a.audit_project}, ${a.audit_path}, ${a.audit_revision}, ${a.audit_message}
      from ${sql.table(changed)}`;

const insertLockAudited = prepared(
  (_db, v: Audited<LockRow>) =>
    sql`with taken as (
        insert into locks (project, path_key, path, username, locked_at, message)
        values (${v.project}, ${v.path_key}, ${v.path}, ${v.username}, ${v.locked_at}, ${v.message})
        on conflict (project, path_key) do nothing
        returning path_key)
      ${auditFrom('taken', v)}`,
);

const deleteLockAudited = prepared(
  (_db, v: Audited<{ project: string; pathKey: string; holder: string }>) =>
    sql`with released as (
        delete from locks where project = ${v.project} and path_key = ${v.pathKey} and username = ${v.holder}
        returning path_key)
      ${auditFrom('released', v)}`,
);

/** The same lock a unit saw: same holder and same moment it was taken (a re-taken lock is another lock). */
const sameLock = (l: LockRow) => (db: Db) =>
  db
    .selectFrom('locks')
    .select('path_key')
    .where('project', '=', l.project)
    .where('path_key', '=', l.path_key)
    .where('username', '=', l.username)
    .where('locked_at', '=', l.locked_at);

/**
 * Compare-and-swap check inside a unit's transaction: is `lock` still in place? On PostgreSQL the
 * row is locked until commit, so an override or cancel waits for the unit (and then finds what it
 * left); SQLite transactions are serial anyway.
 */
export async function lockStillHeld(trx: Db, dialect: Dialect, lock: LockRow): Promise<boolean> {
  const q = sameLock(lock)(trx);
  return !!(await (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst());
}

/** Releases exactly the lock the unit saw; false when it changed meanwhile. */
export async function releaseSeenLock(trx: Db, lock: LockRow): Promise<boolean> {
  const r = await trx
    .deleteFrom('locks')
    .where('project', '=', lock.project)
    .where('path_key', '=', lock.path_key)
    .where('username', '=', lock.username)
    .where('locked_at', '=', lock.locked_at)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
