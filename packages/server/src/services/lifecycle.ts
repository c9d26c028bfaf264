/**
 * The release lifecycle (SPEC "Release lifecycle"): each transition is one write unit whose git
 * commit records the new state in the file's metadata (with `Lockstep-State` trailers, and a tag
 * for a release), so a clone and `rebuild-index` know what was released, by whom, with what
 * signatures.
 */
import type { Approval, FileInfo, FileState, ProjectEventMap, Review } from '@lockstep/protocol';
import { ALLOWED_FROM, STATE_NAMES, mayApprove, releaseTag, type LifecycleAction } from '../domain/lifecycle.js';
import { appendAudit } from '../store/audit.js';
import { nowIso } from '../store/db.js';
import { upsertFile, type FileRow } from '../store/files.js';
import { findLock } from '../store/locks.js';
import { findProject } from '../store/projects.js';
import { findUserById } from '../store/users.js';
import { verifySignature } from './auth.js';
import type { Actor, Services } from './context.js';
import { conflict, forbidden } from './errors.js';
import {
  assertFileAt,
  fileEvent,
  fileOf,
  lockTarget,
  metaChange,
  metaOf,
  plainText,
  requireEntry,
  seenBy,
  trailers,
} from './file-common.js';
import { approversOf, deliverNotifications, storeNotifications, type NoticeDraft, type StoredNotice } from './notifications.js';
import { lifecycleTrailers } from './revision-log.js';
import { commitChange, writeUnit } from './unit-of-work.js';

/** What a transition changes, decided from the file as the unit read it. */
interface Step {
  to: FileState;
  review: Review | null;
  /** The released revision after the step (undefined: unchanged). */
  released?: { revision: string; at: string; by: string } | null;
  /** file.approved for an approval that does not release yet; else file.state_changed. */
  approvedOnly?: { approvals: Approval[]; required: number };
  /** A release's signatures (trailer and history). */
  signatures?: Approval[];
  notices: NoticeDraft[];
  /** Must not be checked out (a review or an obsolete file must not change under a lock). */
  unlocked?: boolean;
}

const AUDIT: Record<LifecycleAction, string> = {
  'release-request': 'file.release_requested',
  approve: 'file.approved',
  reject: 'file.rejected',
  withdraw: 'file.release_withdrawn',
  obsolete: 'file.obsoleted',
  reactivate: 'file.reactivated',
};

const VERB: Record<LifecycleAction, string> = {
  'release-request': 'request release of',
  approve: 'approve',
  reject: 'reject',
  withdraw: 'withdraw the release request of',
  obsolete: 'obsolete',
  reactivate: 'reactivate',
};

const SUBJECT: Record<LifecycleAction, string> = {
  'release-request': 'Release requested',
  approve: 'Approved',
  reject: 'Rejected',
  withdraw: 'Release request withdrawn',
  obsolete: 'Obsoleted',
  reactivate: 'Reactivated',
};

/**
 * One transition: the state is checked against the row read inside the unit, and the transaction
 * asserts the row is still at that commit (and, where the step says so, that nobody holds the lock).
 */
async function transition(
  s: Services,
  slug: string,
  rawPath: string,
  actor: Actor,
  action: LifecycleAction,
  comment: string,
  decide: (target: FileRow) => Promise<Step> | Step,
): Promise<FileInfo> {
  const text = plainText('the comment', comment).trim();
  return writeUnit(s, slug, async () => {
    const entry = await requireEntry(s, slug, rawPath);
    const target = await lockTarget(s, entry); // a link's lifecycle is its target's
    if (!ALLOWED_FROM[action].includes(target.state))
      throw conflict(`"${target.path}" is ${STATE_NAMES[target.state]}; you cannot ${VERB[action]} it now`);
    const step = await decide(target);
    const released = step.released === undefined ? releasedOf(target) : step.released;
    const meta = { ...metaOf(target), state: step.to };
    delete meta.review;
    delete meta.released;
    if (step.review) meta.review = step.review;
    if (released) meta.released = released;
    const release = step.to === 'released' && target.state !== 'released';
    let published: FileInfo | null = null;
    let stored: StoredNotice[] = [];
    await commitChange(
      s,
      slug,
      actor,
      {
        changes: [await metaChange(s, slug, target.path, meta)],
        message: `${SUBJECT[action]}: ${target.path} rev ${target.revision}${text ? `\n\n${text}` : ''}`,
        trailers: {
          ...trailers(release ? 'release' : action, target.path, target.revision),
          ...lifecycleTrailers(step.to, step.signatures),
        },
        ...(release ? { tag: releaseTag(target.path, target.revision) } : {}),
      },
      async (trx, commit) => {
        await assertFileAt(trx, s, target);
        if (step.unlocked) {
          const lock = await findLock(trx, slug, target.path_key);
          if (lock) throw conflict(`"${target.path}" is checked out by ${lock.username}; it must be checked in or cancelled first`);
        }
        await upsertFile(trx, {
          ...target,
          commit_sha: commit,
          state: step.to,
          review_json: step.review ? JSON.stringify(step.review) : null,
          released_revision: released?.revision ?? null,
          released_at: released?.at ?? null,
          released_by: released?.by ?? null,
          released_commit: release ? commit : released ? target.released_commit : null,
        });
        const auditAction = release ? 'file.released' : AUDIT[action];
        await appendAudit(trx, {
          username: actor.username,
          action: auditAction,
          project: slug,
          path: target.path,
          revision: target.revision,
          message: text || null,
        });
        stored = await storeNotifications(trx, step.notices);
        const base = { comment: text, revision: target.revision };
        const event = step.approvedOnly
          ? await fileEvent(trx, slug, 'file.approved', actor, target.path, { ...base, ...step.approvedOnly })
          : await fileEvent(trx, slug, 'file.state_changed', actor, target.path, {
              ...base,
              from: target.state,
              to: step.to,
              action: auditAction,
            } satisfies Omit<ProjectEventMap['file.state_changed'], 'actor' | 'path' | 'file'>);
        published = fileOf(event);
        return [event];
      },
    );
    deliverNotifications(s, stored);
    return seenBy(s, slug, entry.path, published, actor);
  });
}

