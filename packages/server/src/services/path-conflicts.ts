import { collisionKey } from '../domain/paths.js';
import { findPathConflict } from '../store/path-conflicts.js';
import type { Services } from './context.js';
import { pathConflict } from './errors.js';

/**
 * 409 `path_conflict` before anything reaches git when `path` would put a file under a file or a
 * file where a folder is. (Racing writers are caught again by the vault's own tree check.)
 */
export async function assertNoPathConflict(s: Services, slug: string, path: string): Promise<void> {
  const other = await findPathConflict(s.db, slug, collisionKey(path));
  if (!other) return;
  const key = collisionKey(path);
  const otherIsFolderOfPath = key.startsWith(`${collisionKey(other)}/`);
  throw pathConflict(
    otherIsFolderOfPath
      ? `cannot add "${path}": "${other}" is a file, so it cannot be a folder too`
      : `cannot add "${path}": it is a folder holding "${other}"`,
  );
}
