import type { AuditEntry, AuditQuery } from '@lockstep/protocol';
import { sql } from 'kysely';
import type { Db } from './db.js';
import { nowIso } from './db.js';
import { prepared } from './prepared.js';
import type { Database } from './schema.js';

export interface AuditRecord {
  username: string | null;
  action: string;
  project?: string | null;
  path?: string | null;
  revision?: string | null;
  message?: string | null;
}

export type AuditRow = Omit<Database['audit'], 'id'>;

/** The row of a record, stamped now. */
export const auditRow = (r: AuditRecord): AuditRow => ({
  at: nowIso(),
  username: r.username,
  action: r.action,
  project: r.project ?? null,
  path: r.path ?? null,
  revision: r.revision ?? null,
  message: r.message ?? null,
});

/** Appends one audit row; pass the transaction so the row commits with the change it records. */
export async function appendAudit(db: Db, r: AuditRecord): Promise<void> {
  await insertAudit.run(db, auditRow(r));
}

const insertAudit = prepared((db, r: AuditRow) =>
  db.insertInto('audit').values({
    at: r.at,
    username: r.username,
    action: r.action,
    project: r.project,
    path: r.path,
    revision: r.revision,
    message: r.message,
  }),
);

export async function queryAudit(db: Db, q: AuditQuery): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit').selectAll();
  if (q.project) query = query.where('project', '=', q.project);
  // Partial, case-insensitive: "mar" finds maria and Marc.
  if (q.user) query = query.where(sql<boolean>`lower(username) like ${`%${likeEscape(q.user.toLowerCase())}%`} escape '\\'`);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.since) query = query.where('at', '>=', new Date(q.since).toISOString());
  if (q.until) query = query.where('at', '<=', new Date(q.until).toISOString());
  const rows = await query
    .orderBy('id', 'desc')
    .limit(q.limit ?? 500)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    user: r.username,
    action: r.action,
    project: r.project,
    path: r.path,
    revision: r.revision,
    message: r.message,
  }));
}

const likeEscape = (v: string) => v.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Project actions only (files, projects, sync), newest first: the dashboard's recent activity. */
export async function recentActivity(db: Db, q: { project?: string; limit: number }): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit').selectAll().where('project', 'is not', null);
  if (q.project) query = query.where('project', '=', q.project);
  const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    user: r.username,
    action: r.action,
    project: r.project,
    path: r.path,
    revision: r.revision,
    message: r.message,
  }));
}
