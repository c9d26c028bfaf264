import { useEffect, useState } from 'react';
import { createPortal } from 'react-dom';
import { useQuery } from '@tanstack/react-query';
import { api, type FileDiff } from '@lockstep/protocol';
import { get } from '../../api/client';
import { Badge, ErrorText, Spinner } from '../ui';
import { SideBySideHunks, UnifiedHunks } from './DiffHunks';

const FIELD_NAMES: Record<string, string> = { description: 'Description', partNumber: 'Part number', state: 'State' };

function Summary({ diff }: { diff: FileDiff }) {
  return (
    <div className="space-y-2 border-b border-slate-200 px-4 py-3 text-sm dark:border-slate-800" data-testid="diff-summary">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={diff.kind === 'gcode' ? 'blue' : diff.kind === 'binary' ? 'amber' : 'gray'}>
          {diff.kind === 'gcode' ? 'G-code' : diff.kind}
        </Badge>
        <span className="font-medium">
          +{diff.added} −{diff.removed}
        </span>
        {diff.identical && <span className="muted">{diff.kind === 'binary' ? diff.message : 'No differences'}</span>}
        {!diff.aligned && <Badge tone="amber">too different to align: shown as a replacement</Badge>}
        {diff.truncated && <Badge tone="amber">long diff cut short</Badge>}
      </div>
      {diff.summary && (
        <p className="font-mono text-sm" data-testid="gcode-summary">
          {diff.summary.text}
        </p>
      )}
      {diff.kind === 'binary' && !diff.identical && <p data-testid="binary-summary">{diff.message}</p>}
      {diff.kind === 'binary' && diff.from && (
        <p className="font-mono text-xs muted">
          {diff.from.sha.slice(0, 12)} ({diff.from.size} B) → {diff.to.sha.slice(0, 12)} ({diff.to.size} B)
        </p>
      )}
      {diff.metadata.length > 0 && (
        <ul className="space-y-0.5 text-xs" aria-label="Metadata changes">
          {diff.metadata.map((m) => (
            <li key={m.field}>
              <span className="font-medium">{FIELD_NAMES[m.field] ?? m.field.replace(/^fields\./, '')}:</span>{' '}
              <span className="text-rose-700 line-through dark:text-rose-300">{m.before ?? '—'}</span> →{' '}
              <span className="text-emerald-700 dark:text-emerald-300">{m.after ?? '—'}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Full-screen comparison of two revisions: summary on top, unified or side-by-side hunks. */
export function CompareView({
  slug,
  path,
  from,
  to,
  onClose,
}: {
  slug: string;
  path: string;
  from: string | undefined;
  to: string | undefined;
  onClose: () => void;
}) {
  const [ignoreFormatting, setIgnore] = useState(true);
  const [mode, setMode] = useState<'unified' | 'split'>(() => (window.innerWidth < 900 ? 'unified' : 'split'));
  const q = useQuery({
    queryKey: ['diff', slug, path, from, to, ignoreFormatting],
    queryFn: () => get<FileDiff>(api.fileDiff(slug, path, { from, to, ignoreFormatting })),
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const d = q.data;
  const gcode = d?.kind === 'gcode';

  // A portal: the file panel it opens from may be a containing block for fixed elements.
  return createPortal(
    <div className="fixed inset-0 z-50 flex bg-slate-950/50 sm:p-4" onClick={onClose}>
      <div
        role="dialog"
        aria-modal="true"
        aria-label="Compare revisions"
        className="card mx-auto flex w-full max-w-7xl flex-col overflow-hidden rounded-none sm:rounded-lg"
        onClick={(e) => e.stopPropagation()}
      >
        <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
          <h2 className="mr-auto min-w-0 truncate font-semibold">
            {path.split('/').pop()}{' '}
            <span className="font-mono text-sm">
              {d ? `Rev ${d.from?.revision ?? '∅'} → Rev ${d.to.revision}` : `${from ?? 'previous'} → ${to ?? 'latest'}`}
            </span>
          </h2>
          <label className="flex items-center gap-1.5 text-sm">
            <input type="checkbox" checked={ignoreFormatting} onChange={(e) => setIgnore(e.target.checked)} />
            Ignore formatting
          </label>
          <div className="inline-flex rounded-md border border-slate-300 dark:border-slate-600" role="group" aria-label="Diff layout">
            {(['split', 'unified'] as const).map((m) => (
              <button
                key={m}
                type="button"
                aria-pressed={mode === m}
                className={`btn btn-sm rounded-none ${mode === m ? 'bg-indigo-600 text-white' : 'btn-ghost'}`}
                onClick={() => setMode(m)}
              >
                {m === 'split' ? 'Side by side' : 'Unified'}
              </button>
            ))}
          </div>
          <button type="button" className="btn btn-ghost btn-sm" onClick={onClose} aria-label="Close comparison">
            ×
          </button>
        </div>
        {q.isPending && (
          <div className="p-4">
            <Spinner label="Comparing" />
          </div>
        )}
        <div className="px-4">
          <ErrorText error={q.error} />
        </div>
        {d && <Summary diff={d} />}
        {d && (
          <div className="flex-1 overflow-auto">
            {d.hunks.length === 0 && d.kind !== 'binary' && <p className="p-4 text-sm muted">{d.message}</p>}
            {mode === 'split' ? <SideBySideHunks hunks={d.hunks} gcode={gcode} /> : <UnifiedHunks hunks={d.hunks} gcode={gcode} />}
          </div>
        )}
      </div>
    </div>,
    document.body,
  );
}
