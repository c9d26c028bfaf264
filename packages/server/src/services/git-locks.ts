// The Git LFS File Locking API on Lockstep's locks: `git lfs lock` is a check-out, `unlock` a
// cancel, `unlock --force` an admin override. Every change goes through services/checkout.ts, so
// lock rows, audit rows, events and notices are exactly those of the web.
import { collisionKey } from '../domain/paths.js';
import { can } from '../domain/permissions.js';
import { findLock, type LockRow } from '../store/locks.js';
import { pageProjectLocks } from '../store/lock-pages.js';
import { cancelCheckout, checkout, overrideLock } from './checkout.js';
import type { Actor, Services } from './context.js';
import { AppError, forbidden, notFound } from './errors.js';
import { lockTarget, requireEntry, requireProject } from './file-common.js';

export interface LfsLock {
  id: string;
  path: string;
  locked_at: string;
  owner: { name: string };
}

/** A 409 in the LFS shape: the existing lock travels with the message. */
export class LfsLockExists extends AppError {
  constructor(
    readonly lock: LfsLock,
    message: string,
  ) {
    super(409, 'lock_conflict', message, { holder: lock.owner.name });
  }
}

/**
 * Lock ids: `<locked_at in ms, base 36>.<base64url of the path key>`. A lock row's key is
 * (project, path key), there is no row id; this id names one lock *instance* (a lock taken again
 * later gets a new id, so a stale `git lfs unlock --id` never releases someone's newer lock), is
 * stable for the lock's life on every instance, and is decoded without a lookup table.
 */
export function lockId(row: Pick<LockRow, 'path_key' | 'locked_at'>): string {
  return `${Date.parse(row.locked_at).toString(36)}.${Buffer.from(row.path_key, 'utf8').toString('base64url')}`;
}

function parseLockId(id: string): { pathKey: string; lockedAtMs: number } | null {
  const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{1,2800})$/.exec(id);
  if (!m) return null;
  return { lockedAtMs: parseInt(m[1]!, 36), pathKey: Buffer.from(m[2]!, 'base64url').toString('utf8') };
}

export const toLfsLock = (row: LockRow): LfsLock => ({
  id: lockId(row),
  path: row.path,
  locked_at: row.locked_at,
  owner: { name: row.username },
});

/** The lock `id` names, if it is still that lock. */
async function lockById(s: Services, slug: string, id: string): Promise<LockRow | undefined> {
  const parsed = parseLockId(id);
  if (!parsed) return undefined;
  const row = await findLock(s.db, slug, parsed.pathKey);
  return row && Date.parse(row.locked_at) === parsed.lockedAtMs ? row : undefined;
}

export async function createLfsLock(s: Services, slug: string, actor: Actor, rawPath: string): Promise<LfsLock> {
  if (!can(actor.role, 'write')) throw forbidden('you need the user role to lock files');
  const target = await lockTarget(s, await requireEntry(s, slug, rawPath));
  try {
    await checkout(s, slug, rawPath, actor);
  } catch (err) {
    if (err instanceof AppError && err.status === 409) {
      const held = await findLock(s.db, slug, target.path_key);
      if (held) throw new LfsLockExists(toLfsLock(held), err.message);
    }
    throw err;
  }
  const row = await findLock(s.db, slug, target.path_key);
  if (!row) throw new AppError(409, 'conflict', `the lock on "${target.path}" was released meanwhile`);
  return toLfsLock(row);
}

export interface LockPage {
  locks: LockRow[];
  nextCursor: string | undefined;
}

const MAX_LIMIT = 1000;

/** A page of the project's locks; the cursor is the path key of the last lock returned. */
export async function pageLocks(
  s: Services,
  slug: string,
  q: { path?: string; id?: string; cursor?: string; limit?: number },
): Promise<LockPage> {
  await requireProject(s, slug);
  const limit = Math.min(Math.max(q.limit ?? 100, 1), MAX_LIMIT);
  if (q.id !== undefined) {
    const row = await lockById(s, slug, q.id);
    const match = row && (q.path === undefined || row.path_key === collisionKey(q.path));
    return { locks: match ? [row] : [], nextCursor: undefined };
  }
  const after = q.cursor ? Buffer.from(q.cursor, 'base64url').toString('utf8') : undefined;
  const rows = await pageProjectLocks(s.db, slug, {
    pathKey: q.path === undefined ? undefined : collisionKey(q.path),
    after,
    limit: limit + 1,
  });
  const more = rows.length > limit;
  const locks = more ? rows.slice(0, limit) : rows;
  return { locks, nextCursor: more ? Buffer.from(locks[locks.length - 1]!.path_key, 'utf8').toString('base64url') : undefined };
}

export async function verifyLocks(
  s: Services,
  slug: string,
  actor: Actor,
  q: { cursor?: string; limit?: number },
): Promise<{ ours: LfsLock[]; theirs: LfsLock[]; next_cursor?: string }> {
  if (!can(actor.role, 'write')) throw forbidden('you need the user role to push');
  const page = await pageLocks(s, slug, q);
  const ours = page.locks.filter((l) => l.username === actor.username).map(toLfsLock);
  const theirs = page.locks.filter((l) => l.username !== actor.username).map(toLfsLock);
  return { ours, theirs, ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) };
}

/** Own lock: a cancel. Someone else's: only with `force`, and only an admin (an override, the holder is told). */
export async function unlockLfs(s: Services, slug: string, actor: Actor, id: string, force: boolean): Promise<LfsLock> {
  if (!can(actor.role, 'write')) throw forbidden('you need the user role to unlock files');
  await requireProject(s, slug);
  const row = await lockById(s, slug, id);
  if (!row) throw notFound(`no lock with id ${id}`);
  if (row.username === actor.username) await cancelCheckout(s, slug, row.path, actor);
  else if (!force) throw forbidden(`"${row.path}" is locked by ${row.username}; only an admin can release it (git lfs unlock --force)`);
  else if (!can(actor.role, 'admin')) throw forbidden(`"${row.path}" is locked by ${row.username}; only an admin can force an unlock`);
  else await overrideLock(s, slug, row.path, actor, 'released with git lfs unlock --force');
  return toLfsLock(row);
}
