// A push from a git client, checked against the locks and applied as check-ins and uploads.
// receive-pack holds the objects in quarantine and calls us from its pre-receive hook; we decide
// inside the project's write queue, and keep the queue until receive-pack has moved main and we
// have written the metadata commit and the index, so no web change can interleave.
//
// When the client is told: the SQL transaction in applyPush is the commit point (as for every
// unit of work), and it can still refuse after the hook's verdict: lock changes (an override, a
// cancel, on any instance) do not wait for the write queue, and the transaction itself can fail.
// receive-pack writes "ok main" as soon as it has moved the ref, but that report reaches the
// client through this server, so the route holds it (vault/push-report.ts) until receivePush has
// decided, and turns it into "ng main <reason>" when the push was undone. The ack thus follows
// the commit point whatever made the commit fail, and the crash windows stay those of any unit
// (git ahead of the recorded head: start-up rolls main back). Weighed and not taken: holding the
// verdict's transaction (row locks FOR UPDATE) open across receive-pack serialises SQLite for the
// whole push and still cannot cover a failing COMMIT; committing SQL from git's
// reference-transaction hook ("prepared") adds a window where SQL is ahead of git (a roll-forward
// at start-up) and its refusal cannot reach the client's terminal (only "failed to update ref").
import { groupOf, partNumberOf } from '../domain/grouping.js';
import { GIT_ATTRIBUTES } from '../domain/git-files.js';
import { baseName, collisionKey, META_DIR, metaPathFor, PathError, validateFilePath } from '../domain/paths.js';
import { firstRevision, nextRevision } from '../domain/revision.js';
import { appendAudit } from '../store/audit.js';
import { nowIso } from '../store/db.js';
import { deleteRefusal } from '../domain/lifecycle.js';
import { NEW_ENTRY, deleteFileRow, findFile, upsertFile, type FileRow } from '../store/files.js';
import { findLock, lockStillHeld, releaseLock, tryLock } from '../store/locks.js';
import { advanceHead, findProject } from '../store/projects.js';
import type { EventDraft, ProjectEvent } from '../events/index.js';
import { PushReader, quarantineEnv, ZERO_OID, type PushedChange, type Quarantine } from '../vault/push-inspect.js';
import type { CommitRecord, TreeChange } from '../vault/index.js';
import type { LateRefusal } from '../vault/push-report.js';
import type { Actor, Services } from './context.js';
import { lockLost } from './checkin.js';
import { AppError, conflict } from './errors.js';
import { fileEvent, metaChange, metaOf, trailers, type FileMeta } from './file-common.js';
import { recordRevisions, type CommitFacts } from './revision-log.js';
import { commitsWithPaths } from '../vault/bulk.js';
import { authorOf } from './unit-of-work.js';

const MAIN = 'refs/heads/main';
const REGULAR = new Set(['100644', '100755']);

export interface RefUpdate {
  old: string;
  next: string;
  ref: string;
}

export interface PushRequest {
  slug: string;
  actor: Actor;
  updates: RefUpdate[];
  quarantine: Quarantine;
}

export interface PushVerdict {
  ok: boolean;
  /** Lines for the client's terminal. */
  message: string;
}

export interface PushHooks {
  /** Tells receive-pack's hook the verdict (it may then move main). */
  answer(verdict: PushVerdict): void;
  /** Resolves when receive-pack has exited (main moved, or not). */
  finished(): Promise<void>;
}

/** What an accepted push does to the vault. */
export interface PushPlan {
  slug: string;
  actor: Actor;
  /** main before the push (what receive-pack fast-forwarded from). */
  previous: string | null;
  next: string;
  commits: CommitRecord[];
  modified: Array<{ row: FileRow; change: PushedChange; size: number }>;
  added: Array<{ change: PushedChange; size: number }>;
  deleted: FileRow[];
  /** Paths reserved with an upload lock until the push is applied or abandoned. */
  reserved: string[];
}

export interface PushOutcome {
  /** The metadata commit on top of the client's (null when the push touched no vault file). */
  metaCommit: string | null;
  files: Array<{ path: string; revision: string; action: 'checkin' | 'upload' | 'delete' }>;
}

