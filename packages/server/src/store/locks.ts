import type { Lock } from '@lockstep/protocol';
import type { Db } from './db.js';
import { nowIso } from './db.js';
import { prepared } from './prepared.js';
import type { Database } from './schema.js';

export type LockRow = Database['locks'];

/**
 * Takes the lock or returns the current holder's row. One INSERT … ON CONFLICT DO NOTHING: the
 * database's unique key decides, so two racing requests can never both win.
 */
export async function tryLock(
  db: Db,
  l: { project: string; pathKey: string; path: string; username: string; message: string },
): Promise<{ acquired: true; lock: LockRow } | { acquired: false; holder: LockRow | undefined }> {
  const row: LockRow = { project: l.project, path_key: l.pathKey, path: l.path, username: l.username, locked_at: nowIso(), message: l.message };
  if ((await insertLock.run(db, row)) > 0) return { acquired: true, lock: row };
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
