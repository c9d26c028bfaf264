/**
 * The revisions index (table `revisions`): one row per change of a file, written in the change's
 * own transaction and rebuilt from git (trailers) by the same function, so both agree.
 */
import type { Approval, FileState } from '@lockstep/protocol';
import { collisionKey, fileFromMetaPath, META_DIR } from '../domain/paths.js';
import { GIT_ATTRIBUTES } from '../domain/git-files.js';
import type { Db } from '../store/db.js';
import { insertRevisions, type RevisionRow } from '../store/revisions.js';

/** What a commit says about the files it changed. */
export interface CommitFacts {
  commit: string;
  author: string;
  date: string;
  message: string;
  trailers: Record<string, string>;
  /** Tree paths the commit touched (files and their `.lockstep/` metadata). */
  paths: string[];
}

/** Trailers of a lifecycle commit: the state the file is in after it, and a release's signatures. */
export function lifecycleTrailers(state: FileState, approvals?: Approval[]): Record<string, string> {
  return { 'Lockstep-State': state, ...(approvals ? { 'Lockstep-Approvals': JSON.stringify(approvals) } : {}) };
}

/**
 * The index rows of one commit. A Lockstep commit names its file (`Lockstep-Path`) or, for a push,
 * its files (`Lockstep-Revisions`: path → [revision, action]); any other commit (pushed by a git
 * client, imported from a remote) is a plain `commit` of every file it touched.
 */
export function revisionRowsOf(project: string, c: CommitFacts): RevisionRow[] {
  const row = (path: string, revision: string, action: string, state: FileState, approvals: string | null = null): RevisionRow => ({
    project,
    path_key: collisionKey(path),
    path,
    commit_sha: c.commit,
    revision,
    author: c.author,
    date: c.date,
    message: c.message,
    action,
    state,
    approvals_json: approvals,
  });
  const state = (c.trailers['Lockstep-State'] ?? 'wip') as FileState;
  const named = c.trailers['Lockstep-Path'];
  if (named)
    return [row(named, c.trailers['Revision'] ?? '', c.trailers['Lockstep-Action'] ?? 'commit', state, c.trailers['Lockstep-Approvals'])];
  const pushed = parsePushed(c.trailers['Lockstep-Revisions']);
  if (pushed) return Object.entries(pushed).map(([path, [revision, action]]) => row(path, revision, action, 'wip'));
  const files = new Set<string>();
  for (const p of c.paths) {
    if (p === GIT_ATTRIBUTES) continue;
    const file = p.startsWith(`${META_DIR}/`) ? fileFromMetaPath(p) : p;
    if (file) files.add(file);
  }
  return [...files].map((path) => row(path, '', 'commit', 'wip'));
}

function parsePushed(trailer: string | undefined): Record<string, [string, string]> | null {
  if (!trailer) return null;
  try {
    const value = JSON.parse(trailer) as Record<string, unknown>;
    const entries = Object.entries(value).filter(
      (e): e is [string, [string, string]] => Array.isArray(e[1]) && typeof e[1][0] === 'string' && typeof e[1][1] === 'string',
    );
    return Object.fromEntries(entries);
  } catch {
    return null;
  }
}

/** Writes the rows of `commits` (oldest first), inside the change's transaction. */
export async function recordRevisions(trx: Db, project: string, commits: CommitFacts[]): Promise<void> {
  await insertRevisions(
    trx,
    commits.flatMap((c) => revisionRowsOf(project, c)),
  );
}
