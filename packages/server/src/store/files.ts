import type { FileInfo, FileSort, FileStatus, GroupSummary } from '@lockstep/protocol';
import { sql } from 'kysely';
import { collisionKey } from '../domain/paths.js';
import { statusFor } from '../domain/status.js';
import type { Db } from './db.js';
import { prepared } from './prepared.js';
import type { Database } from './schema.js';

export type FileRow = Database['files'];

const selectFile = prepared((db, k: { project: string; pathKey: string }) =>
  db.selectFrom('files').selectAll().where('project', '=', k.project).where('path_key', '=', k.pathKey),
);

export async function findFile(db: Db, project: string, pathKey: string): Promise<FileRow | undefined> {
  return selectFile.first(db, { project, pathKey });
}

/** Inserts or replaces the index row of one file. */
export async function upsertFile(db: Db, row: FileRow): Promise<void> {
  await db
    .insertInto('files')
    .values(row)
    .onConflict((oc) => oc.columns(['project', 'path_key']).doUpdateSet({ ...row }))
    .execute();
}

export async function deleteFileRow(db: Db, project: string, pathKey: string): Promise<void> {
  await db.deleteFrom('files').where('project', '=', project).where('path_key', '=', pathKey).execute();
}

/** Links pointing at a file (so a check-out of the target can be announced for them too). */
export async function linksTo(db: Db, project: string, target: string): Promise<string[]> {
  const rows = await db.selectFrom('files').select('path').where('project', '=', project).where('link_target', '=', target).execute();
  return rows.map((r) => r.path);
}

export interface ListFilter {
  q?: string;
  group?: string;
  status?: FileStatus;
  sort?: FileSort;
  limit: number;
  /** Opaque, from a previous page's nextCursor. */
  cursor?: string;
  /** Only these entries (by collision key: the primary key, so a lookup is an index seek). */
  pathKeys?: string[];
}

/** The listing joins each entry with its link target and the lock (of the target, for links). */
function baseQuery(db: Db, project: string) {
  return db
    .selectFrom('files as f')
    .leftJoin('files as t', (j) => j.onRef('t.project', '=', 'f.project').onRef('t.path', '=', 'f.link_target'))
    .leftJoin('locks as l', (j) =>
      j.onRef('l.project', '=', 'f.project').on(sql`l.path_key`, '=', sql`coalesce(t.path_key, f.path_key)`),
    )
    .where('f.project', '=', project);
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function filtered(db: Db, project: string, viewer: string, f: Omit<ListFilter, 'limit' | 'offset'>) {
  let q = baseQuery(db, project);
  if (f.pathKeys) q = q.where('f.path_key', 'in', f.pathKeys.length ? f.pathKeys : ['']);
  if (f.group) q = q.where('f.grp', '=', f.group);
  if (f.q) {
    const pattern = `%${escapeLike(f.q.toLowerCase())}%`;
    q = q.where((eb) =>
      eb.or([
        eb(sql`lower(f.path)`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(f.description)`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(coalesce(f.part_number, ''))`, 'like', sql`${pattern} escape '\\'`),
      ]),
    );
  }
  if (f.status === 'available') q = q.where('l.username', 'is', null);
  if (f.status === 'checked_out_by_me') q = q.where('l.username', '=', viewer);
  if (f.status === 'locked') q = q.where('l.username', 'is not', null).where('l.username', '<>', viewer);
  return q;
}

function ordered<Q extends { orderBy: (...a: any[]) => Q }>(q: Q, sort: FileSort | undefined): Q {
  switch (sort ?? 'group') {
    case 'name':
      return q.orderBy('f.name').orderBy('f.path');
    case 'path':
      return q.orderBy('f.path');
    case 'modified':
      return q.orderBy('f.modified_at').orderBy('f.path');
    case '-modified':
      return q.orderBy('f.modified_at', 'desc').orderBy('f.path');
    case 'revision':
      return q.orderBy(sql`length(coalesce(t.revision, f.revision))`, 'desc').orderBy(sql`coalesce(t.revision, f.revision)`, 'desc').orderBy('f.path');
    case 'status':
      return q.orderBy(sql`l.username is null`).orderBy('f.path');
    default:
      return q.orderBy('f.grp').orderBy('f.path');
  }
}

const listedColumns = [
  'f.path', 'f.name', 'f.grp', 'f.link_target',
  sql<string>`coalesce(t.revision, f.revision)`.as('revision'),
  'f.description', 'f.part_number', 'f.fields_json',
  sql<number>`coalesce(t.size, f.size)`.as('size'),
  sql<string>`coalesce(t.modified_at, f.modified_at)`.as('modified_at'),
  sql<string>`coalesce(t.modified_by, f.modified_by)`.as('modified_by'),
  sql<string>`coalesce(t.commit_sha, f.commit_sha)`.as('commit_sha'),
  'l.username as lock_user', 'l.locked_at', 'l.message as lock_message',
] as const;

/**
 * Sorts on plain columns page by key ("after this row"), so the last page costs what the first
 * does; the others fall back to an offset. The first page's total travels in the cursor.
 */
const KEYSET: Partial<Record<FileSort, readonly ('f.grp' | 'f.name' | 'f.path')[]>> = {
  group: ['f.grp', 'f.path'],
  name: ['f.name', 'f.path'],
  path: ['f.path'],
};

interface Cursor {
  total: number;
  after?: string[];
  offset?: number;
}

export class CursorError extends Error {}

function decodeCursor(raw: string, keys: number): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString()) as Cursor;
    const okTotal = Number.isInteger(c.total) && c.total >= 0;
    const okAfter = c.after === undefined || (Array.isArray(c.after) && c.after.length === keys && c.after.every((v) => typeof v === 'string'));
    const okOffset = c.offset === undefined || (Number.isInteger(c.offset) && c.offset >= 0);
    if (okTotal && okAfter && okOffset && (c.after === undefined) !== (c.offset === undefined)) return c;
  } catch {
    /* fall through */
  }
  throw new CursorError('invalid cursor');
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

