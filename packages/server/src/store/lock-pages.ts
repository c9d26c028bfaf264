import type { Db } from './db.js';
import type { LockRow } from './locks.js';

/** A project's locks in path-key order, for paging (`after` is the last key of the previous page). */
export async function pageProjectLocks(
  db: Db,
  project: string,
  opts: { pathKey?: string; after?: string; limit: number },
): Promise<LockRow[]> {
  let q = db.selectFrom('locks').selectAll().where('project', '=', project);
  if (opts.pathKey !== undefined) q = q.where('path_key', '=', opts.pathKey);
  if (opts.after !== undefined) q = q.where('path_key', '>', opts.after);
  return q.orderBy('path_key').limit(opts.limit).execute();
}
