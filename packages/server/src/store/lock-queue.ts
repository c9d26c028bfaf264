import type { Db, Dialect } from './db.js';
import { prepared } from './prepared.js';

/** A file's lock queue as stored on its row (files.waiting_json, files.waiting_notified_at). */
export interface QueueRow {
  project: string;
  path_key: string;
  path: string;
  waiting_json: string;
  waiting_notified_at: string | null;
}

export const waitersOf = (row: Pick<QueueRow, 'waiting_json'>): string[] => JSON.parse(row.waiting_json) as string[];

const queueColumns = ['project', 'path_key', 'path', 'waiting_json', 'waiting_notified_at'] as const;

/** The queue as the transaction sees it (undefined: no such file); on PostgreSQL the row stays locked until commit. */
export async function readQueue(trx: Db, dialect: Dialect, project: string, pathKey: string): Promise<QueueRow | undefined> {
  const q = trx.selectFrom('files').select(queueColumns).where('project', '=', project).where('path_key', '=', pathKey);
  return (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
}

const selectWaiting = prepared((db, k: { project: string; pathKey: string }) =>
  db.selectFrom('files').select('waiting_json').where('project', '=', k.project).where('path_key', '=', k.pathKey),
);

/** Whether anyone waits for the file (a plain read: every release asks it). */
export async function hasWaiters(db: Db, project: string, pathKey: string): Promise<boolean> {
  const row = await selectWaiting.first(db, { project, pathKey });
  return row !== undefined && row.waiting_json !== '[]';
}

export async function writeQueue(trx: Db, project: string, pathKey: string, waiting: string[], notifiedAt: string | null): Promise<void> {
  await trx
    .updateTable('files')
    .set({ waiting_json: JSON.stringify(waiting), waiting_notified_at: notifiedAt })
    .where('project', '=', project)
    .where('path_key', '=', pathKey)
    .execute();
}

/** Every file someone waits for, with its lock holder (null: free): what the queue sweeper looks at. */
export async function queuedFiles(db: Db): Promise<Array<QueueRow & { holder: string | null }>> {
  return db
    .selectFrom('files as f')
    .leftJoin('locks as l', (j) => j.onRef('l.project', '=', 'f.project').onRef('l.path_key', '=', 'f.path_key'))
    .select(['f.project', 'f.path_key', 'f.path', 'f.waiting_json', 'f.waiting_notified_at', 'l.username as holder'])
    .where('f.waiting_json', '!=', '[]')
    .orderBy('f.project')
    .orderBy('f.path_key')
    .execute();
}