export async function listFiles(
  db: Db,
  project: string,
  viewer: string,
  f: ListFilter,
): Promise<{ items: FileInfo[]; total: number; nextCursor: string | null }> {
  const sort = f.sort ?? 'group';
  const keys = KEYSET[sort];
  const cursor = f.cursor ? decodeCursor(f.cursor, keys?.length ?? 0) : null;
  if (cursor && !keys !== (cursor.after === undefined)) throw new CursorError('cursor does not match the sort');
  let q = filtered(db, project, viewer, f);
  if (keys && cursor?.after) {
    const columns = sql.join(keys.map((k) => sql.ref(k)));
    q = q.where(sql<boolean>`(${columns}) > (${sql.join(cursor.after)})`);
  }
  let rowsQuery = ordered(q.select(listedColumns), sort).limit(f.limit + 1);
  if (!keys && cursor?.offset) rowsQuery = rowsQuery.offset(cursor.offset);
  const [rows, total] = await Promise.all([
    rowsQuery.execute(),
    cursor ? cursor.total : filtered(db, project, viewer, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n)),
  ]);
  const page = rows.slice(0, f.limit);
  let nextCursor: string | null = null;
  if (rows.length > f.limit) {
    const last = page[page.length - 1]!;
    const keyOf: Record<string, string> = { 'f.grp': last.grp, 'f.name': last.name, 'f.path': last.path };
    nextCursor = encodeCursor(keys ? { total, after: keys.map((k) => keyOf[k]!) } : { total, offset: (cursor?.offset ?? 0) + page.length });
  }
  return { items: page.map((r) => toFileInfo(r, viewer)), total, nextCursor };
}

export interface ListedRow {
  path: string;
  name: string;
  grp: string;
  link_target: string | null;
  revision: string;
  description: string;
  part_number: string | null;
  fields_json: string;
  size: number;
  modified_at: string;
  modified_by: string;
  commit_sha: string;
  lock_user: string | null;
  locked_at: string | null;
  lock_message: string | null;
}

export function toFileInfo(r: ListedRow, viewer: string | null): FileInfo {
  const info: FileInfo = {
    path: r.path,
    name: r.name,
    group: r.grp,
    status: statusFor(r.lock_user, viewer),
    lockedBy: r.lock_user,
    lockedAt: r.locked_at,
    lockMessage: r.lock_user ? r.lock_message ?? '' : null,
    revision: r.revision,
    description: r.description,
    partNumber: r.part_number,
    fields: JSON.parse(r.fields_json) as Record<string, string>,
    size: Number(r.size),
    modifiedAt: r.modified_at,
    modifiedBy: r.modified_by,
    commit: r.commit_sha,
  };
  if (r.link_target) info.link = r.link_target;
  return info;
}

const selectEntry = prepared((db, k: { project: string; pathKey: string }) =>
  baseQuery(db, k.project).where('f.path_key', '=', k.pathKey).select(listedColumns),
);

/** One entry as `viewer` sees it (null: as nobody in particular, for events). */
export async function getFileInfo(db: Db, project: string, path: string, viewer: string | null): Promise<FileInfo | undefined> {
  const row = await selectEntry.first(db, { project, pathKey: collisionKey(path) });
  return row && toFileInfo(row, viewer);
}

/**
 * The view of a plain (non-link) entry from its index row and its lock, without a query: what a
 * check-out or cancel knows once its own transaction has committed.
 */
export function fileInfoOf(row: FileRow, lock: { username: string; locked_at: string; message: string } | null, viewer: string | null): FileInfo {
  return toFileInfo({ ...row, lock_user: lock?.username ?? null, locked_at: lock?.locked_at ?? null, lock_message: lock?.message ?? null }, viewer);
}

export async function listGroups(db: Db, project: string): Promise<GroupSummary[]> {
  const rows = await baseQuery(db, project)
    .select(['f.grp', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.count<number>('l.username').as('locked')])
    .groupBy('f.grp')
    .orderBy('f.grp')
    .execute();
  return rows.map((r) => ({ group: r.grp, count: Number(r.n), locked: Number(r.locked) }));
}
