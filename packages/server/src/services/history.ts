import type { HistoryEntry } from '@lockstep/protocol';
import { metaPathFor } from '../domain/paths.js';
import { isRevisionLabel } from '../domain/revision.js';
import { findFile } from '../store/files.js';
import type { Services } from './context.js';
import { badRequest, notFound } from './errors.js';
import { requireProject, validPath } from './file-common.js';
import { collisionKey } from '../domain/paths.js';

/** Revisions of a file, newest first, read from git (deleted files keep their history). */
export async function fileHistory(s: Services, slug: string, rawPath: string): Promise<HistoryEntry[]> {
  await requireProject(s, slug);
  const path = await historyPath(s, slug, rawPath);
  const commits = await s.vault.log(slug, { paths: [path, metaPathFor(path)] });
  if (!commits.length) throw notFound(`file "${rawPath}" has no history in project "${slug}"`);
  return commits.map((c) => {
    // A git push of several files records each file's revision in one metadata commit.
    const pushed = pushedRevision(c.trailers['Lockstep-Revisions'], path);
    return {
      commit: c.commit,
      revision: pushed?.[0] ?? c.trailers['Revision'] ?? '',
      author: c.authorName,
      date: c.date,
      message: c.body.trim(),
      action: pushed?.[1] ?? c.trailers['Lockstep-Action'] ?? 'commit',
      state: 'wip' as const,
    };
  });
}

function pushedRevision(trailer: string | undefined, path: string): [string, string] | null {
  if (!trailer) return null;
  try {
    const entry = (JSON.parse(trailer) as Record<string, unknown>)[path];
    return Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'string' ? [entry[0], entry[1]] : null;
  } catch {
    return null;
  }
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

/** Content of the current revision, or of `rev`: a commit id or a revision label (newest commit with it). */
export async function fileContent(s: Services, slug: string, rawPath: string, rev?: string): Promise<Download> {
  await requireProject(s, slug);
  const path = await historyPath(s, slug, rawPath);
  const { commit, revision } = await resolveRevisionLabel(s, slug, path, rev);
  const blob = await s.vault.readBlob(slug, commit, path);
  if (!blob) throw notFound(`"${path}" does not exist at ${rev ?? 'the current revision'}`);
  return { ...blob, name: path.slice(path.lastIndexOf('/') + 1), commit, revision };
}

/**
 * The commit `rev` names for a file: none → the current one, a revision label → the newest
 * commit with it, else a commit id (4–64 hex digits, 400 otherwise). 404 when there is none.
 * `path` is a history path (see historyPath).
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
  let commit: string | null;
  let revision: string | null = null;
  if (!rev) {
    commit = await s.vault.head(slug);
  } else if (isRevisionLabel(rev, s.config.revisionScheme)) {
    const entry = (await fileHistory(s, slug, path)).find((h) => h.revision === rev && h.action !== 'delete');
    commit = entry?.commit ?? null;
    revision = rev;
    if (!commit) throw notFound(`revision ${rev} of "${path}" not found`);
  } else {
    if (!/^[0-9a-f]{4,64}$/i.test(rev)) throw badRequest('rev must be a commit id or a revision label');
    commit = await s.vault.resolveCommit(slug, rev);
    revision = (await fileHistory(s, slug, path)).find((h) => h.commit === commit)?.revision ?? null;
  }
  if (!commit) throw notFound(`revision "${rev ?? 'current'}" not found`);
  return { commit, revision };
}
