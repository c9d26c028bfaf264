import type { FileInfo, FileSort, FileState, FileStatus, GroupSummary, Review } from '@lockstep/protocol';
import { sql } from 'kysely';
import { collisionKey } from '../domain/paths.js';
import { statusFor } from '../domain/status.js';
import type { Db, Dialect } from './db.js';
import { prepared } from './prepared.js';
import type { Database } from './schema.js';

export type FileRow = Database['files'];

const selectFile = prepared((db, k: { project: string; pathKey: string }) =>
  db.selectFrom('files').selectAll().where('project', '=', k.project).where('path_key', '=', k.pathKey),
);

export async function findFile(db: Db, project: string, pathKey: string): Promise<FileRow | undefined> {
  return selectFile.first(db, { project, pathKey });
}

/** The lifecycle and queue columns of a new entry. */
export const NEW_ENTRY = {
  state: 'wip',
  released_revision: null,
  released_commit: null,
  released_at: null,
  released_by: null,
  review_json: null,
  waiting_json: '[]',
  waiting_notified_at: null,
} as const satisfies Partial<FileRow>;

/**
 * Inserts or replaces the index row of one file. The lock queue is not the change's: it is kept
 * as it is now (joins and leaves are their own transactions, see services/lock-queue.ts).
 */
export async function upsertFile(db: Db, row: FileRow): Promise<void> {
  const { waiting_json: _w, waiting_notified_at: _n, ...changed } = row;
  await db
    .insertInto('files')
    .values(row)
    .onConflict((oc) => oc.columns(['project', 'path_key']).doUpdateSet(changed))
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
  state?: FileState;
  sort?: FileSort;
  limit: number;
  /** Opaque, from a previous page's nextCursor. */
  cursor?: string;
}

/** The listing joins each entry with its link target and the lock (of the target, for links). */
function joinedEntries(db: Db) {
  return db
    .selectFrom('files as f')
    .leftJoin('files as t', (j) => j.onRef('t.project', '=', 'f.project').onRef('t.path', '=', 'f.link_target'))
    .leftJoin('locks as l', (j) => j.onRef('l.project', '=', 'f.project').on(sql`l.path_key`, '=', sql`coalesce(t.path_key, f.path_key)`));
}

const baseQuery = (db: Db, project: string) => joinedEntries(db).where('f.project', '=', project);

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The filters on the entry itself (not on its lock), as SQL on the alias `f`. */
function entryConditions(f: Omit<ListFilter, 'limit' | 'offset'>) {
  const conditions = [];
  if (f.group) conditions.push(sql<boolean>`f.grp = ${f.group}`);
  if (f.q) {
    const pattern = `%${escapeLike(f.q.toLowerCase())}%`;
    conditions.push(
      sql<boolean>`(lower(f.path) like ${pattern} escape '\\' or lower(f.description) like ${pattern} escape '\\' or lower(coalesce(f.part_number, '')) like ${pattern} escape '\\')`,
    );
  }
  return conditions.length ? sql<boolean>`${sql.join(conditions, sql` and `)}` : sql<boolean>`true`;
}

function filtered(db: Db, project: string, viewer: string, f: Omit<ListFilter, 'limit' | 'offset'>) {
  let q = baseQuery(db, project).where(entryConditions(f));
  if (f.status === 'available') q = q.where('l.username', 'is', null);
  if (f.status === 'checked_out_by_me') q = q.where('l.username', '=', viewer);
  if (f.status === 'locked') q = q.where('l.username', 'is not', null).where('l.username', '<>', viewer);
  if (f.state) q = q.where(sql<boolean>`coalesce(t.state, f.state) = ${f.state}`);
  return q;
}

/** How many entries match; the joins matter only to a status filter (each entry has at most one lock). */
async function countFiles(db: Db, project: string, viewer: string, f: Omit<ListFilter, 'limit' | 'offset'>): Promise<number> {
  const q =
    f.status || f.state
      ? filtered(db, project, viewer, f)
      : db.selectFrom('files as f').where('f.project', '=', project).where(entryConditions(f));
  const row = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any query with Kysely's (overloaded, generic) orderBy
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
      return q
        .orderBy(sql`length(coalesce(t.revision, f.revision))`, 'desc')
        .orderBy(sql`coalesce(t.revision, f.revision)`, 'desc')
        .orderBy('f.path');
    case 'status':
      return q.orderBy(sql`l.username is null`).orderBy('f.path');
    default:
      return q.orderBy('f.grp').orderBy('f.path');
  }
}

/** A nullable lifecycle column of the entry, or of its target for a link (lifecycle, like locks, lives on the target). */
const targets = (column: 'released_revision' | 'released_at' | 'released_by' | 'review_json' | 'waiting_json') =>
  sql<string | null>`case when f.link_target is null then ${sql.ref(`f.${column}`)} else ${sql.ref(`t.${column}`)} end`;