/** "<old> <new> <ref>" lines from receive-pack; malformed lines are refused as other refs would be. */
export function parseRefUpdates(text: string): RefUpdate[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [old = '', next = '', ref = ''] = line.split(' ');
      return { old, next, ref };
    });
}

export type PushResult =
  | { status: 'landed'; outcome: PushOutcome }
  /** Refused by the hook, or receive-pack did not move main: its own report says so. */
  | { status: 'refused' }
  /** Accepted by the hook and put on main, then refused when recorded (main moved back): the report must say so. */
  | ({ status: 'undone' } & LateRefusal);

/**
 * The whole push in one turn of the project's write queue: check, answer the hook, wait for
 * receive-pack to move main, then record. Whether it landed is known only at the end.
 */
export async function receivePush(s: Services, req: PushRequest, hooks: PushHooks): Promise<PushResult> {
  return s.projectWrites.run(req.slug, async () => {
    let plan: PushPlan | null = null;
    let answered = false;
    try {
      const checked = await checkPush(s, req);
      if (checked.refusals.length) {
        hooks.answer({ ok: false, message: refusalText(checked.refusals) });
        answered = true;
        return { status: 'refused' };
      }
      plan = checked.plan;
      if (!plan) throw new Error('push check returned neither refusals nor a plan');
      hooks.answer({ ok: true, message: acceptText(plan) });
      answered = true;
      await hooks.finished();
      if ((await s.vault.head(req.slug)) !== plan.next) return { status: 'refused' }; // receive-pack did not move main
      try {
        const outcome = await applyPush(s, plan);
        plan = null; // reservations released by the index transaction
        return { status: 'landed', outcome };
      } catch (err) {
        return lateRefusal(s, req.slug, err);
      }
    } finally {
      if (!answered) hooks.answer({ ok: false, message: refusalText(['the server could not check this push; nothing was changed']) });
      if (plan) for (const p of plan.reserved) await releaseLock(s.db, req.slug, collisionKey(p), req.actor.username);
    }
  });
}

/** A push undone after the hook's verdict (applyPush moved main back): what the client is told instead of "ok". */
export function lateRefusal(s: Services, slug: string, err: unknown): PushResult {
  const known = err instanceof AppError && err.status < 500;
  if (!known) s.log.error({ err, slug }, 'git push could not be recorded');
  const reason = known ? err.message : 'the server could not record this push; nothing was changed';
  return { status: 'undone', reason, message: refusalText([reason]) };
}

