import { useState } from 'react';
import type { HistoryEntry } from '@lockstep/protocol';
import { CompareView } from './CompareView';

/** Pick two revisions of a file (default: the last two) and open the comparison. */
export function HistoryCompare({ slug, path, history }: { slug: string; path: string; history: HistoryEntry[] | undefined }) {
  const live = (history ?? []).filter((h) => h.action !== 'delete');
  const newest = live[0];
  const previous = live.find((h) => h.revision !== newest?.revision) ?? live[1];
  const [to, setTo] = useState<string | null>(null);
  const [from, setFrom] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  if (live.length < 2 || !newest || !previous) return null;
  const toCommit = to ?? newest.commit;
  const fromCommit = from ?? previous.commit;
  const label = (h: HistoryEntry) => `Rev ${h.revision} · ${h.commit.slice(0, 7)}`;
  const pick = (value: string, onChange: (v: string) => void, name: string) => (
    <select
      className="input h-8 min-w-[9rem] flex-1 py-0 text-xs"
      aria-label={name}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    >
      {live.map((h) => (
        <option key={h.commit} value={h.commit}>
          {label(h)}
        </option>
      ))}
    </select>
  );
  return (
    <div className="mb-3 flex flex-wrap items-center gap-2" data-testid="history-compare">
      {pick(fromCommit, setFrom, 'Compare from')}
      <span aria-hidden="true">→</span>
      {pick(toCommit, setTo, 'Compare to')}
      <button type="button" className="btn btn-secondary btn-sm" onClick={() => setOpen(true)} disabled={fromCommit === toCommit}>
        Compare
      </button>
      {open && <CompareView slug={slug} path={path} from={fromCommit} to={toCommit} onClose={() => setOpen(false)} />}
    </div>
  );
}
