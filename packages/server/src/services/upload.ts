import type { FileInfo } from '@lockstep/protocol';
import { baseName, collisionKey } from '../domain/paths.js';
import { groupOf, partNumberOf } from '../domain/grouping.js';
import { firstRevision } from '../domain/revision.js';
import { appendAudit } from '../store/audit.js';
import { nowIso } from '../store/db.js';
import { findFile, upsertFile } from '../store/files.js';
import { releaseLock, tryLock } from '../store/locks.js';
import type { Actor, Services } from './context.js';
import { conflict } from './errors.js';
import { assertNoPathConflict } from './path-conflicts.js';
import {
  commitAndIndex,
  metaChange,
  plainText,
  publishFileEvent,
  requireProject,
  trailers,
  validPath,
  type FileMeta,
} from './file-common.js';

export interface NewFile {
  path: string;
  description?: string;
  /** The content, already written to git as a blob (streamed by the API layer). */
  blob: { sha: string; size: number };
}

/**
 * Adds a new file at revision A. The path is reserved with a lock row first, so two racing
 * uploads of the same (or a case-colliding) name cannot both commit.
 */
export async function uploadFile(s: Services, slug: string, actor: Actor, input: NewFile): Promise<FileInfo> {
  await requireProject(s, slug);
  const path = validPath(s, input.path);
  if (input.description) plainText('the description', input.description);
  const key = collisionKey(path);
  const existing = await findFile(s.db, slug, key);
  if (existing)
    throw conflict(
      existing.path === path
        ? `"${path}" already exists`
        : `"${path}" collides with existing "${existing.path}" (names differ only in case)`,
    );
  await assertNoPathConflict(s, slug, path);
  const reserved = await tryLock(s.db, { project: slug, pathKey: key, path, username: actor.username, message: 'uploading' });
  if (!reserved.acquired) throw conflict(`"${path}" is being uploaded or checked out by ${reserved.holder?.username ?? 'someone'}`);
  try {
    const revision = firstRevision(s.config.revisionScheme);
    const name = baseName(path);
    const meta: FileMeta = {
      revision,
      description: input.description ?? '',
      partNumber: partNumberOf(name),
      fields: {},
      modifiedBy: actor.username,
      modifiedAt: nowIso(),
    };
    await commitAndIndex(
      s,
      slug,
      actor,
      {
        changes: [{ op: 'put', path, blob: input.blob.sha }, await metaChange(s, slug, path, meta)],
        message: `Add ${path}${input.description ? `\n\n${input.description}` : ''}`,
        trailers: trailers('upload', path, revision),
      },
      async (trx, commit) => {
        await upsertFile(trx, {
          project: slug,
          path,
          path_key: key,
          name,
          grp: groupOf(name),
          revision,
          description: meta.description,
          part_number: meta.partNumber,
          fields_json: '{}',
          size: input.blob.size,
          blob_sha: input.blob.sha,
          commit_sha: commit,
          modified_at: meta.modifiedAt,
          modified_by: actor.username,
          link_target: null,
        });
        await releaseLock(trx, slug, key, actor.username);
        await appendAudit(trx, {
          username: actor.username,
          action: 'file.uploaded',
          project: slug,
          path,
          revision,
          message: meta.description || null,
        });
      },
    );
  } catch (err) {
    await releaseLock(s.db, slug, key, actor.username);
    throw err;
  }
  return (await publishFileEvent(s, slug, 'file.uploaded', actor, path, { revision: firstRevision(s.config.revisionScheme) }))!;
}
