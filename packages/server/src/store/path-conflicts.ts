import { sql } from 'kysely';
import type { Db } from './db.js';

/**
 * An indexed entry that `pathKey` would clash with as a tree: a file at one of its folders
 * (`part.nc` for `part.nc/x.nc`), or entries under it as a folder (`dir.nc/y.nc` for `dir.nc`).
 */
export async function findPathConflict(db: Db, project: string, pathKey: string): Promise<string | null> {
  const parts = pathKey.split('/');
  const folders = parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
  if (folders.length) {
    const file = await db
      .selectFrom('files')
      .select('path')
      .where('project', '=', project)
      .where('path_key', 'in', folders)
      .executeTakeFirst();
    if (file) return file.path;
  }
  const escaped = pathKey.replace(/[!%_]/g, (c) => `!${c}`);
  const under = await db
    .selectFrom('files')
    .select('path')
    .where('project', '=', project)
    .where(sql<boolean>`path_key like ${`${escaped}/%`} escape '!'`)
    .executeTakeFirst();
  return under?.path ?? null;
}
