import type { FileInfo, UpdateFileRequest } from '@lockstep/protocol';
import { baseName, collisionKey, metaPathFor } from '../domain/paths.js';
import { groupOf } from '../domain/grouping.js';
import { appendAudit } from '../store/audit.js';
import { nowIso } from '../store/db.js';
import { deleteRefusal, editRefusal } from '../domain/lifecycle.js';
import { NEW_ENTRY, deleteFileRow, findFile, linksTo, upsertFile } from '../store/files.js';
import { draft } from '../events/index.js';
import { fileStillAt } from '../store/files.js';
import { findLock, lockStillHeld, releaseLock } from '../store/locks.js';
import { lockLost } from './checkin.js';
import type { Actor, Services } from './context.js';
import { AppError, badRequest, conflict } from './errors.js';
import { lockReleased } from './lock-queue.js';
import { commitChange, writeUnit } from './unit-of-work.js';
import {
  assertFileAt,
  checkIfMatch,
  fileEvent,
  fileOf,
  lockTarget,
  metaChange,
  metaOf,
  requireEntry,
  requireProject,
  seenBy,
  trailers,
  validPath,
  type FileMeta,
} from './file-common.js';

/** Edit description / part number / custom fields: the lock holder or an admin; one commit, same revision. */
export async function updateMetadata(
  s: Services,
  slug: string,
  rawPath: string,
  actor: Actor,
  patch: UpdateFileRequest,
  ifMatch?: string,
): Promise<FileInfo> {
  return writeUnit(s, slug, async () => {
    const entry = await requireEntry(s, slug, rawPath);
    checkIfMatch(entry, ifMatch);
    const frozen = editRefusal(entry.state);
    if (frozen) throw conflict(`"${entry.path}" ${frozen}`);
    const lock = actor.role === 'admin' ? null : await findLock(s.db, slug, (await lockTarget(s, entry)).path_key);
    if (actor.role !== 'admin' && lock?.username !== actor.username) {
      throw new AppError(403, 'forbidden', 'check the file out first to edit its metadata (or ask an admin)');
    }
    const meta: FileMeta = {
      ...metaOf(entry),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.partNumber !== undefined ? { partNumber: patch.partNumber } : {}),
      ...(patch.fields !== undefined ? { fields: patch.fields } : {}),
      modifiedBy: actor.username,
      modifiedAt: nowIso(),
    };
    let published: FileInfo | null = null;
    await commitChange(
      s,
      slug,
      actor,
      {
        changes: [await metaChange(s, slug, entry.path, meta)],
        message: `Update metadata of ${entry.path}`,
        trailers: trailers('update', entry.path, entry.revision),
      },
      async (trx, commit) => {
        await assertFileAt(trx, s, entry);
        if (lock && !(await lockStillHeld(trx, s.dialect, lock))) throw await lockLost(trx, lock);
        await upsertFile(trx, {
          ...entry,
          commit_sha: commit,
          description: meta.description,
          part_number: meta.partNumber,
          fields_json: JSON.stringify(meta.fields),
          modified_at: meta.modifiedAt,
          modified_by: actor.username,
        });
        await appendAudit(trx, {
          username: actor.username,
          action: 'file.updated',
          project: slug,
          path: entry.path,
          revision: entry.revision,
          message: metadataChanges(metaOf(entry), meta),
        });
        const event = await fileEvent(trx, slug, 'file.updated', actor, entry.path, { revision: entry.revision });
        published = fileOf(event);
        return [event];
      },
    );
    return seenBy(s, slug, entry.path, published, actor);
  });
}

