import { api, type FileInfo, type HistoryEntry } from '@lockstep/protocol';
import { fullTime, revisionedName, shortTime } from '../lib/format';
import { STATE_LABEL } from '../lib/lifecycle';
import { HistoryCompare } from './compare/HistoryCompare';
import { Badge, DownloadIcon, ErrorText, Spinner, type Tone } from './ui';

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

/**
 * The History tab of the detail panel: every change of the file, newest first, each revision
 * downloadable under its revisioned name, and a compare of any two.
 */
export function FileHistory({
  slug,
  file,
  path,
  history,
}: {
  slug: string;
  file: FileInfo;
  /** The path whose history this is (a link's target). */
  path: string;
  history: { data?: HistoryEntry[]; isPending: boolean; error: unknown };
}) {
  return (
    <section aria-label="History">
      {history.isPending && <Spinner label="Loading history" />}
      <ErrorText error={history.error} />
      <HistoryCompare slug={slug} path={path} history={history.data} />
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
                  href={api.fileContent(slug, path, h.commit)}
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
  );
}
