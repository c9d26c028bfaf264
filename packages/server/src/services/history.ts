import type { HistoryEntry } from '@lockstep/protocol';
import { isRevisionLabel } from '../domain/revision.js';
import { findFile } from '../store/files.js';
import { recordedHead } from '../store/projects.js';
import { commitOfRevision, revisionAtCommit, revisionsOf } from '../store/revisions.js';
import type { Actor, Services } from './context.js';
import { badRequest, notFound } from './errors.js';
import { requireProject, validPath } from './file-common.js';
import { collisionKey } from '../domain/paths.js';

/** Revisions of a file, newest first, from the revisions index (deleted files keep their history). */
export async function fileHistory(s: Services, slug: string, rawPath: string): Promise<HistoryEntry[]> {
  await requireProject(s, slug);
  const path = await historyPath(s, slug, rawPath);
  const entries = await revisionsOf(s.db, slug, collisionKey(path));
  if (!entries.length) throw notFound(`file "${rawPath}" has no history in project "${slug}"`);
  return entries;
}

/** For a link, history and content are the target's; a deleted path still has its history. */
export async function historyPath(s: Services, slug: string, rawPath: string): Promise<string> {
  const path = validPath(s, rawPath);
  const row = await findFile(s.db, slug, collisionKey(path));
  return row?.link_target ?? row?.path ?? path;
}

export interface Download {
  stream: NodeJS.ReadableStream;
  size: number;
  sha: string;
  name: string;
  commit: string;
  /** The revision label when an old revision was asked for: the download name carries it. */
  revision: string | null;
}

/**
 * Content of the current revision, or of `rev` (a commit id, a revision label, or `released`).
 * The shop floor (viewers) gets the released revision unless it asks for another.
 */
export async function fileContent(s: Services, slug: string, rawPath: string, actor: Actor, rev?: string): Promise<Download> {
  await requireProject(s, slug);
  const path = await historyPath(s, slug, rawPath);
  const { commit, revision } = await resolveRevisionLabel(s, slug, path, rev ?? (actor.role === 'viewer' ? 'released' : undefined));
  const blob = await s.vault.readBlob(slug, commit, path);
  if (!blob) throw notFound(`"${path}" does not exist at ${rev ?? 'the current revision'}`);
  return { ...blob, name: path.slice(path.lastIndexOf('/') + 1), commit, revision };
}

/**
 * The commit `rev` names for a file: none → the current one, `released` → the released revision,
 * a revision label → the newest commit with it, else a commit id (4–64 hex digits, 400 otherwise).
 * 404 when there is none. `path` is a history path (see historyPath).
 */
export async function resolveRevision(s: Services, slug: string, path: string, rev?: string): Promise<string> {
  return (await resolveRevisionLabel(s, slug, path, rev)).commit;
}

/** resolveRevision, with the revision label the commit carries (null for the current one, or when unknown). */
export async function resolveRevisionLabel(
  s: Services,
  slug: string,
  path: string,
  rev?: string,
): Promise<{ commit: string; revision: string | null }> {
  const key = collisionKey(path);
  if (!rev) {
    // The head the index describes (no git process per download); git's only before the first index.
    const commit = (await recordedHead(s.db, slug)) ?? (await s.vault.head(slug));
    if (!commit) throw notFound(`"${path}" has no revisions`);
    return { commit, revision: null };
  }
  if (rev === 'released') {
    const row = await findFile(s.db, slug, key);
    if (!row?.released_commit || !row.released_revision)
      throw notFound(`"${path}" has no released revision yet; ask for it to be released, or for ?rev= a revision`);
    return { commit: row.released_commit, revision: row.released_revision };
  }
  if (isRevisionLabel(rev, s.config.revisionScheme)) {
    const commit = await commitOfRevision(s.db, slug, key, rev);
    if (!commit) throw notFound(`revision ${rev} of "${path}" not found`);
    return { commit, revision: rev };
  }
  if (!/^[0-9a-f]{4,64}$/i.test(rev)) throw badRequest('rev must be a commit id, a revision label or "released"');
  const commit = await s.vault.resolveCommit(slug, rev);
  if (!commit) throw notFound(`revision "${rev}" not found`);
  return { commit, revision: (await revisionAtCommit(s.db, slug, key, commit))?.revision ?? null };
}
