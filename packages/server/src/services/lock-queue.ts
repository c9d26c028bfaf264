// The lock queue (SPEC "Waiting for a lock"): users wait for a locked file; when it is released the
// first in line is told, and has LOCKSTEP_QUEUE_TURN_MINUTES to check it out before the next one
// is. The queue lives on the file row (files.waiting_json); every change of it reads the row
// locked (PostgreSQL: FOR UPDATE) inside one transaction with its audit row and event.
import type { FileInfo } from '@lockstep/protocol';
import type { EventDraft } from '../events/index.js';
import { appendAudit } from '../store/audit.js';
import type { Db, Dialect } from '../store/db.js';
import { nowIso } from '../store/db.js';
import type { FileRow } from '../store/files.js';
import { hasWaiters, queuedFiles, readQueue, waitersOf, writeQueue, type QueueRow } from '../store/lock-queue.js';
import { findLock } from '../store/locks.js';
import type { Actor, Services } from './context.js';
import { conflict, notFound } from './errors.js';
import { fileEvent, fileOf, lockTarget, requireEntry, seenBy } from './file-common.js';
import { deliverNotifications, storeNotifications, type StoredNotice } from './notifications.js';
import { recordChange } from './unit-of-work.js';

/** The sender of "file available" notices: nobody in particular (a space: never a username). */
export const QUEUE_ACTOR = 'lock queue';

const turnMinutes = (s: Services) => Math.round((s.config.queueTurnMs / 60_000) * 100) / 100;

/** Whether `username` waits for the file (cheap: the check-out path asks it of every check-out). */
export const isWaiting = (row: Pick<FileRow, 'waiting_json'>, username: string): boolean =>
  row.waiting_json !== '[]' && waitersOf(row).includes(username);

interface Settled {
  notices: StoredNotice[];
  /** Who left the queue (they have the lock now, or their turn passed). */
  left: string[];
}

/**
 * Applies the queue's rules to the row as it is now, inside the transaction: a holder leaves the
 * queue and a running turn ends (the file is not free); on a free file the first in line is told
 * when nobody was yet, when `released` says it just became free, or after the previous first's
 * turn ran out (they leave the queue).
 */
async function settle(trx: Db, s: Services, row: QueueRow, released: boolean): Promise<Settled> {
  const before = waitersOf(row);
  let waiting = before;
  let notifiedAt = row.waiting_notified_at;
  let tell: string | null = null;
  const left: string[] = [];
  const holder = (await findLock(trx, row.project, row.path_key))?.username ?? null;
  if (holder) {
    if (waiting.includes(holder)) left.push(holder);
    waiting = waiting.filter((u) => u !== holder);
    notifiedAt = null;
  } else {
    const expired = notifiedAt !== null && Date.now() - Date.parse(notifiedAt) >= s.config.queueTurnMs;
    if (expired && waiting.length) left.push(waiting.shift()!);
    if (waiting.length && (released || expired || notifiedAt === null)) tell = waiting[0]!;
    notifiedAt = tell ? nowIso() : waiting.length ? notifiedAt : null;
  }
  if (waiting.length !== before.length || notifiedAt !== row.waiting_notified_at)
    await writeQueue(trx, row.project, row.path_key, waiting, notifiedAt);
  for (const username of left) {
    const why = username === holder ? 'checked it out' : `turn passed: not checked out within ${turnMinutes(s)} min`;
    await appendAudit(trx, { username, action: 'file.queue_left', project: row.project, path: row.path, message: why });
  }
  const notices = tell
    ? await storeNotifications(trx, [
        {
          to: tell,
          kind: 'file_available',
          actor: QUEUE_ACTOR,
          project: row.project,
          path: row.path,
          message: `${row.path} is available — check it out now`,
        },
      ])
    : [];
  return { notices, left };
}

/** Joins the queue of a file someone else has checked out (idempotent). */
export async function watchFile(s: Services, slug: string, rawPath: string, actor: Actor): Promise<FileInfo> {
  const entry = await requireEntry(s, slug, rawPath);
  const target = await lockTarget(s, entry);
  const published = await recordChange<FileInfo | null>(s, slug, async (trx) => {
    const row = await requireQueue(trx, s.dialect, target);
    const lock = await findLock(trx, slug, target.path_key);
    if (!lock) throw conflict(`"${target.path}" is not checked out — check it out now`);
    if (lock.username === actor.username) throw conflict(`you have "${target.path}" checked out yourself`);
    const waiting = waitersOf(row);
    if (waiting.includes(actor.username)) return { result: null, events: [] };
    await writeQueue(trx, slug, target.path_key, [...waiting, actor.username], row.waiting_notified_at);
    await appendAudit(trx, {
      username: actor.username,
      action: 'file.queue_joined',
      project: slug,
      path: target.path,
      message: `waiting for ${lock.username}, position ${waiting.length + 1}`,
    });
    const event = await fileEvent(trx, slug, 'file.queue_changed', actor, target.path, {});
    return { result: fileOf(event), events: [event] };
  });
  return seenBy(s, slug, entry.path, published, actor);
}

