import type { FileInfo } from '@lockstep/protocol';
import { nextRevision } from '../domain/revision.js';
import { appendAudit } from '../store/audit.js';
import { nowIso } from '../store/db.js';
import { upsertFile } from '../store/files.js';
import { findLock, lockStillHeld, releaseSeenLock, type LockRow } from '../store/locks.js';
import { requireOwnLock } from './checkout.js';
import type { Actor, Services } from './context.js';
import { AppError, badRequest } from './errors.js';
import {
  assertFileAt,
  checkIfMatch,
  fileEvent,
  fileOf,
  lockTarget,
  metaChange,
  metaOf,
  plainText,
  requireEntry,
  seenBy,
  trailers,
} from './file-common.js';
import { lifecycleTrailers } from './revision-log.js';
import { commitChange, writeUnit } from './unit-of-work.js';
import { lockReleased } from './lock-queue.js';

export interface CheckinInput {
  message: string;
  bump: boolean;
  keep: boolean;
  /** Check in content identical to the current revision anyway (otherwise 409 `unchanged`). */
  allowUnchanged?: boolean;
  /** The new content, already streamed into git as a blob. */
  blob: { sha: string; size: number };
  /** `If-Match`: the commit the client last saw. */
  ifMatch?: string;
}

/**
 * Check in: holder only; one commit authored by the user; the lock is released unless kept. The
 * lock and the file row are read inside the unit and asserted again in its transaction, so a
 * check-in racing an override, a cancel or another check-in of the same lock either wins whole or
 * gets a 409.
 */
export async function checkin(s: Services, slug: string, rawPath: string, actor: Actor, input: CheckinInput): Promise<FileInfo> {
  const message = plainText('the check-in message', input.message).trim();
  if (!message) throw badRequest('a check-in message is required');
  return writeUnit(s, slug, async () => {
    const entry = await requireEntry(s, slug, rawPath);
    const target = await lockTarget(s, entry);
    checkIfMatch(target, input.ifMatch);
    const lock = await requireOwnLock(s, slug, target.path_key, target.path, actor);
    if (!input.allowUnchanged && target.blob_sha === input.blob.sha)
      throw new AppError(409, 'unchanged', `the chosen file is identical to revision ${target.revision} of "${target.path}"`);
    // A released revision is frozen: what is checked in over it is the next revision, in work.
    const startsNext = target.state === 'released';
    const revision = input.bump || startsNext ? nextRevision(target.revision, s.config.revisionScheme) : target.revision;
    const meta = { ...metaOf(target), revision, state: 'wip' as const, modifiedBy: actor.username, modifiedAt: nowIso() };
    let published: FileInfo | null = null;
    await commitChange(
      s,
      slug,
      actor,
      {
        changes: [{ op: 'put', path: target.path, blob: input.blob.sha }, await metaChange(s, slug, target.path, meta)],
        message,
        trailers: { ...trailers('checkin', target.path, revision), ...lifecycleTrailers('wip') },
      },
      async (trx, commit) => {
        await assertFileAt(trx, s, target);
        const stillOurs = input.keep ? await lockStillHeld(trx, s.dialect, lock) : await releaseSeenLock(trx, lock);
        if (!stillOurs) throw await lockLost(trx, lock);
        await upsertFile(trx, {
          ...target,
          revision,
          size: input.blob.size,
          blob_sha: input.blob.sha,
          commit_sha: commit,
          modified_at: meta.modifiedAt,
          modified_by: actor.username,
          state: 'wip',
        });
        await appendAudit(trx, {
          username: actor.username,
          action: 'file.checked_in',
          project: slug,
          path: target.path,
          revision,
          message,
        });
        const event = await fileEvent(trx, slug, 'file.checked_in', actor, target.path, { message, revision });
        published = fileOf(event);
        return [event];
      },
    );
    if (!input.keep) await lockReleased(s, slug, target.path_key, target.waiting_json);
    return seenBy(s, slug, entry.path, published, actor);
  });
}

/** Before the upload is read: only the holder's content should reach git at all. */
export async function assertMayCheckin(s: Services, slug: string, rawPath: string, actor: Actor): Promise<void> {
  const target = await lockTarget(s, await requireEntry(s, slug, rawPath));
  await requireOwnLock(s, slug, target.path_key, target.path, actor);
}

/** The 409 for a unit whose lock went away between its read and its commit (override, cancel). */
export async function lockLost(
  trx: Parameters<typeof findLock>[0],
  seen: Pick<LockRow, 'project' | 'path_key' | 'path'>,
): Promise<AppError> {
  const now = await findLock(trx, seen.project, seen.path_key);
  if (!now)
    return new AppError(
      409,
      'not_lock_holder',
      `your lock on "${seen.path}" was released meanwhile (override or cancel); nothing was changed`,
    );
  return new AppError(409, 'not_lock_holder', `"${seen.path}" is now checked out by ${now.username}; nothing was changed`, {
    holder: now.username,
  });
}
