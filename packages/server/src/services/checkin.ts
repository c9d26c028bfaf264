import type { FileInfo } from '@lockstep/protocol';
import { nextRevision } from '../domain/revision.js';
import { appendAudit } from '../store/audit.js';
import { nowIso } from '../store/db.js';
import { upsertFile } from '../store/files.js';
import { releaseLock } from '../store/locks.js';
import { requireOwnLock } from './checkout.js';
import type { Actor, Services } from './context.js';
import { AppError, badRequest } from './errors.js';
import {
  commitAndIndex,
  lockTarget,
  metaChange,
  metaOf,
  plainText,
  publishFileEvent,
  requireEntry,
  seenBy,
  trailers,
} from './file-common.js';

export interface CheckinInput {
  message: string;
  bump: boolean;
  keep: boolean;
  /** Check in content identical to the current revision anyway (otherwise 409 `unchanged`). */
  allowUnchanged?: boolean;
  /** The new content, already streamed into git as a blob. */
  blob: { sha: string; size: number };
}

/** Check in: holder only; one commit authored by the user; the lock is released unless kept. */
export async function checkin(s: Services, slug: string, rawPath: string, actor: Actor, input: CheckinInput): Promise<FileInfo> {
  const message = plainText('the check-in message', input.message).trim();
  if (!message) throw badRequest('a check-in message is required');
  const entry = await requireEntry(s, slug, rawPath);
  const target = await lockTarget(s, entry);
  await requireOwnLock(s, slug, target.path_key, target.path, actor);
  if (!input.allowUnchanged && target.blob_sha === input.blob.sha)
    throw new AppError(409, 'unchanged', `the chosen file is identical to revision ${target.revision} of "${target.path}"`);
  const revision = input.bump ? nextRevision(target.revision, s.config.revisionScheme) : target.revision;
  const meta = { ...metaOf(target), revision, modifiedBy: actor.username, modifiedAt: nowIso() };
  await commitAndIndex(
    s,
    slug,
    actor,
    {
      changes: [{ op: 'put', path: target.path, blob: input.blob.sha }, await metaChange(s, slug, target.path, meta)],
      message,
      trailers: trailers('checkin', target.path, revision),
    },
    async (trx, commit) => {
      await upsertFile(trx, {
        ...target,
        revision,
        size: input.blob.size,
        blob_sha: input.blob.sha,
        commit_sha: commit,
        modified_at: meta.modifiedAt,
        modified_by: actor.username,
      });
      if (!input.keep) await releaseLock(trx, slug, target.path_key, actor.username);
      await appendAudit(trx, { username: actor.username, action: 'file.checked_in', project: slug, path: target.path, revision, message });
    },
  );
  const published = await publishFileEvent(s, slug, 'file.checked_in', actor, target.path, { message, revision });
  return seenBy(s, slug, entry.path, published, actor);
}