const listedColumns = [
  'f.path',
  'f.name',
  'f.grp',
  'f.link_target',
  sql<string>`coalesce(t.revision, f.revision)`.as('revision'),
  'f.description',
  'f.part_number',
  'f.fields_json',
  sql<number>`coalesce(t.size, f.size)`.as('size'),
  sql<string>`coalesce(t.modified_at, f.modified_at)`.as('modified_at'),
  sql<string>`coalesce(t.modified_by, f.modified_by)`.as('modified_by'),
  sql<string>`coalesce(t.commit_sha, f.commit_sha)`.as('commit_sha'),
  'l.username as lock_user',
  'l.locked_at',
  'l.message as lock_message',
  sql<FileState>`coalesce(t.state, f.state)`.as('state'),
  ...(['released_revision', 'released_at', 'released_by', 'review_json'] as const).map((c) => targets(c).as(c)),
  targets('waiting_json').as('waiting_json'),
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
    const okAfter =
      c.after === undefined || (Array.isArray(c.after) && c.after.length === keys && c.after.every((v) => typeof v === 'string'));
    const okOffset = c.offset === undefined || (Number.isInteger(c.offset) && c.offset >= 0);
    if (okTotal && okAfter && okOffset && (c.after === undefined) !== (c.offset === undefined)) return c;
  } catch {
    /* fall through */
  }
  throw new CursorError('invalid cursor');
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/**
 * One page of the listing. Each entry arrives as the JSON text of its FileInfo, built by the
 * database (see entryJson): the route splices the texts into the response body, so a 5,000-entry
 * page creates no JavaScript object per entry and is never serialised again.
 */
export async function listFiles(
  db: Db,
  dialect: Dialect,
  project: string,
  viewer: string,
  f: ListFilter,
): Promise<{ items: string[]; total: number; nextCursor: string | null }> {
  const sort = f.sort ?? 'group';
  const keys = KEYSET[sort];
  const cursor = f.cursor ? decodeCursor(f.cursor, keys?.length ?? 0) : null;
  if (cursor && !keys !== (cursor.after === undefined)) throw new CursorError('cursor does not match the sort');
  let q = filtered(db, project, viewer, f);
  if (keys && cursor?.after) {
    const columns = sql.join(keys.map((k) => sql.ref(k)));
    q = q.where(sql<boolean>`(${columns}) > (${sql.join(cursor.after)})`);
  }
  let rowsQuery = ordered(q.select(['f.grp', 'f.name', 'f.path', entryJson(dialect, viewer).as('json')]), sort).limit(f.limit + 1);
  if (!keys && cursor?.offset) rowsQuery = rowsQuery.offset(cursor.offset);
  const [rows, total] = await Promise.all([rowsQuery.execute(), cursor ? cursor.total : countFiles(db, project, viewer, f)]);
  const page = rows.slice(0, f.limit);
  let nextCursor: string | null = null;
  if (rows.length > f.limit) {
    const last = page[page.length - 1]!;
    const keyOf: Record<string, string> = { 'f.grp': last.grp, 'f.name': last.name, 'f.path': last.path };
    nextCursor = encodeCursor(keys ? { total, after: keys.map((k) => keyOf[k]!) } : { total, offset: (cursor?.offset ?? 0) + page.length });
  }
  return { items: page.map((r) => r.json), total, nextCursor };
}

/**
 * The FileInfo of a listed row (baseQuery's joins) as JSON text, made by the database's own JSON
 * functions: the same fields, in the same order, as toFileInfo. `link` is present on links only.
 */