/** Every reason to refuse, or the plan. New paths are reserved (as uploads do) when the plan is returned. */
export async function checkPush(s: Services, req: PushRequest): Promise<{ refusals: string[]; plan: PushPlan | null }> {
  const { slug, actor } = req;
  const refusals: string[] = [];
  if (!req.updates.length) return { refusals: ['no ref to update'], plan: null };
  for (const u of req.updates)
    if (u.ref !== MAIN) refusals.push(`${u.ref || '(no ref)'}: only main can be pushed (no other branches, no tags)`);
  const main = req.updates.find((u) => u.ref === MAIN);
  if (!main) return { refusals, plan: null };
  if (!(await findProject(s.db, slug))) return { refusals: [...refusals, `project "${slug}" not found`], plan: null };
  if (!/^[0-9a-f]{40}$/.test(main.old) || !/^[0-9a-f]{40}$/.test(main.next))
    return { refusals: [...refusals, 'malformed ref update'], plan: null };
  if (main.next === ZERO_OID) return { refusals: [...refusals, 'main cannot be deleted'], plan: null };
  const gitDir = s.vault.repoPath(slug);
  const reader = new PushReader(gitDir, quarantineEnv(gitDir, req.quarantine));
  const head = await s.vault.head(slug);
  const old = main.old === ZERO_OID ? null : main.old;
  if (old !== head) refusals.push('main has moved on the server since you fetched: git pull, then push again');
  else if (old && !(await reader.isAncestor(old, main.next)))
    refusals.push('not a fast-forward: git pull (merge or rebase), then push again');
  if (refusals.length) return { refusals, plan: null };

  for (const sha of await reader.commitsTouching(old, main.next, META_DIR))
    refusals.push(`${META_DIR}/ belongs to the server: commit ${sha.slice(0, 10)} changes it (undo that change)`);
  const changes = await reader.changes(old, main.next);
  const sizes = await reader.blobSizes(changes.map((c) => (c.status === 'D' ? null : c.blob)).filter((b): b is string => !!b));
  const plan: PushPlan = { slug, actor, previous: old, next: main.next, commits: [], modified: [], added: [], deleted: [], reserved: [] };
  const newKeys = new Map<string, string>();
  let sizeAt = 0;
  for (const c of changes) {
    const size = c.status === 'D' ? 0 : (sizes[sizeAt++] ?? 0);
    const refuse = (why: string) => refusals.push(`${c.path}: ${why}`);
    if (c.path === META_DIR || c.path.startsWith(`${META_DIR}/`)) continue; // refused per commit above
    if (c.path === GIT_ATTRIBUTES) {
      if (actor.role !== 'admin') refuse('only an admin changes .gitattributes');
      continue;
    }
    if (c.status === 'T' || (c.status !== 'D' && !REGULAR.has(c.newMode))) {
      refuse('only regular files can be pushed (no symlinks, no submodules)');
      continue;
    }
    if (size > s.config.maxUploadBytes) {
      refuse(`larger than the upload limit of ${Math.round(s.config.maxUploadBytes / 1048576)} MB`);
      continue;
    }
    const key = collisionKey(c.path);
    const row = await findFile(s.db, slug, key);
    const lock = await findLock(s.db, slug, key);
    if (c.status === 'D') {
      if (!row) continue; // never a vault file (e.g. a stray file from before the index)
      if (actor.role !== 'admin') refuse('deleting a file needs an admin');
      else if (deleteRefusal(row.state)) refuse(deleteRefusal(row.state)!);
      else if (lock && lock.username !== actor.username)
        refuse(`checked out by ${lock.username} since ${lock.locked_at}; it cannot be deleted`);
      else plan.deleted.push(row);
      continue;
    }
    if (row) {
      if (row.path !== c.path) refuse(`collides with existing "${row.path}" (names differ only in case)`);
      else if (row.link_target) refuse(`is a link to ${row.link_target}; change that file instead`);
      else if (!lock) refuse(`not checked out; lock it first: git lfs lock ${quotePath(c.path)}`);
      else if (lock.username !== actor.username) refuse(`checked out by ${lock.username} since ${lock.locked_at}`);
      else plan.modified.push({ row, change: c, size });
      continue;
    }
    try {
      validateFilePath(c.path, s.config.allowedExtensions);
    } catch (err) {
      if (err instanceof PathError) {
        refuse(err.message);
        continue;
      }
      throw err;
    }
    const twin = newKeys.get(key);
    if (twin) refuse(`collides with "${twin}" in the same push (names differ only in case)`);
    else if (lock && lock.username !== actor.username) refuse(`being uploaded or checked out by ${lock.username}`);
    else plan.added.push({ change: c, size });
    newKeys.set(key, c.path);
  }
  if (refusals.length) return { refusals, plan: null };
  for (const a of plan.added) {
    const taken = await tryLock(s.db, {
      project: slug,
      pathKey: collisionKey(a.change.path),
      path: a.change.path,
      username: actor.username,
      message: 'uploading',
    });
    if (taken.acquired) plan.reserved.push(a.change.path);
    else refusals.push(`${a.change.path}: being uploaded or checked out by ${taken.holder?.username ?? 'someone'}`);
  }
  if (refusals.length) {
    for (const p of plan.reserved) await releaseLock(s.db, slug, collisionKey(p), actor.username);
    return { refusals, plan: null };
  }
  plan.commits = await reader.commits(old, main.next);
  // Lockstep's trailers are how history and releases are rebuilt from git: only the server writes them.
  for (const c of plan.commits)
    if (Object.keys(c.trailers).some((k) => k.toLowerCase().startsWith('lockstep-')))
      refusals.push(`commit ${c.commit.slice(0, 10)}: its message has Lockstep-… trailers, which only the server writes (reword it)`);
  if (refusals.length) {
    for (const p of plan.reserved) await releaseLock(s.db, slug, collisionKey(p), actor.username);
    return { refusals, plan: null };
  }
  return { refusals, plan };
}

