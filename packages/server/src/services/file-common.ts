import type { FileInfo, ProjectEventMap } from '@lockstep/protocol';
import { PathError, collisionKey, metaPathFor, validateFilePath } from '../domain/paths.js';
import { asSeenBy } from '../domain/status.js';
import type { Db } from '../store/db.js';
import { findFile, getFileInfo, type FileRow } from '../store/files.js';
import { findProject } from '../store/projects.js';
import type { CommitInput, TreeChange } from '../vault/index.js';
import type { Actor, Services } from './context.js';
import { badRequest, notFound } from './errors.js';

/** Metadata versioned in git next to each file, at `.lockstep/<path>.json`. */
export interface FileMeta {
  revision: string;
  description: string;
  partNumber: string | null;
  fields: Record<string, string>;
  modifiedBy: string;
  modifiedAt: string;
  /** Set on link entries: the path of the file the link points at. */
  link?: string;
}

export async function requireProject(s: Services, slug: string) {
  const project = await findProject(s.db, slug);
  if (!project) throw notFound(`project "${slug}" not found`);
  return project;
}

export function validPath(s: Services, raw: string): string {
  try {
    return validateFilePath(raw, s.config.allowedExtensions);
  } catch (err) {
    if (err instanceof PathError) throw badRequest(`invalid path: ${err.message}`);
    throw err;
  }
}

/** Free text that ends up in commits (messages, descriptions): no control characters but tab and newline. */
export function plainText(label: string, value: string): string {
  if (/[^\P{Cc}\t\n\r]/u.test(value)) throw badRequest(`${label} contains control characters`);
  return value;
}

/** The index row of an existing entry; 404 when there is none. */
export async function requireEntry(s: Services, slug: string, rawPath: string): Promise<FileRow> {
  const path = validPath(s, rawPath);
  const row = await findFile(s.db, slug, collisionKey(path));
  if (row) return row; // a file row implies its project (foreign key)
  await requireProject(s, slug); // which 404: the project or the file?
  throw notFound(`file "${rawPath}" not found in project "${slug}"`);
}

/** For a link, the file it points at; otherwise the entry itself. Locks live on the target. */
export async function lockTarget(s: Services, entry: FileRow): Promise<FileRow> {
  if (!entry.link_target) return entry;
  const target = await findFile(s.db, entry.project, collisionKey(entry.link_target));
  if (!target) throw notFound(`link target "${entry.link_target}" no longer exists`);
  return target;
}

export const authorOf = (actor: Actor) => ({ name: actor.username, email: `${actor.username}@lockstep.local` });

export function metaOf(row: FileRow): FileMeta {
  const meta: FileMeta = {
    revision: row.revision,
    description: row.description,
    partNumber: row.part_number,
    fields: JSON.parse(row.fields_json) as Record<string, string>,
    modifiedBy: row.modified_by,
    modifiedAt: row.modified_at,
  };
  if (row.link_target) meta.link = row.link_target;
  return meta;
}

export async function metaChange(s: Services, slug: string, path: string, meta: FileMeta): Promise<TreeChange> {
  const blob = await s.vault.writeBlobBuffer(slug, `${JSON.stringify(meta, null, 2)}\n`);
  return { op: 'put', path: metaPathFor(path), blob };
}

/**
 * Commits to git, then records the result in the index in one SQL transaction. Both steps run in
 * the project's write queue so the index follows git's order. A crash between the two leaves git
 * ahead of the index, which start-up reconciliation rebuilds; locks are untouched by it.
 */
export async function commitAndIndex(
  s: Services,
  slug: string,
  actor: Actor,
  commit: Omit<CommitInput, 'author'>,
  index: (trx: Db, commitSha: string) => Promise<void>,
): Promise<string> {
  return s.projectWrites.run(slug, async () => {
    const { commit: sha } = await s.vault.commit(slug, { ...commit, author: authorOf(actor) });
    await s.db.transaction().execute(async (trx) => {
      await index(trx, sha);
      await trx.updateTable('projects').set({ head_commit: sha }).where('slug', '=', slug).execute();
    });
    return sha;
  });
}

export function trailers(action: string, path: string, revision: string): Record<string, string> {
  return { Revision: revision, 'Lockstep-Action': action, 'Lockstep-Path': path };
}

type FileEventType = {
  [K in keyof ProjectEventMap]: ProjectEventMap[K] extends { path: string; file: FileInfo | null } ? K : never;
}[keyof ProjectEventMap];

/**
 * Publishes a file event carrying the entry as it now is (viewer-neutral status): `file` when the
 * caller knows it already, read from the index otherwise.
 */
export async function publishFileEvent<K extends FileEventType>(
  s: Services,
  slug: string,
  type: K,
  actor: Actor,
  path: string,
  extra: Omit<ProjectEventMap[K], 'actor' | 'path' | 'file'>,
  known?: FileInfo,
): Promise<FileInfo | null> {
  const file = known ?? (await getFileInfo(s.db, slug, path, null)) ?? null;
  await s.bus.publish(slug, type, { actor: actor.username, path, file, ...extra } as ProjectEventMap[K]);
  return file;
}

/** The answer for `entryPath` as the actor sees it: the copy just published when it is the same entry. */
export async function seenBy(s: Services, slug: string, entryPath: string, published: FileInfo | null, actor: Actor): Promise<FileInfo> {
  if (published?.path === entryPath) return asSeenBy(published, actor.username);
  const info = await getFileInfo(s.db, slug, entryPath, actor.username);
  if (!info) throw notFound(`file "${entryPath}" not found in project "${slug}"`);
  return info;
}