function entryJson(dialect: Dialect, viewer: string) {
  const lockUser = sql.ref('l.username');
  const fields = (withLink: boolean) =>
    sql.join([
      sql.lit('path'),
      sql.ref('f.path'),
      sql.lit('name'),
      sql.ref('f.name'),
      sql.lit('group'),
      sql.ref('f.grp'),
      sql.lit('status'),
      sql`case when ${lockUser} is null then 'available' when ${lockUser} = ${viewer} then 'checked_out_by_me' else 'locked' end`,
      sql.lit('lockedBy'),
      lockUser,
      sql.lit('lockedAt'),
      sql.ref('l.locked_at'),
      sql.lit('lockMessage'),
      sql`case when ${lockUser} is null then null else coalesce(l.message, '') end`,
      sql.lit('revision'),
      sql`coalesce(t.revision, f.revision)`,
      sql.lit('description'),
      sql.ref('f.description'),
      sql.lit('partNumber'),
      sql.ref('f.part_number'),
      sql.lit('fields'),
      dialect === 'postgres' ? sql`cast(f.fields_json as json)` : sql`json(f.fields_json)`,
      sql.lit('size'),
      sql`coalesce(t.size, f.size)`,
      sql.lit('modifiedAt'),
      sql`coalesce(t.modified_at, f.modified_at)`,
      sql.lit('modifiedBy'),
      sql`coalesce(t.modified_by, f.modified_by)`,
      sql.lit('commit'),
      sql`coalesce(t.commit_sha, f.commit_sha)`,
      sql.lit('state'),
      sql`coalesce(t.state, f.state)`,
      sql.lit('releasedRevision'),
      targets('released_revision'),
      sql.lit('releasedAt'),
      targets('released_at'),
      sql.lit('releasedBy'),
      targets('released_by'),
      sql.lit('review'),
      dialect === 'postgres' ? sql`cast(${targets('review_json')} as json)` : sql`json(${targets('review_json')})`,
      sql.lit('waiting'),
      dialect === 'postgres'
        ? sql`cast(coalesce(${targets('waiting_json')}, '[]') as json)`
        : sql`json(coalesce(${targets('waiting_json')}, '[]'))`,
      ...(withLink ? [sql.lit('link'), sql.ref('f.link_target')] : []),
    ]);
  // PostgreSQL's json values would be parsed by the driver: ask for the text.
  const object = (withLink: boolean) =>
    dialect === 'postgres' ? sql`json_build_object(${fields(withLink)})::text` : sql`json_object(${fields(withLink)})`;
  return sql<string>`case when f.link_target is null then ${object(false)} else ${object(true)} end`;
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
  state: FileState;
  released_revision: string | null;
  released_at: string | null;
  released_by: string | null;
  review_json: string | null;
  waiting_json: string | null;
}

export function toFileInfo(r: ListedRow, viewer: string | null): FileInfo {
  const info: FileInfo = {
    path: r.path,
    name: r.name,
    group: r.grp,
    status: statusFor(r.lock_user, viewer),
    lockedBy: r.lock_user,
    lockedAt: r.locked_at,
    lockMessage: r.lock_user ? (r.lock_message ?? '') : null,
    revision: r.revision,
    description: r.description,
    partNumber: r.part_number,
    fields: r.fields_json === '{}' ? {} : (JSON.parse(r.fields_json) as Record<string, string>), // most files have none
    size: r.size,
    modifiedAt: r.modified_at,
    modifiedBy: r.modified_by,
    commit: r.commit_sha,
    state: r.state,
    releasedRevision: r.released_revision,
    releasedAt: r.released_at,
    releasedBy: r.released_by,
    review: r.review_json ? (JSON.parse(r.review_json) as Review) : null,
    waiting: r.waiting_json && r.waiting_json !== '[]' ? (JSON.parse(r.waiting_json) as string[]) : [],
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

/** Every plain (non-link) entry in review, in every project, by project then path, as `viewer` sees it: one query. */
export async function listInReview(db: Db, viewer: string): Promise<{ project: string; file: FileInfo }[]> {
  const rows = await joinedEntries(db)
    .where('f.state', '=', 'in_review')
    .where('f.link_target', 'is', null)
    .select(['f.project', ...listedColumns])
    .orderBy('f.project')
    .orderBy('f.path')
    .execute();
  return rows.map(({ project, ...row }) => ({ project, file: toFileInfo(row, viewer) }));
}

/**
 * The view of a plain (non-link) entry from its index row and its lock, without a query: what a
 * check-out or cancel knows once its own transaction has committed.
 */
export function fileInfoOf(
  row: FileRow,
  lock: { username: string; locked_at: string; message: string } | null,
  viewer: string | null,
): FileInfo {
  return toFileInfo(
    { ...row, lock_user: lock?.username ?? null, locked_at: lock?.locked_at ?? null, lock_message: lock?.message ?? null },
    viewer,
  );
}

export async function listGroups(db: Db, project: string): Promise<GroupSummary[]> {
  const rows = await baseQuery(db, project)
    .select(['f.grp', (eb) => eb.fn.countAll().as('n'), (eb) => eb.fn.count('l.username').as('locked')])
    .groupBy('f.grp')
    .orderBy('f.grp')
    .execute();
  return rows.map((r) => ({ group: r.grp, count: Number(r.n), locked: Number(r.locked) }));
}

/**
 * Compare-and-swap check inside a unit's transaction: the entry's index row is still at `commit`
 * (null: there is still no entry). Locked until commit on PostgreSQL.
 */
export async function fileStillAt(trx: Db, dialect: Dialect, project: string, pathKey: string, commit: string | null): Promise<boolean> {
  return (await fileCommitNow(trx, dialect, project, pathKey)) === commit;
}

/** The entry's commit as the transaction sees it (null: no entry), locked until commit on PostgreSQL. */
export async function fileCommitNow(trx: Db, dialect: Dialect, project: string, pathKey: string): Promise<string | null> {
  const q = trx.selectFrom('files').select('commit_sha').where('project', '=', project).where('path_key', '=', pathKey);
  const row = await (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
  return row?.commit_sha ?? null;
}