/**
 * Records an accepted push that receive-pack has put on main: one metadata commit on top (the
 * `.lockstep/<path>.json` of every file, revision bumped), then the index, audit and events, as a
 * check-in or upload from the web would. Runs in the caller's turn of the write queue (this is
 * commitAndIndex's body: the ref move by receive-pack must share the turn, so it cannot re-queue).
 */
export async function applyPush(s: Services, plan: PushPlan): Promise<PushOutcome> {
  const { slug, actor } = plan;
  const now = nowIso();
  const scheme = s.config.revisionScheme;
  const files: PushOutcome['files'] = [];
  const changes: TreeChange[] = [];
  const rows: FileRow[] = [];
  for (const { row, change, size } of plan.modified) {
    const revision = nextRevision(row.revision, scheme);
    // As a check-in: a released file's next revision starts in work (the released one stays released).
    changes.push(
      await metaChange(s, slug, row.path, { ...metaOf(row), revision, state: 'wip', modifiedBy: actor.username, modifiedAt: now }),
    );
    rows.push({ ...row, revision, size, blob_sha: change.blob, modified_at: now, modified_by: actor.username, state: 'wip' });
    files.push({ path: row.path, revision, action: 'checkin' });
  }
  for (const { change, size } of plan.added) {
    const revision = firstRevision(scheme);
    const name = baseName(change.path);
    const meta: FileMeta = {
      revision,
      description: '',
      partNumber: partNumberOf(name),
      fields: {},
      modifiedBy: actor.username,
      modifiedAt: now,
    };
    changes.push(await metaChange(s, slug, change.path, meta));
    rows.push({
      ...NEW_ENTRY,
      project: slug,
      path: change.path,
      path_key: collisionKey(change.path),
      name,
      grp: groupOf(name),
      revision,
      description: '',
      part_number: meta.partNumber,
      fields_json: '{}',
      size,
      blob_sha: change.blob,
      commit_sha: '',
      modified_at: now,
      modified_by: actor.username,
      link_target: null,
    });
    files.push({ path: change.path, revision, action: 'upload' });
  }
  for (const row of plan.deleted) {
    if (await s.vault.readBlob(slug, plan.next, metaPathFor(row.path))) changes.push({ op: 'delete', path: metaPathFor(row.path) });
    files.push({ path: row.path, revision: row.revision, action: 'delete' });
  }
  const message = pushMessage(plan.commits);
  // The revisions index gets the client's commits (as plain commits of the files they touch) and ours.
  const pushed: CommitFacts[] = await pushedCommits(s, plan);
  let metaCommit: string | null = null;
  if (changes.length) {
    const only = files.length === 1 ? files[0]! : null;
    const trailerSet = only
      ? trailers(only.action, only.path, only.revision)
      : {
          'Lockstep-Action': 'push',
          'Lockstep-Revisions': JSON.stringify(Object.fromEntries(files.map((f) => [f.path, [f.revision, f.action]]))),
        };
    const date = new Date(Math.floor(Date.now() / 1000) * 1000);
    const metaTrailers = { ...trailerSet, 'Lockstep-Pushed': plan.next };
    metaCommit = (await s.vault.commit(slug, { changes, author: authorOf(actor), message, trailers: metaTrailers, date })).commit;
    pushed.unshift({ commit: metaCommit, author: actor.username, date: date.toISOString(), message, trailers: metaTrailers, paths: [] });
  }
  const head = metaCommit ?? plan.next;
  // The push's outbox transaction, as commitChange's: the recorded head moves by compare-and-swap
  // with the index, audit and event rows; the pusher's locks must still be theirs.
  let events: ProjectEvent[];
  try {
    events = await s.db.transaction().execute(async (trx) => {
      if (!(await advanceHead(trx, slug, plan.previous, head))) throw conflict(`project "${slug}" changed meanwhile`);
      for (const { row } of plan.modified) {
        const lock = await findLock(trx, slug, row.path_key);
        if (!lock || lock.username !== actor.username || !(await lockStillHeld(trx, s.dialect, lock))) throw await lockLost(trx, row);
      }
      for (const row of rows) await upsertFile(trx, { ...row, commit_sha: head });
      await recordRevisions(trx, slug, pushed.reverse());
      for (const path of plan.reserved) await releaseLock(trx, slug, collisionKey(path), actor.username);
      for (const row of plan.deleted) {
        await deleteFileRow(trx, slug, row.path_key);
        await releaseLock(trx, slug, row.path_key);
      }
      const drafts: EventDraft[] = [];
      for (const f of files) {
        const action = f.action === 'checkin' ? 'file.checked_in' : f.action === 'upload' ? 'file.uploaded' : 'file.deleted';
        await appendAudit(trx, {
          username: actor.username,
          action,
          project: slug,
          path: f.path,
          revision: f.revision,
          message: `git push: ${firstLine(message)}`,
        });
        const extra = f.action === 'checkin' ? { message, revision: f.revision } : { revision: f.revision };
        drafts.push(await fileEvent(trx, slug, action, actor, f.path, extra));
      }
      return s.bus.record(trx, slug, drafts);
    });
  } catch (err) {
    // Undo the client's commits and ours: the push did not happen.
    if (!(await s.vault.resetMain(slug, plan.previous, head))) s.log.error({ slug, head }, 'could not undo a refused push; start-up will');
    throw err;
  }
  s.bus.committed(events);
  return { metaCommit, files };
}

