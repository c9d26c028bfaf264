import * as Tabs from '@radix-ui/react-tabs';
import type { FileInfo, User } from '@lockstep/protocol';
import { useFile, useHistory } from '../api/queries';
import { fileSize, fullTime, sinceText } from '../lib/format';
import type { FileModal } from '../modals/common';
import { FileActions } from './FileActions';
import { FileHistory } from './FileHistory';
import { FilePreview } from './preview/FilePreview';
import { checkoutBlockedBy } from '../api/lifecycle';
import { ReviewSummary } from './ReviewSummary';
import { StateBadge, StatusBadge } from './ui';
import { placeInLine } from './WatchButton';

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[7.5rem_1fr] gap-2 py-1.5 text-sm">
      <dt className="muted">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

export const FILE_VIEWS = ['details', 'history', 'preview'] as const;
export type FileView = (typeof FILE_VIEWS)[number];

/**
 * One file in three tabs: its details and actions, its history (a download per revision and a
 * compare), and a preview. The tab is the page's (`?view=` in the URL), so it can be linked.
 */
export function FileDetail({
  slug,
  initial,
  me,
  view,
  onView,
  onAction,
  onClose,
}: {
  slug: string;
  initial: FileInfo;
  me: User;
  view: FileView;
  onView: (v: FileView) => void;
  onAction: (m: FileModal) => void;
  onClose: () => void;
}) {
  const fileQ = useFile(slug, initial.path);
  const file = fileQ.data ?? initial;
  const historyPath = file.link ?? file.path;
  const history = useHistory(slug, historyPath);
  const fields = Object.entries(file.fields);
  const label = (v: FileView) => (v === 'history' && history.data ? `History (${history.data.length})` : v[0]!.toUpperCase() + v.slice(1));

  return (
    <div className="flex h-full flex-col" data-testid="file-detail">
      <div className="flex items-start justify-between gap-2 border-b border-slate-200 px-4 py-3 dark:border-slate-800">
        <div className="min-w-0">
          <h2 className="font-semibold [overflow-wrap:anywhere]" title={file.path}>
            {file.name}
          </h2>
          {file.path !== file.name && <p className="font-mono text-xs [overflow-wrap:anywhere] muted">{file.path}</p>}
        </div>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onClose} aria-label="Close details">
          ×
        </button>
      </div>
      <Tabs.Root value={view} onValueChange={(v) => onView(v as FileView)} className="flex min-h-0 flex-1 flex-col">
        <Tabs.List className="flex gap-1 border-b border-slate-200 px-4 pt-2 dark:border-slate-800" aria-label="File view">
          {FILE_VIEWS.map((t) => (
            <Tabs.Trigger
              key={t}
              value={t}
              className="-mb-px border-b-2 border-transparent px-3 py-1.5 text-sm font-medium muted data-[state=active]:border-indigo-500 data-[state=active]:text-indigo-700 dark:data-[state=active]:text-indigo-300"
            >
              {label(t)}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <Tabs.Content value="preview" className="flex-1 overflow-y-auto px-4 py-4">
          <FilePreview slug={slug} path={historyPath} rev={file.commit} />
        </Tabs.Content>
        {/* Kept mounted while hidden: the history compare keeps its picks across a look at another tab. */}
        <Tabs.Content value="history" forceMount className="flex-1 overflow-y-auto px-4 py-4 data-[state=inactive]:hidden">
          <FileHistory slug={slug} file={file} path={historyPath} history={history} />
        </Tabs.Content>
        <Tabs.Content value="details" className="flex-1 space-y-5 overflow-y-auto px-4 py-4">
          <div className="space-y-3">
            <div className="flex flex-wrap gap-1">
              <StateBadge file={file} />
              <StatusBadge file={file} />
            </div>
            {checkoutBlockedBy(file) && <p className="text-sm text-slate-700 dark:text-slate-300">{checkoutBlockedBy(file)}</p>}
            <FileActions slug={slug} file={file} me={me} onAction={onAction} />
            {file.waiting.length > 0 && (
              <p className="text-sm" data-testid="lock-queue">
                <span className="muted">Waiting for it: </span>
                {file.waiting.map((u, i) => (
                  <span key={u}>
                    {i > 0 && ', '}
                    {i + 1}. {u === me.username ? <strong>you</strong> : u}
                  </span>
                ))}
                {placeInLine(file, me.username) === 1 && <span className="muted"> · you are told first when it is free</span>}
              </p>
            )}
          </div>
          {file.review && (
            <section aria-labelledby="review-title" className="rounded-md border border-violet-200 p-3 dark:border-violet-800">
              <h3 id="review-title" className="mb-2 text-sm font-semibold">
                Release review
              </h3>
              <ReviewSummary review={file.review} />
            </section>
          )}
          <dl className="divide-y divide-slate-100 dark:divide-slate-800">
            <Row label="Revision">
              <span className="font-mono font-semibold">{file.revision}</span>
            </Row>
            <Row label="Released">
              {file.releasedRevision ? (
                <>
                  <span className="font-mono font-semibold">{file.releasedRevision}</span>{' '}
                  <span className="muted">
                    {fullTime(file.releasedAt)}
                    {file.releasedBy ? ` by ${file.releasedBy}` : ''}
                  </span>
                </>
              ) : (
                <span className="muted">never</span>
              )}
            </Row>
            <Row label="Description">{file.description || <span className="muted">—</span>}</Row>
            <Row label="Part number">
              {file.partNumber ? <span className="font-mono">{file.partNumber}</span> : <span className="muted">—</span>}
            </Row>
            {fields.map(([k, v]) => (
              <Row key={k} label={k}>
                {v}
              </Row>
            ))}
            <Row label="Group">{file.group}</Row>
            {file.link && (
              <Row label="Link to">
                <span className="font-mono">{file.link}</span>
              </Row>
            )}
            <Row label="Size">{fileSize(file.size)}</Row>
            <Row label="Modified">
              {fullTime(file.modifiedAt)} <span className="muted">by {file.modifiedBy}</span>
            </Row>
            {file.lockedBy && (
              <Row label="Checked out">
                {file.lockedBy} <span className="muted">{sinceText(file.lockedAt)}</span>
                {file.lockMessage && <span className="block italic">“{file.lockMessage}”</span>}
              </Row>
            )}
            <Row label="Commit">
              <span className="font-mono text-xs">{file.commit.slice(0, 10)}</span>
            </Row>
          </dl>
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}