/** Leaves the queue (idempotent); when it was the actor's turn, the next in line is told at once. */
export async function unwatchFile(s: Services, slug: string, rawPath: string, actor: Actor): Promise<FileInfo> {
  const entry = await requireEntry(s, slug, rawPath);
  const target = await lockTarget(s, entry);
  const outcome = await recordChange<{ file: FileInfo | null; notices: StoredNotice[] }>(s, slug, async (trx) => {
    const row = await requireQueue(trx, s.dialect, target);
    const waiting = waitersOf(row);
    if (!waiting.includes(actor.username)) return { result: { file: null, notices: [] }, events: [] };
    const wasFirst = waiting[0] === actor.username;
    const rest = waiting.filter((u) => u !== actor.username);
    const notifiedAt = wasFirst ? null : row.waiting_notified_at;
    await writeQueue(trx, slug, target.path_key, rest, notifiedAt);
    await appendAudit(trx, { username: actor.username, action: 'file.queue_left', project: slug, path: target.path, message: 'left' });
    const { notices } = wasFirst
      ? await settle(trx, s, { ...row, waiting_json: JSON.stringify(rest), waiting_notified_at: notifiedAt }, false)
      : { notices: [] };
    const event = await fileEvent(trx, slug, 'file.queue_changed', actor, target.path, {});
    return { result: { file: fileOf(event), notices }, events: [event] };
  });
  deliverNotifications(s, outcome.notices);
  return seenBy(s, slug, entry.path, outcome.file, actor);
}

async function requireQueue(trx: Db, dialect: Dialect, target: FileRow): Promise<QueueRow> {
  const row = await readQueue(trx, dialect, target.project, target.path_key);
  if (!row) throw notFound(`file "${target.path}" was deleted meanwhile`);
  return row;
}

/**
 * Inside a check-out's transaction, when the actor waits for the file (see isWaiting): they leave
 * the queue (their turn, if it was one, is over). Returns the row as it now is.
 */
export async function leaveQueueOnCheckout(trx: Db, dialect: Dialect, row: FileRow, username: string): Promise<FileRow> {
  const now = (await readQueue(trx, dialect, row.project, row.path_key)) ?? row;
  const waiting = waitersOf(now);
  const rest = waiting.filter((u) => u !== username);
  const notifiedAt = waiting[0] === username ? null : now.waiting_notified_at;
  await writeQueue(trx, row.project, row.path_key, rest, notifiedAt);
  return { ...row, waiting_json: JSON.stringify(rest), waiting_notified_at: notifiedAt };
}

/**
 * After a release committed (check-in, cancel, override, unlock, delete): the first in line is
 * told. Never throws: the release is done; a failure here is logged and the sweeper catches up.
 */
export async function lockReleased(s: Services, slug: string, pathKey: string, seenWaiting?: string): Promise<void> {
  try {
    // The caller's read of the row says nobody waits (the common case: no query on the lock path);
    // someone who joined since is caught by the sweeper's "released, nobody told" check.
    if (seenWaiting === '[]' || !(await hasWaiters(s.db, slug, pathKey))) return;
    const notices = await recordChange<StoredNotice[]>(s, slug, async (trx) => {
      const row = await readQueue(trx, s.dialect, slug, pathKey);
      if (!row || row.waiting_json === '[]') return { result: [], events: [] };
      const settled = await settle(trx, s, row, true);
      return { result: settled.notices, events: await queueEvents(trx, row, settled) };
    });
    deliverNotifications(s, notices);
  } catch (err) {
    s.log.error({ err, slug, pathKey }, 'lock queue: telling the next in line failed');
  }
}

/** A queue_changed event when someone left the queue (named as its actor). */
async function queueEvents(trx: Db, row: QueueRow, settled: Settled): Promise<EventDraft[]> {
  const who = settled.left[0];
  if (!who) return [];
  return [await fileEvent(trx, row.project, 'file.queue_changed', { id: 0, username: who, role: 'user' }, row.path, {})];
}

/** Whether the sweeper has anything to do for a queued file it saw. */
function due(s: Services, seen: QueueRow & { holder: string | null }): boolean {
  if (seen.holder) return seen.waiting_notified_at !== null || waitersOf(seen).includes(seen.holder);
  return seen.waiting_notified_at === null || Date.now() - Date.parse(seen.waiting_notified_at) >= s.config.queueTurnMs;
}

/**
 * The background sweep (jobs/lock-queue.ts): turns that ran out pass to the next in line, and a
 * release nobody was told of (a crash, a race with a join) is caught up. Compare-and-swap on the
 * queue it saw: another instance's sweep that got there first changed it, and this one skips.
 */
export async function sweepLockQueues(s: Services): Promise<void> {
  for (const seen of await queuedFiles(s.db)) {
    if (!due(s, seen)) continue;
    try {
      const notices = await recordChange<StoredNotice[]>(s, seen.project, async (trx) => {
        const row = await readQueue(trx, s.dialect, seen.project, seen.path_key);
        if (!row || row.waiting_json !== seen.waiting_json || row.waiting_notified_at !== seen.waiting_notified_at)
          return { result: [], events: [] };
        const settled = await settle(trx, s, row, false);
        return { result: settled.notices, events: await queueEvents(trx, row, settled) };
      });
      deliverNotifications(s, notices);
    } catch (err) {
      s.log.error({ err, project: seen.project, path: seen.path }, 'lock queue sweep failed for a file');
    }
  }
}
