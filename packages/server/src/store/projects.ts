import type { Project } from '@lockstep/protocol';
import type { Db } from './db.js';
import { prepared } from './prepared.js';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Database } from './schema.js';

type ProjectRow = Selectable<Database['projects']>;

export async function findProject(db: Db, slug: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('slug', '=', slug).executeTakeFirst();
}

const selectHead = prepared((db, k: { slug: string }) => db.selectFrom('projects').select('head_commit').where('slug', '=', k.slug));

/**
 * The commit the project's index was last brought to (null: none yet, or no such project). The
 * revisions index is complete up to it: it is recorded in the transaction that indexes a commit.
 */
export async function recordedHead(db: Db, slug: string): Promise<string | null> {
  return (await selectHead.first(db, { slug }))?.head_commit ?? null;
}

const withCounts = (db: Db) =>
  db
    .selectFrom('projects as p')
    .selectAll('p')
    .select((eb) => [
      eb.selectFrom('files').whereRef('files.project', '=', 'p.slug').select(eb.fn.countAll().as('n')).as('file_count'),
      eb.selectFrom('locks').whereRef('locks.project', '=', 'p.slug').select(eb.fn.countAll().as('n')).as('lock_count'),
    ]);

/** A count is a bigint on PostgreSQL; Number() reads it whichever way the driver hands it over. */
type Count = number | string | bigint | null;

function toProject(r: ProjectRow & { file_count: Count; lock_count: Count }): Project {
  return {
    slug: r.slug,
    name: r.name,
    description: r.description,
    createdAt: r.created_at,
    fileCount: Number(r.file_count ?? 0),
    lockCount: Number(r.lock_count ?? 0),
    remoteUrl: r.remote_url,
    sync: { state: r.sync_state, lastSyncAt: r.last_sync_at, lastError: r.sync_error },
    status: { state: r.status, error: r.status_error },
    approvalsRequired: r.approvals_required,
  };
}

export async function listProjects(db: Db): Promise<Project[]> {
  const rows = await withCounts(db).orderBy('p.slug').execute();
  return rows.map(toProject);
}

export async function getProject(db: Db, slug: string): Promise<Project | undefined> {
  const row = await withCounts(db).where('p.slug', '=', slug).executeTakeFirst();
  return row && toProject(row);
}

/** The columns of a new project besides its slug, name and creation time: no commits, no remote, never synced. */
export const NEW_PROJECT = {
  description: '',
  head_commit: null,
  remote_url: null,
  remote_secret: null,
  sync_state: 'idle',
  sync_error: null,
  last_sync_at: null,
} as const satisfies Partial<Insertable<Database['projects']>>;

export async function insertProject(db: Db, row: Insertable<Database['projects']>): Promise<void> {
  await db.insertInto('projects').values(row).execute();
}

export async function updateProjectRow(db: Db, slug: string, patch: Updateable<Database['projects']>): Promise<void> {
  await db.updateTable('projects').set(patch).where('slug', '=', slug).execute();
}

export async function deleteProjectRows(db: Db, slug: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('locks').where('project', '=', slug).execute();
    await trx.deleteFrom('files').where('project', '=', slug).execute();
    await trx.deleteFrom('revisions').where('project', '=', slug).execute();
    await trx.deleteFrom('projects').where('slug', '=', slug).execute();
  });
}

/** Records a project's new head, only if it still is `parent` (what the unit committed on). */
export async function advanceHead(trx: Db, slug: string, parent: string | null, head: string): Promise<boolean> {
  const r = await trx
    .updateTable('projects')
    .set({ head_commit: head })
    .where('slug', '=', slug)
    .where((eb) => (parent === null ? eb('head_commit', 'is', null) : eb('head_commit', '=', parent)))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Marks whether the project's index could be rebuilt from git (start-up reconcile). */
export async function setProjectStatus(db: Db, slug: string, error: string | null): Promise<void> {
  await db
    .updateTable('projects')
    .set({ status: error ? 'failed' : 'ok', status_error: error })
    .where('slug', '=', slug)
    .execute();
}