/** Admin only (checked by the route): a commit removing the file; its history stays in git. */
export async function deleteFile(s: Services, slug: string, rawPath: string, actor: Actor): Promise<void> {
  await writeUnit(s, slug, async () => {
    const entry = await requireEntry(s, slug, rawPath);
    const kept = deleteRefusal(entry.state);
    if (kept) throw conflict(`"${entry.path}" ${kept}`);
    const links = entry.link_target ? [] : await linksTo(s.db, slug, entry.path);
    if (links.length) throw conflict(`"${entry.path}" is the target of links (${links.join(', ')}); delete them first`);
    const changes = entry.link_target
      ? [{ op: 'delete' as const, path: metaPathFor(entry.path) }]
      : [
          { op: 'delete' as const, path: entry.path },
          { op: 'delete' as const, path: metaPathFor(entry.path) },
        ];
    await commitChange(
      s,
      slug,
      actor,
      { changes, message: `Delete ${entry.path}`, trailers: trailers('delete', entry.path, entry.revision) },
      async (trx) => {
        await assertFileAt(trx, s, entry);
        await deleteFileRow(trx, slug, entry.path_key);
        if (!entry.link_target) await releaseLock(trx, slug, entry.path_key);
        await appendAudit(trx, {
          username: actor.username,
          action: 'file.deleted',
          project: slug,
          path: entry.path,
          revision: entry.revision,
        });
        return [draft('file.deleted', { actor: actor.username, path: entry.path, file: null, revision: entry.revision })];
      },
    );
    await lockReleased(s, slug, entry.path_key, entry.waiting_json);
  });
}

/** A link: an entry pointing at another file of the project, listed with the target's status. */
export async function createLink(s: Services, slug: string, actor: Actor, rawPath: string, rawTarget: string): Promise<FileInfo> {
  await requireProject(s, slug);
  const path = validPath(s, rawPath);
  return writeUnit(s, slug, async () => {
    const target = await requireEntry(s, slug, rawTarget);
    if (target.link_target) throw badRequest('a link must point at a file, not at another link');
    const key = collisionKey(path);
    const existing = await findFile(s.db, slug, key);
    if (existing) throw conflict(`"${path}" already exists`);
    const meta: FileMeta = {
      revision: target.revision,
      description: `Link to ${target.path}`,
      partNumber: null,
      fields: {},
      modifiedBy: actor.username,
      modifiedAt: nowIso(),
      link: target.path,
    };
    const name = baseName(path);
    let published: FileInfo | null = null;
    await commitChange(
      s,
      slug,
      actor,
      {
        changes: [await metaChange(s, slug, path, meta)],
        message: `Link ${path} → ${target.path}`,
        trailers: trailers('link', path, target.revision),
      },
      async (trx, commit) => {
        if (!(await fileStillAt(trx, s.dialect, slug, key, null))) throw conflict(`"${path}" already exists`);
        await assertFileAt(trx, s, target);
        await upsertFile(trx, {
          ...NEW_ENTRY,
          project: slug,
          path,
          path_key: key,
          name,
          grp: groupOf(name),
          revision: target.revision,
          description: meta.description,
          part_number: null,
          fields_json: '{}',
          size: 0,
          blob_sha: '',
          commit_sha: commit,
          modified_at: meta.modifiedAt,
          modified_by: actor.username,
          link_target: target.path,
        });
        await appendAudit(trx, { username: actor.username, action: 'file.linked', project: slug, path, message: `→ ${target.path}` });
        const event = await fileEvent(trx, slug, 'file.uploaded', actor, path, { revision: target.revision });
        published = fileOf(event);
        return [event];
      },
    );
    return published!;
  });
}

/** "description: "old" → "new"; part number: … → 1234567": what the audit shows for an edit. */
export function metadataChanges(before: FileMeta, after: FileMeta): string {
  const show = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '—' : `“${v}”`);
  const out: string[] = [];
  if (before.description !== after.description) out.push(`description: ${show(before.description)} → ${show(after.description)}`);
  if ((before.partNumber ?? '') !== (after.partNumber ?? ''))
    out.push(`part number: ${show(before.partNumber)} → ${show(after.partNumber)}`);
  const keys = new Set([...Object.keys(before.fields), ...Object.keys(after.fields)]);
  for (const k of keys) {
    const a = before.fields[k];
    const b = after.fields[k];
    if (a !== b) out.push(`${k}: ${show(a)} → ${show(b)}`);
  }
  return out.length ? `metadata edited: ${out.join('; ')}` : 'metadata edited: nothing changed';
}