const releasedOf = (row: FileRow) =>
  row.released_revision ? { revision: row.released_revision, at: row.released_at ?? '', by: row.released_by ?? '' } : null;

const reviewOf = (row: FileRow): Review | null => (row.review_json ? (JSON.parse(row.review_json) as Review) : null);

const notice = (to: string, kind: NoticeDraft['kind'], actor: Actor, slug: string, path: string, message: string): NoticeDraft => ({
  to,
  kind,
  actor: actor.username,
  project: slug,
  path,
  message,
});

/** wip → in_review: approvers are told. */
export function requestRelease(s: Services, slug: string, rawPath: string, actor: Actor, comment: string): Promise<FileInfo> {
  return transition(s, slug, rawPath, actor, 'release-request', comment, async (target) => {
    const project = await findProject(s.db, slug);
    const review: Review = {
      requestedBy: actor.username,
      requestedAt: nowIso(),
      comment: comment.trim(),
      revision: target.revision,
      required: project?.approvals_required ?? 1,
      approvals: [],
    };
    const approvers = (await approversOf(s.db)).filter((u) => u !== actor.username);
    const text = `${actor.username} asks you to approve ${target.path} rev ${target.revision}${review.comment ? `: ${review.comment}` : ''}`;
    return {
      to: 'in_review',
      review,
      unlocked: true,
      notices: approvers.map((u) => notice(u, 'review_requested', actor, slug, target.path, text)),
    };
  });
}

/**
 * An approval is an electronic signature: the approver's password, re-entered. Enough approvals
 * release the revision (frozen, tagged); the requester is told either way.
 */
export async function approve(
  s: Services,
  slug: string,
  rawPath: string,
  actor: Actor,
  comment: string,
  password: string,
): Promise<FileInfo> {
  const user = await findUserById(s.db, actor.id);
  if (!user || !mayApprove({ role: user.role, approver: !!user.approver }))
    throw forbidden('you are not an approver; an admin can give you the approver flag');
  if (!(await verifySignature(s, actor, password, { project: slug, path: rawPath })))
    throw forbidden('wrong password: the approval was not signed');
  return transition(s, slug, rawPath, actor, 'approve', comment, (target) => {
    const review = reviewOf(target)!;
    if (review.requestedBy === actor.username) throw forbidden('you requested this release; someone else must approve it');
    if (review.approvals.some((a) => a.user === actor.username)) throw conflict(`you have already approved "${target.path}"`);
    const approvals = [...review.approvals, { user: actor.username, at: nowIso(), comment: comment.trim() }];
    const to = review.requestedBy;
    if (approvals.length < review.required)
      return {
        to: 'in_review',
        review: { ...review, approvals },
        approvedOnly: { approvals, required: review.required },
        notices: [
          notice(
            to,
            'approved',
            actor,
            slug,
            target.path,
            `${actor.username} approved ${target.path} rev ${target.revision} (${approvals.length}/${review.required})`,
          ),
        ],
      };
    return {
      to: 'released',
      review: null,
      released: { revision: target.revision, at: nowIso(), by: actor.username },
      signatures: approvals,
      notices: [
        notice(
          to,
          'released',
          actor,
          slug,
          target.path,
          `${target.path} rev ${target.revision} is released (approved by ${approvals.map((a) => a.user).join(', ')})`,
        ),
      ],
    };
  });
}

/** in_review → wip, with the reason (required). */
export function reject(s: Services, slug: string, rawPath: string, actor: Actor, comment: string): Promise<FileInfo> {
  return transition(s, slug, rawPath, actor, 'reject', comment, async (target) => {
    const user = await findUserById(s.db, actor.id);
    if (!user || !mayApprove({ role: user.role, approver: !!user.approver }))
      throw forbidden('only approvers can reject a release request');
    const review = reviewOf(target)!;
    if (review.requestedBy === actor.username) throw forbidden('you requested this release; withdraw it instead');
    return {
      to: 'wip',
      review: null,
      notices: [
        notice(
          review.requestedBy,
          'rejected',
          actor,
          slug,
          target.path,
          `${actor.username} rejected ${target.path} rev ${target.revision}: ${comment.trim()}`,
        ),
      ],
    };
  });
}

/** in_review → wip by the requester (or an admin). */
export function withdraw(s: Services, slug: string, rawPath: string, actor: Actor): Promise<FileInfo> {
  return transition(s, slug, rawPath, actor, 'withdraw', '', (target) => {
    const review = reviewOf(target)!;
    if (review.requestedBy !== actor.username && actor.role !== 'admin')
      throw forbidden(`only ${review.requestedBy}, who requested it, or an admin can withdraw this request`);
    return { to: 'wip', review: null, notices: [] };
  });
}

/** Admin: retire a file (read-only; production no longer gets it). */
export function obsolete(s: Services, slug: string, rawPath: string, actor: Actor, reason: string): Promise<FileInfo> {
  return transition(s, slug, rawPath, actor, 'obsolete', reason, () => ({
    to: 'obsolete',
    review: null,
    released: null,
    unlocked: true,
    notices: [],
  }));
}

/** Admin: obsolete → wip. */
export function reactivate(s: Services, slug: string, rawPath: string, actor: Actor): Promise<FileInfo> {
  return transition(s, slug, rawPath, actor, 'reactivate', '', () => ({ to: 'wip', review: null, notices: [] }));
}
