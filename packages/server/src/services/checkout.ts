import type { FileInfo } from '@lockstep/protocol';
import { checkoutRefusal } from '../domain/lifecycle.js';
import { draft } from '../events/index.js';
import { fileInfoOf } from '../store/files.js';
import { findLock, releaseLockAudited, takeLockOfFileAt, type LockAttempt } from '../store/locks.js';
import type { Actor, Services } from './context.js';
import { AppError, conflict, lockConflict } from './errors.js';
import { lockTarget, requireEntry, seenBy } from './file-common.js';
import { isWaiting, leaveQueueOnCheckout, lockReleased } from './lock-queue.js';
import { notify } from './notifications.js';
import { recordChange } from './unit-of-work.js';

/**
 * Check out: the lock row, its audit row and its event in one transaction, or 409 naming the
 * holder. The file must still be what was read (not deleted meanwhile).
 */
export async function checkout(s: Services, slug: string, rawPath: string, actor: Actor, message = ''): Promise<FileInfo> {
  const entry = await requireEntry(s, slug, rawPath);
  const target = await lockTarget(s, entry);
  // The state is the row's as read; the transaction's check that the row is unchanged covers it.
  const refusal = checkoutRefusal(target.state);
  if (refusal) throw conflict(`"${target.path}" ${refusal}`);
  let row = target; // with the actor out of the queue, when they were waiting for it
  const result = await recordChange<LockAttempt | null>(s, slug, async (trx) => {
    const attempt = await takeLockOfFileAt(
      trx,
      s.dialect,
      { project: slug, pathKey: target.path_key, path: target.path, username: actor.username, message },
      { username: actor.username, action: 'file.checked_out', project: slug, path: target.path, revision: target.revision, message },
      target.commit_sha,
    );
    if (!attempt?.acquired) return { result: attempt, events: [] };
    if (isWaiting(target, actor.username)) row = await leaveQueueOnCheckout(trx, s.dialect, target, actor.username);
    const file = fileInfoOf(row, attempt.lock, null);
    return {
      result: attempt,
      events: [draft('file.checked_out', { actor: actor.username, path: target.path, file, message, revision: target.revision })],
    };
  });
  if (!result) throw conflict(`"${target.path}" changed meanwhile (deleted or replaced); reload and retry`);
  if (!result.acquired) {
    const holder = result.holder;
    if (holder?.username === actor.username)
      throw new AppError(409, 'lock_conflict', `you already have "${target.path}" checked out`, { holder: actor.username });
    throw lockConflict(holder?.username ?? 'someone', holder?.locked_at ?? 'just now');
  }
  return seenBy(s, slug, entry.path, fileInfoOf(row, result.lock, null), actor);
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
  const file = fileInfoOf(target, null, null);
  // Release only the actor's own lock; when nothing was released, say whose it is.
  const released = await recordChange(s, slug, async (trx) => {
    const done = await releaseLockAudited(
      trx,
      s.dialect,
      { project: slug, pathKey: target.path_key, holder: actor.username },
      { username: actor.username, action: 'file.checkout_cancelled', project: slug, path: target.path, revision: target.revision },
    );
    const events = done
      ? [draft('file.checkout_cancelled', { actor: actor.username, path: target.path, file, revision: target.revision })]
      : [];
    return { result: done, events };
  });
  if (!released) {
    await requireOwnLock(s, slug, target.path_key, target.path, actor);
    throw new AppError(409, 'not_lock_holder', `your lock on "${target.path}" changed meanwhile; reload and retry`);
  }
  await lockReleased(s, slug, target.path_key, target.waiting_json);
  return seenBy(s, slug, entry.path, file, actor);
}

/** Admin only (checked by the route): releases someone's lock with a reason and tells the former holder. */
export async function overrideLock(s: Services, slug: string, rawPath: string, actor: Actor, reason: string): Promise<FileInfo> {
  const entry = await requireEntry(s, slug, rawPath);
  const target = await lockTarget(s, entry);
  const lock = await findLock(s.db, slug, target.path_key);
  if (!lock) throw new AppError(409, 'conflict', `"${target.path}" is not checked out`);
  const file = fileInfoOf(target, null, null);
  const released = await recordChange(s, slug, async (trx) => {
    const done = await releaseLockAudited(
      trx,
      s.dialect,
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
    const data = { actor: actor.username, path: target.path, file, formerHolder: lock.username, reason, revision: target.revision };
    return { result: done, events: done ? [draft('file.lock_overridden', data)] : [] };
  });
  if (!released) throw new AppError(409, 'conflict', `the lock on "${target.path}" changed meanwhile; reload and retry`);
  const message = `Your lock on ${target.path} was overridden by ${actor.username}: ${reason}`;
  await notify(s, [
    { to: lock.username, kind: 'lock_overridden', actor: actor.username, project: slug, path: target.path, message, level: 'warning' },
  ]);
  await lockReleased(s, slug, target.path_key, target.waiting_json);
  return seenBy(s, slug, entry.path, file, actor);
}
