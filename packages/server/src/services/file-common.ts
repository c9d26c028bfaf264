import type { FileInfo, FileState, ProjectEventMap, Review } from '@lockstep/protocol';
import { PathError, collisionKey, metaPathFor, validateFilePath } from '../domain/paths.js';
import { asSeenBy } from '../domain/status.js';
import type { Db } from '../store/db.js';
import { fileCommitNow, findFile, getFileInfo, type FileRow } from '../store/files.js';
import { findProject } from '../store/projects.js';
import { draft, type EventDraft } from '../events/index.js';
import type { TreeChange } from '../vault/index.js';
import type { Actor, Services } from './context.js';
import { badRequest, notFound, staleCommit } from './errors.js';

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
  /** Release lifecycle (absent in metadata written before it: wip). */
  state?: FileState;
  review?: Review;
  /** The released revision; its commit is the tag `released/<path>/<revision>`. */
  released?: { revision: string; at: string; by: string };
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
  else meta.state = row.state;
  if (row.review_json) meta.review = JSON.parse(row.review_json) as Review;
  if (row.released_revision) meta.released = { revision: row.released_revision, at: row.released_at ?? '', by: row.released_by ?? '' };
  return meta;
}

export async function metaChange(s: Services, slug: string, path: string, meta: FileMeta): Promise<TreeChange> {
  const blob = await s.vault.writeBlobBuffer(slug, `${JSON.stringify(meta, null, 2)}\n`);
  return { op: 'put', path: metaPathFor(path), blob };
}

export function trailers(action: string, path: string, revision: string): Record<string, string> {
  return { Revision: revision, 'Lockstep-Action': action, 'Lockstep-Path': path };
}

type FileEventType = {
  [K in keyof ProjectEventMap]: ProjectEventMap[K] extends { path: string; file: FileInfo | null } ? K : never;
}[keyof ProjectEventMap];

/**
 * The draft of a file event carrying the entry as it now is (viewer-neutral status): `known` when
 * the caller has it, else read inside the change's transaction, after its writes.
 */
export async function fileEvent<K extends FileEventType>(
  trx: Db,
  slug: string,
  type: K,
  actor: Actor,
  path: string,
  extra: Omit<ProjectEventMap[K], 'actor' | 'path' | 'file'>,
  known?: FileInfo,
): Promise<EventDraft> {
  const file = known ?? (await getFileInfo(trx, slug, path, null)) ?? null;
  return draft(type, { actor: actor.username, path, file, ...extra } as ProjectEventMap[K]);
}

/** The file in a file event draft (what the change's answer is built from). */
export const fileOf = (event: EventDraft): FileInfo | null => (event.data as { file?: FileInfo | null }).file ?? null;

/** Inside a unit's transaction: the entry is still at the commit the unit read, else 409 with the commit it is at now. */
export async function assertFileAt(trx: Db, s: Services, entry: FileRow): Promise<void> {
  const now = await fileCommitNow(trx, s.dialect, entry.project, entry.path_key);
  if (now !== entry.commit_sha) throw staleCommit(entry.path, now ?? '(deleted)');
}

/** `If-Match: <commit>` from the client: 409 when the file moved on since it looked. */
export function checkIfMatch(entry: FileRow, ifMatch: string | undefined): void {
  if (ifMatch !== undefined && ifMatch !== entry.commit_sha) throw staleCommit(entry.path, entry.commit_sha);
}

/** The answer for `entryPath` as the actor sees it: the copy just published when it is the same entry. */
export async function seenBy(s: Services, slug: string, entryPath: string, published: FileInfo | null, actor: Actor): Promise<FileInfo> {
  if (published?.path === entryPath) return asSeenBy(published, actor.username);
  const info = await getFileInfo(s.db, slug, entryPath, actor.username);
  if (!info) throw notFound(`file "${entryPath}" not found in project "${slug}"`);
  return info;
}
