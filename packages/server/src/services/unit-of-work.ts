import type { EventDraft, ProjectEvent } from '../events/index.js';
import type { Db } from '../store/db.js';
import { advanceHead } from '../store/projects.js';
import type { TreeChange } from '../vault/index.js';
import type { Actor, Services } from './context.js';
import { conflict } from './errors.js';
import { recordRevisions } from './revision-log.js';

/** The git side of a change. */
export interface GitChange {
  changes: TreeChange[];
  message: string;
  trailers: Record<string, string>;
  /** A tag (under refs/tags/) to point at the new commit: a released revision. */
  tag?: string;
}

/**
 * The SQL side of a change, run in one transaction once git holds the commit: re-check what the
 * unit relied on (compare-and-swap on the lock and file rows: throw a 409 when it changed), write
 * the index, revision and audit rows, and return the events that describe the change.
 */
export type ApplyChange = (trx: Db, commit: string) => Promise<EventDraft[]>;

export const authorOf = (actor: Actor) => ({ name: actor.username, email: `${actor.username}@lockstep.local` });

/**
 * One write unit of a project: `work` runs alone among the project's units (in this process and,
 * scaled out, across instances), so what it reads inside is what it changes. Read the file row and
 * the lock inside `work`, never before it.
 */
export function writeUnit<T>(s: Services, slug: string, work: () => Promise<T>): Promise<T> {
  return s.projectWrites.run(slug, work);
}

/**
 * Inside a write unit: commits to git, then one SQL transaction that moves the recorded head by
 * compare-and-swap and applies the change with its events (the outbox). If the transaction
 * refuses or fails, main is moved back by compare-and-swap: the change did not happen, and no
 * event says it did. SQL is the commit point: a crash between the two leaves git ahead of the
 * recorded head, which start-up rolls back (services/reconcile.ts).
 */
export async function commitChange(s: Services, slug: string, actor: Actor, change: GitChange, apply: ApplyChange): Promise<string> {
  // Whole seconds: the date git records, so the revisions index reads the same as a rebuild from git.
  const date = new Date(Math.floor(Date.now() / 1000) * 1000);
  const { commit, parent } = await s.vault.commit(slug, { ...change, author: authorOf(actor), date });
  let tagBefore: string | null = null;
  let events: ProjectEvent[];
  try {
    if (change.tag) tagBefore = await s.vault.setTag(slug, change.tag, commit);
    events = await s.db.transaction().execute(async (trx) => {
      if (!(await advanceHead(trx, slug, parent, commit))) throw conflict(`project "${slug}" changed meanwhile; reload and retry`);
      const drafts = await apply(trx, commit);
      const facts = { commit, author: actor.username, date: date.toISOString(), message: change.message.trim(), trailers: change.trailers };
      await recordRevisions(trx, slug, [{ ...facts, paths: change.changes.map((c) => c.path) }]);
      return s.bus.record(trx, slug, drafts);
    });
  } catch (err) {
    if (change.tag) await s.vault.restoreTag(slug, change.tag, tagBefore);
    if (!(await s.vault.resetMain(slug, parent, commit))) s.log.error({ slug, commit }, 'could not undo a refused commit; start-up will');
    throw err;
  }
  s.bus.committed(events);
  return commit;
}

/** A change with no git side (lock changes, lifecycle bookkeeping): one transaction with its events. */
export async function recordChange<T>(
  s: Services,
  slug: string,
  apply: (trx: Db) => Promise<{ result: T; events: EventDraft[] }>,
): Promise<T> {
  const work = async (trx: Db) => {
    const { result, events } = await apply(trx);
    return { result, recorded: await s.bus.record(trx, slug, events) };
  };
  // SQLite: concurrent small transactions share one COMMIT (each in its own savepoint).
  const { result, recorded } = s.dialect === 'sqlite' ? await s.groupCommit.run(work) : await s.db.transaction().execute(work);
  s.bus.committed(recorded);
  return result;
}
