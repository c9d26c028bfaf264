/** The release lifecycle's rules (SPEC "Release lifecycle"): which transition, from which state, by whom. */
import type { FileState, Role } from '@lockstep/protocol';

export type LifecycleAction = 'release-request' | 'approve' | 'reject' | 'withdraw' | 'obsolete' | 'reactivate';

/** The states each action may start from. Approve ends in `in_review` (not enough yet) or `released`. */
export const ALLOWED_FROM: Record<LifecycleAction, readonly FileState[]> = {
  'release-request': ['wip'],
  approve: ['in_review'],
  reject: ['in_review'],
  withdraw: ['in_review'],
  obsolete: ['wip', 'released'],
  reactivate: ['obsolete'],
};

export const STATE_NAMES: Record<FileState, string> = {
  wip: 'work in progress',
  in_review: 'in review',
  released: 'released',
  obsolete: 'obsolete',
};

/** May this user approve releases at all? Admins always; viewers never. */
export const mayApprove = (user: { role: Role; approver: boolean }): boolean =>
  user.role === 'admin' || (user.role === 'user' && user.approver);

/** Check-out is refused in these states (a review must not change under its approvers; obsolete is read-only). */
export function checkoutRefusal(state: FileState): string | null {
  if (state === 'in_review') return 'is in review; it cannot be checked out until it is approved, rejected or withdrawn';
  if (state === 'obsolete') return 'is obsolete (read-only); an admin can reactivate it';
  return null;
}

/** Metadata edits and deletes are refused in these states: what is reviewed or released stays as it is. */
export function editRefusal(state: FileState): string | null {
  if (state === 'in_review') return 'is in review; withdraw the request to change it';
  if (state === 'released') return 'is released (frozen); check it out and check in a new revision to change it';
  if (state === 'obsolete') return 'is obsolete (read-only); an admin can reactivate it';
  return null;
}

/** Deleting is refused while the file is reviewed or released (production runs it): obsolete it first. */
export function deleteRefusal(state: FileState): string | null {
  if (state === 'in_review') return 'is in review; withdraw or reject the request first';
  if (state === 'released') return 'is released (production runs it); obsolete it first';
  return null;
}

/**
 * The git tag of a released revision: `released/<path>/<revision>`, each path component made a
 * valid ref component (git check-ref-format) by percent-escaping what git forbids, and `%` itself.
 */
export function releaseTag(path: string, revision: string): string {
  return `released/${path.split('/').map(refComponent).join('/')}/${refComponent(revision)}`;
}

const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

function refComponent(part: string): string {
  let out = part.replace(/[^\p{L}\p{N}._+,=@#!$&'()-]/gu, (c) => (c.length === 1 ? hex(c) : encodeURIComponent(c)));
  out = out.replace(/\.\./g, '.%2E'); // no ".."
  if (out.startsWith('.')) out = `%2E${out.slice(1)}`;
  if (out.endsWith('.')) out = `${out.slice(0, -1)}%2E`;
  if (out.endsWith('.lock')) out = `${out.slice(0, -5)}%2Elock`;
  return out;
}
