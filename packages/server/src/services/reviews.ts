import type { ReviewList } from '@lockstep/protocol';
import { mayApprove } from '../domain/lifecycle.js';
import { getFileInfo } from '../store/files.js';
import { findUserById } from '../store/users.js';
import type { Actor, Services } from './context.js';

/** What awaits the actor's approval: files in review, in every project, not requested or already approved by them. */
export async function reviewsFor(s: Services, actor: Actor): Promise<ReviewList> {
  const user = await findUserById(s.db, actor.id);
  if (!user || !mayApprove({ role: user.role, approver: !!user.approver })) return { items: [] };
  const rows = await s.db
    .selectFrom('files')
    .select(['project', 'path'])
    .where('state', '=', 'in_review')
    .where('link_target', 'is', null)
    .orderBy('project')
    .orderBy('path')
    .execute();
  const items = [];
  for (const row of rows) {
    const file = await getFileInfo(s.db, row.project, row.path, actor.username);
    const review = file?.review;
    if (!file || !review || review.requestedBy === actor.username || review.approvals.some((a) => a.user === actor.username)) continue;
    items.push({ project: row.project, file });
  }
  return { items };
}
