import { useState } from 'react';
import * as Tabs from '@radix-ui/react-tabs';
import { api, type FileInfo, type User } from '@lockstep/protocol';
import { useFile, useHistory } from '../api/queries';
import { fileSize, fullTime, revisionedName, shortTime, sinceText } from '../lib/format';
import type { FileModal } from '../modals/common';
import { HistoryCompare } from './compare/HistoryCompare';
import { FileActions } from './FileActions';
import { FilePreview } from './preview/FilePreview';
import { checkoutBlockedBy } from '../api/lifecycle';
import { STATE_LABEL } from '../lib/lifecycle';
import { ReviewSummary } from './ReviewSummary';
import { Badge, DownloadIcon, ErrorText, Spinner, StateBadge, StatusBadge, type Tone } from './ui';
import { placeInLine } from './WatchButton';

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[7.5rem_1fr] gap-2 py-1.5 text-sm">
      <dt className="muted">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

const ACTION_TONE: Record<string, Tone> = {
  upload: 'green',
  checkin: 'blue',
  update: 'gray',
  delete: 'red',
  link: 'amber',
  'release-request': 'violet',
  approve: 'green',
  release: 'green',
  reject: 'red',
  withdraw: 'gray',
  obsolete: 'red',
  reactivate: 'blue',
};

/** Metadata and history of one file, with a download per revision. */
export function FileDetail({
  slug,
  initial,
  me,
  onAction,
  onClose,
}: {
  slug: string;
  initial: FileInfo;
  me: User;
  onAction: (m: FileModal) => void;
  onClose: () => void;
}) {
  const fileQ = useFile(slug, initial.path);
  const file = fileQ.data ?? initial;
  const historyPath = file.link ?? file.path;
  const history = useHistory(slug, historyPath);
  const fields = Object.entries(file.fields);
  const [tab, setTab] = useState<'details' | 'preview'>('details');

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
      <Tabs.Root value={tab} onValueChange={(v) => setTab(v as typeof tab)} className="flex min-h-0 flex-1 flex-col">
        <Tabs.List className="flex gap-1 border-b border-slate-200 px-4 pt-2 dark:border-slate-800" aria-label="File view">
          {(['details', 'preview'] as const).map((t) => (
            <Tabs.Trigger
              key={t}
              value={t}
              className="-mb-px border-b-2 border-transparent px-3 py-1.5 text-sm font-medium capitalize muted data-[state=active]:border-indigo-500 data-[state=active]:text-indigo-700 dark:data-[state=active]:text-indigo-300"
            >
              {t}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <Tabs.Content value="preview" className="flex-1 overflow-y-auto px-4 py-4">
          <FilePreview slug={slug} path={historyPath} rev={file.commit} />
        </Tabs.Content>
        {/* Kept mounted while hidden: the history compare keeps its picks across a look at the preview. */}
        <Tabs.Content value="details" forceMount className="flex-1 space-y-5 overflow-y-auto px-4 py-4 data-[state=inactive]:hidden">
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

          <section aria-labelledby="history-title">
            <h3 id="history-title" className="mb-2 text-sm font-semibold">
              History
            </h3>
            {history.isPending && <Spinner label="Loading history" />}
            <ErrorText error={history.error} />
            <HistoryCompare slug={slug} path={historyPath} history={history.data} />
            <ol className="space-y-2" data-testid="history">
              {history.data?.map((h) => (
                <li
                  key={h.commit}
                  className="rounded-md border border-slate-200 px-3 py-2 dark:border-slate-800"
                  data-testid={`history-${h.revision}`}
                >
                  <div className="flex items-center justify-between gap-2">
                    <div className="flex min-w-0 items-center gap-2">
                      <span className="font-mono text-sm font-semibold">Rev {h.revision}</span>
                      <Badge tone={ACTION_TONE[h.action] ?? 'gray'}>{h.action}</Badge>
                      {h.state !== 'wip' && <span className="text-xs muted">{STATE_LABEL[h.state]}</span>}
                    </div>
                    {h.action !== 'delete' && (
                      <a
                        href={api.fileContent(slug, historyPath, h.commit)}
                        download={revisionedName(file.name, h.revision)}
                        className="btn btn-ghost btn-sm"
                        aria-label={`Download revision ${h.revision} (${h.commit.slice(0, 7)})`}
                      >
                        <DownloadIcon />
                      </a>
                    )}
                  </div>
                  <p className="mt-1 text-sm break-words whitespace-pre-line">{h.message}</p>
                  {h.approvals && h.approvals.length > 0 && (
                    <p className="mt-0.5 text-xs text-slate-600 dark:text-slate-300">
                      Signed by {h.approvals.map((a) => `${a.user} (${shortTime(a.at)}${a.comment ? `: “${a.comment}”` : ''})`).join(', ')}
                    </p>
                  )}
                  <p className="mt-0.5 text-xs muted" title={fullTime(h.date)}>
                    {h.author} · {shortTime(h.date)} · <span className="font-mono">{h.commit.slice(0, 7)}</span>
                  </p>
                </li>
              ))}
            </ol>
          </section>
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}