/** The client's commits of a push, newest first, with what each touched. */
async function pushedCommits(s: Services, plan: PushPlan): Promise<CommitFacts[]> {
  const paths = new Map(
    (await commitsWithPaths(s.vault, plan.slug, plan.previous ? `${plan.previous}..${plan.next}` : plan.next)).map((c) => [
      c.commit,
      c.paths,
    ]),
  );
  return plan.commits.map((c) => ({
    commit: c.commit,
    author: c.authorName,
    date: c.date,
    message: c.body.trim(),
    trailers: {}, // a client's trailers never name revisions (see checkPush)
    paths: paths.get(c.commit) ?? [],
  }));
}

/** The metadata commit repeats what the pusher wrote (history shows it next to the revision). */
function pushMessage(commits: CommitRecord[]): string {
  const clean = (t: string) => t.replace(/[^\P{Cc}\t\n]/gu, '').trim();
  if (commits.length === 1) return clean(commits[0]!.body) || 'git push';
  const subjects = commits
    .slice(0, 50)
    .reverse()
    .map((c) => `- ${clean(c.subject)}`);
  return `git push of ${commits.length} commits\n\n${subjects.join('\n')}${commits.length > 50 ? '\n- …' : ''}`;
}

const firstLine = (t: string) => t.split('\n', 1)[0]!.slice(0, 200);
const quotePath = (p: string) => (/[\s'"$`\\]/.test(p) ? `"${p.replace(/(["$`\\])/g, '\\$1')}"` : p);

function refusalText(refusals: string[]): string {
  return ['Lockstep refused this push; nothing was changed:', ...refusals.map((r) => `  ${r}`), ''].join('\n');
}

function acceptText(plan: PushPlan | null): string {
  if (!plan) return '';
  const n = plan.modified.length + plan.added.length + plan.deleted.length;
  if (!n) return '';
  // Said before the commit point (a lock can still change before it), so it promises nothing: git's
  // own "main -> main" line below is the answer, or "[remote rejected] (why)".
  return [
    `Lockstep: the locks allow this push of ${n} file(s); recording it as check-ins now (git reports the result below).`,
    'Once recorded, a metadata commit (revisions) follows yours: run git pull before your next push.',
    'Your locks stay until git lfs unlock.',
    '',
  ].join('\n');
}
