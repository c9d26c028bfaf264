import type { Approval, FileState, HistoryEntry } from '@lockstep/protocol';
import type { Db } from './db.js';
import { prepared } from './prepared.js';
import type { Database } from './schema.js';

export type RevisionRow = Omit<Database['revisions'], 'id'>;

const BATCH = 500;

/** Rows in the order the changes happened (history reads newest first by insertion order). */
export async function insertRevisions(db: Db, rows: RevisionRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH)
    await db
      .insertInto('revisions')
      .values(rows.slice(i, i + BATCH))
      .onConflict((oc) => oc.columns(['project', 'path_key', 'commit_sha']).doNothing())
      .execute();
}

const selectHistory = prepared((db, k: { project: string; pathKey: string }) =>
  db
    .selectFrom('revisions')
    .select(['commit_sha', 'revision', 'author', 'date', 'message', 'action', 'state', 'approvals_json'])
    .where('project', '=', k.project)
    .where('path_key', '=', k.pathKey)
    .orderBy('id', 'desc'),
);

/** A file's changes, newest first (deleted files keep theirs). */
export async function revisionsOf(db: Db, project: string, pathKey: string): Promise<HistoryEntry[]> {
  const rows = await selectHistory.all(db, { project, pathKey });
  return rows.map((r) => {
    const entry: HistoryEntry = {
      commit: r.commit_sha,
      revision: r.revision,
      author: r.author,
      date: r.date,
      message: r.message,
      action: r.action,
      state: r.state,
    };
    if (r.approvals_json) entry.approvals = JSON.parse(r.approvals_json) as Approval[];
    return entry;
  });
}

const selectByLabel = prepared((db, k: { project: string; pathKey: string; revision: string }) =>
  db
    .selectFrom('revisions')
    .select('commit_sha')
    .where('project', '=', k.project)
    .where('path_key', '=', k.pathKey)
    .where('revision', '=', k.revision)
    .where('action', '<>', 'delete')
    .orderBy('id', 'desc')
    .limit(1),
);

/** The newest commit of the file carrying revision label `revision` (deletes excluded). */
export async function commitOfRevision(db: Db, project: string, pathKey: string, revision: string): Promise<string | null> {
  return (await selectByLabel.first(db, { project, pathKey, revision }))?.commit_sha ?? null;
}

const selectByCommit = prepared((db, k: { project: string; pathKey: string; commit: string }) =>
  db
    .selectFrom('revisions')
    .select(['revision', 'state'])
    .where('project', '=', k.project)
    .where('path_key', '=', k.pathKey)
    .where('commit_sha', '=', k.commit)
    .limit(1),
);

/** The file's revision label and state at one of its own commits (null: that commit did not change it). */
export async function revisionAtCommit(
  db: Db,
  project: string,
  pathKey: string,
  commit: string,
): Promise<{ revision: string; state: FileState } | null> {
  return (await selectByCommit.first(db, { project, pathKey, commit })) ?? null;
}

export async function deleteProjectRevisions(db: Db, project: string): Promise<void> {
  await db.deleteFrom('revisions').where('project', '=', project).execute();
}

/** Whether the project's revisions index has been written (data from before it existed has none). */
export async function hasRevisions(db: Db, project: string): Promise<boolean> {
  return !!(await db.selectFrom('revisions').select('id').where('project', '=', project).limit(1).executeTakeFirst());
}
