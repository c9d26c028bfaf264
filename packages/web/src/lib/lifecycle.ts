import type { FileState } from '@lockstep/protocol';

export const STATE_LABEL: Record<FileState, string> = {
  wip: 'WIP',
  in_review: 'In review',
  released: 'Released',
  obsolete: 'Obsolete',
};

export interface StateChange {
  actor: string;
  from: FileState;
  to: FileState;
  comment: string;
  revision: string;
}

/** Which step a transition was: the verb of the activity list ("requested release of"). */
export function stepOf(c: Pick<StateChange, 'from' | 'to' | 'comment'> & { action?: string }): string {
  if (c.action) return c.action; // the server names the step (older events did not)
  if (c.to === 'in_review') return 'file.release_requested';
  if (c.to === 'released') return 'file.released';
  if (c.to === 'obsolete') return 'file.obsoleted';
  if (c.from === 'obsolete') return 'file.reactivated';
  // Back from review: a rejection always has a comment, a withdrawal has none.
  if (c.from === 'in_review') return c.comment ? 'file.rejected' : 'file.release_withdrawn';
  return 'file.state_changed';
}

/** One sentence for a toast or a dialog's banner; `subject` is the file's path, or "it". */
export function stateChangeText(c: StateChange, subject: string): string {
  const note = c.comment ? `: “${c.comment}”` : '';
  switch (stepOf(c)) {
    case 'file.release_requested':
      return `${c.actor} requested release of ${subject}${c.revision ? ` (rev ${c.revision})` : ''}`;
    case 'file.released':
      return `${c.actor} approved ${subject}: released as rev ${c.revision}`;
    case 'file.obsoleted':
      return `${c.actor} made ${subject} obsolete${note}`;
    case 'file.reactivated':
      return `${c.actor} reactivated ${subject}`;
    case 'file.rejected':
      return `${c.actor} rejected ${subject}${note}`;
    case 'file.release_withdrawn':
      return `${c.actor} withdrew the release request for ${subject}`;
    default:
      return c.from === 'released' && c.to === 'wip'
        ? `${c.actor} started the next revision of ${subject}`
        : `${c.actor} moved ${subject} to ${STATE_LABEL[c.to]}`;
  }
}

export const approvalText = (actor: string, subject: string, count: number, required: number) =>
  `${actor} approved ${subject} (${count}/${required})`;
