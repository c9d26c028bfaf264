import type { FileInfo } from '@lockstep/protocol';
import { baseName, collisionKey } from '../domain/paths.js';
import { groupOf, partNumberOf } from '../domain/grouping.js';
import { firstRevision } from '../domain/revision.js';
import { appendAudit } from '../store/audit.js';
import { nowIso } from '../store/db.js';
import { NEW_ENTRY, fileStillAt, findFile, upsertFile } from '../store/files.js';
import type { Actor, Services } from './context.js';
import { conflict } from './errors.js';
import { fileEvent, fileOf, metaChange, plainText, requireProject, trailers, validPath, type FileMeta } from './file-common.js';
import { commitChange, writeUnit } from './unit-of-work.js';
import { assertNoPathConflict } from './path-conflicts.js';

export interface NewFile {
  path: string;
  description?: string;
  /** The content, already written to git as a blob (streamed by the API layer). */
  blob: { sha: string; size: number };
}

/**
 * Adds a new file at revision A. The name (and any case-colliding one) is checked inside the
 * project's write unit and asserted again in its transaction, so two racing uploads cannot both
 * commit.
 */
export async function uploadFile(s: Services, slug: string, actor: Actor, input: NewFile): Promise<FileInfo> {
  await requireProject(s, slug);
  const path = validPath(s, input.path);
  if (input.description) plainText('the description', input.description);
  const key = collisionKey(path);
  return writeUnit(s, slug, async () => {
    const existing = await findFile(s.db, slug, key);
    if (existing) throw alreadyExists(path, existing.path);
    await assertNoPathConflict(s, slug, path);
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
    let published: FileInfo | null = null;
    await commitChange(
      s,
      slug,
      actor,
      {
        changes: [{ op: 'put', path, blob: input.blob.sha }, await metaChange(s, slug, path, meta)],
        message: `Add ${path}${input.description ? `\n\n${input.description}` : ''}`,
        trailers: trailers('upload', path, revision),
      },
      async (trx, commit) => {
        if (!(await fileStillAt(trx, s.dialect, slug, key, null))) throw alreadyExists(path, path);
        await upsertFile(trx, {
          ...NEW_ENTRY,
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
        await appendAudit(trx, {
          username: actor.username,
          action: 'file.uploaded',
          project: slug,
          path,
          revision,
          message: meta.description || null,
        });
        const event = await fileEvent(trx, slug, 'file.uploaded', actor, path, { revision });
        published = fileOf(event);
        return [event];
      },
    );
    return published!;
  });
}

const alreadyExists = (path: string, existing: string) =>
  conflict(existing === path ? `"${path}" already exists` : `"${path}" collides with existing "${existing}" (names differ only in case)`);
