import type { Review } from '@lockstep/protocol';
import { fullTime, shortTime } from '../lib/format';

/** An open release request: who asked, why, and the signatures so far against the count needed. */
export function ReviewSummary({ review, compact = false }: { review: Review; compact?: boolean }) {
  const missing = Math.max(0, review.required - review.approvals.length);
  return (
    <div className="space-y-2 text-sm" data-testid="review-summary">
      <p>
        <span className="font-medium">{review.requestedBy}</span> requested release of revision{' '}
        <span className="font-mono font-semibold">{review.revision}</span>{' '}
        <span className="muted" title={fullTime(review.requestedAt)}>
          {shortTime(review.requestedAt)}
        </span>
      </p>
      {review.comment && <p className="break-words whitespace-pre-line italic">“{review.comment}”</p>}
      <p className="font-medium" data-testid="review-count">
        Approvals {review.approvals.length} of {review.required}
        {missing > 0 && <span className="font-normal muted"> · {missing} more needed</span>}
      </p>
      {!compact && review.approvals.length > 0 && (
        <ul className="space-y-1.5" aria-label="Approvals">
          {review.approvals.map((a) => (
            <li
              key={`${a.user}-${a.at}`}
              className="rounded-md border border-emerald-200 bg-emerald-50 px-2.5 py-1.5 dark:border-emerald-800 dark:bg-emerald-950/40"
            >
              <span className="font-medium">{a.user}</span>{' '}
              <span className="text-xs text-slate-600 dark:text-slate-300" title={fullTime(a.at)}>
                signed {shortTime(a.at)}
              </span>
              {a.comment && <span className="block break-words">“{a.comment}”</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
