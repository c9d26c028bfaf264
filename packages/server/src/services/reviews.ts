import type { ReviewList } from '@lockstep/protocol';
import { mayApprove } from '../domain/lifecycle.js';
import { listInReview } from '../store/files.js';
import { findUserById } from '../store/users.js';
import type { Actor, Services } from './context.js';

/**
 * What awaits the actor's approval: files in review, in every project (every role reads every
 * project), not requested or already approved by them.
 */
export async function reviewsFor(s: Services, actor: Actor): Promise<ReviewList> {
  const user = await findUserById(s.db, actor.id);
  if (!user || !mayApprove({ role: user.role, approver: !!user.approver })) return { items: [] };
  const inReview = await listInReview(s.db, actor.username);
  const items = inReview.filter(
    ({ file: { review } }) => review && review.requestedBy !== actor.username && !review.approvals.some((a) => a.user === actor.username),
  );
  return { items };
}
