import crypto from 'node:crypto';
import type { ProjectEventMap, ProjectEventType } from '@lockstep/protocol';
import { sql } from 'kysely';
import type { Db } from '../store/db.js';
import { prepared } from '../store/prepared.js';
import type { ProjectEvent } from './bus.js';

/** An event before the outbox gave it its seq. */
export interface EventDraft<K extends ProjectEventType = ProjectEventType> {
  type: K;
  data: ProjectEventMap[K];
}

/** Builds a typed draft (one place that ties an event type to its data). */
export const draft = <K extends ProjectEventType>(type: K, data: ProjectEventMap[K]): EventDraft => ({ type, data });

/** A project's event stream: the last seq and the stream's epoch (new whenever the stream starts over). */
export interface StreamHead {
  seq: number;
  epoch: string;
}

/**
 * The transactional outbox, on both stores: appends the drafts to `project_events` inside the
 * caller's transaction, so an event exists if and only if the change it describes committed.
 * Bumping the project's counter row locks it until commit, so seqs are gap-free and commit in
 * seq order. Returns the events as they will be sent (key order is the wire order).
 */
// Prepared once per dialect: the outbox is on every lock change's path (see store/prepared.ts).
const bumpSeq = prepared(
  (_db, v: { project: string; n: number; epoch: string }) =>
    sql<{ seq: number | string }>`
    insert into project_event_seq as c (project, seq, epoch) values (${v.project}, ${v.n}, ${v.epoch})
    on conflict (project) do update set seq = c.seq + ${v.n}, epoch = coalesce(c.epoch, excluded.epoch)
    returning seq`,
);
const insertEvent = prepared((db, v: { project: string; seq: number; payload: string }) =>
  db.insertInto('project_events').values({ project: v.project, seq: v.seq, payload: v.payload }),
);

export async function appendEvents(trx: Db, project: string, drafts: EventDraft[]): Promise<ProjectEvent[]> {
  const n = drafts.length;
  if (n === 0) return [];
  const row = await bumpSeq.first(trx, { project, n, epoch: crypto.randomUUID() });
  const last = Number(row!.seq);
  const ts = new Date().toISOString();
  const events = drafts.map((d, i): ProjectEvent => ({ type: d.type, ts, seq: last - n + 1 + i, project, data: d.data }));
  for (const e of events) await insertEvent.run(trx, { project, seq: e.seq, payload: JSON.stringify(e) });
  return events;
}

export async function streamHead(db: Db, project: string): Promise<StreamHead> {
  const row = await db.selectFrom('project_event_seq').select(['seq', 'epoch']).where('project', '=', project).executeTakeFirst();
  return { seq: row?.seq ?? 0, epoch: row?.epoch ?? '' };
}

/** Events with afterSeq < seq <= upTo, oldest first (fewer when some were trimmed). */
export async function readEvents(db: Db, project: string, afterSeq: number, upTo: number): Promise<ProjectEvent[]> {
  const rows = await db
    .selectFrom('project_events')
    .select('payload')
    .where('project', '=', project)
    .where('seq', '>', afterSeq)
    .where('seq', '<=', upTo)
    .orderBy('seq')
    .execute();
  return rows.map((r) => JSON.parse(r.payload) as ProjectEvent);
}

/**
 * Replay for `resume`: exactly the events after `afterSeq`, `[]` when up to date, or null when the
 * client must refetch (its seq is from another epoch, ahead of ours, or more than `keep` behind).
 */
export async function replayEvents(
  db: Db,
  project: string,
  afterSeq: number,
  keep: number,
  epoch?: string,
): Promise<ProjectEvent[] | null> {
  const head = await streamHead(db, project);
  if (epoch !== undefined && epoch !== head.epoch) return null;
  if (afterSeq > head.seq || afterSeq < 0 || afterSeq < head.seq - keep) return null;
  if (afterSeq === head.seq) return [];
  const events = await readEvents(db, project, afterSeq, head.seq);
  if (events.length !== head.seq - afterSeq || events.some((e, i) => e.seq !== afterSeq + 1 + i)) return null;
  return events;
}

/** Keeps the last `keep` events of a project. */
export async function trimEvents(db: Db, project: string, lastSeq: number, keep: number): Promise<void> {
  await db
    .deleteFrom('project_events')
    .where('project', '=', project)
    .where('seq', '<=', lastSeq - keep)
    .execute();
}
