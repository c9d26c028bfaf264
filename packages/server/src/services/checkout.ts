import type { FileInfo } from '@lockstep/protocol';
import { fileInfoOf } from '../store/files.js';
import { findLock, releaseLockAudited, takeLockAudited } from '../store/locks.js';
import type { Actor, Services } from './context.js';
import { AppError, lockConflict } from './errors.js';
import { lockTarget, publishFileEvent, requireEntry, seenBy } from './file-common.js';

/** Check out: the lock row is inserted with the audit row in one transaction, or 409 names the holder. */
export async function checkout(s: Services, slug: string, rawPath: string, actor: Actor, message = ''): Promise<FileInfo> {
  const entry = await requireEntry(s, slug, rawPath);
  const target = await lockTarget(s, entry);
  const result = await takeLockAudited(
    s,
    { project: slug, pathKey: target.path_key, path: target.path, username: actor.username, message },
    { username: actor.username, action: 'file.checked_out', project: slug, path: target.path, revision: target.revision, message },
  );
  if (!result.acquired) {
    const holder = result.holder;
    if (holder?.username === actor.username)
      throw new AppError(409, 'lock_conflict', `you already have "${target.path}" checked out`, { holder: actor.username });
    throw lockConflict(holder?.username ?? 'someone', holder?.locked_at ?? 'just now');
  }
  const file = fileInfoOf(target, result.lock, null);
  const published = await publishFileEvent(s, slug, 'file.checked_out', actor, target.path, { message, revision: target.revision }, file);
  return seenBy(s, slug, entry.path, published, actor);
}

/** The lock must be the actor's own: 409 otherwise, naming whoever holds it. */
export async function requireOwnLock(s: Services, slug: string, pathKey: string, path: string, actor: Actor) {
  const lock = await findLock(s.db, slug, pathKey);
  if (!lock) throw new AppError(409, 'not_lock_holder', `"${path}" is not checked out; check it out first`);
  if (lock.username !== actor.username) {
    throw new AppError(409, 'not_lock_holder', `"${path}" is checked out by ${lock.username}, not you`, { holder: lock.username });
  }
  return lock;
}

export async function cancelCheckout(s: Services, slug: string, rawPath: string, actor: Actor): Promise<FileInfo> {
  const entry = await requireEntry(s, slug, rawPath);
  const target = await lockTarget(s, entry);
  // Release only the actor's own lock; when nothing was released, say whose it is.
  const released = await releaseLockAudited(
    s,
    { project: slug, pathKey: target.path_key, holder: actor.username },
    { username: actor.username, action: 'file.checkout_cancelled', project: slug, path: target.path, revision: target.revision },
  );
  if (!released) {
    await requireOwnLock(s, slug, target.path_key, target.path, actor);
    throw new AppError(409, 'not_lock_holder', `your lock on "${target.path}" changed meanwhile; reload and retry`);
  }
  const file = fileInfoOf(target, null, null);
  const published = await publishFileEvent(s, slug, 'file.checkout_cancelled', actor, target.path, { revision: target.revision }, file);
  return seenBy(s, slug, entry.path, published, actor);
}

/** Admin only (checked by the route): releases someone's lock with a reason and tells the former holder. */
export async function overrideLock(s: Services, slug: string, rawPath: string, actor: Actor, reason: string): Promise<FileInfo> {
  const entry = await requireEntry(s, slug, rawPath);
  const target = await lockTarget(s, entry);
  const lock = await findLock(s.db, slug, target.path_key);
  if (!lock) throw new AppError(409, 'conflict', `"${target.path}" is not checked out`);
  const released = await releaseLockAudited(
    s,
    { project: slug, pathKey: target.path_key, holder: lock.username },
    {
      username: actor.username,
      action: 'file.lock_overridden',
      project: slug,
      path: target.path,
      revision: target.revision,
      message: `lock of ${lock.username} overridden: ${reason}`,
    },
  );
  if (!released) throw new AppError(409, 'conflict', `the lock on "${target.path}" changed meanwhile; reload and retry`);
  const published = await publishFileEvent(s, slug, 'file.lock_overridden', actor, target.path, {
    formerHolder: lock.username,
    reason,
    revision: target.revision,
  });
  await s.bus.notifyUser(lock.username, {
    level: 'warning',
    message: `Your lock on ${target.path} was overridden by ${actor.username}: ${reason}`,
    project: slug,
    path: target.path,
  });
  return seenBy(s, slug, entry.path, published, actor);
}
