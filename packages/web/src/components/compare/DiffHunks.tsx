import type { DiffHunk, DiffLine } from '@lockstep/protocol';
import { CodeText } from './GcodeLine';

const ROW: Record<DiffLine['op'], string> = {
  ' ': '',
  '+': 'bg-emerald-50 dark:bg-emerald-950/50',
  '-': 'bg-rose-50 dark:bg-rose-950/50',
};
const MARK: Record<DiffLine['op'], string> = {
  ' ': 'text-slate-400',
  '+': 'text-emerald-700 dark:text-emerald-300',
  '-': 'text-rose-700 dark:text-rose-300',
};
const num = 'w-10 shrink-0 select-none pr-2 text-right text-slate-400 dark:text-slate-500';

const header = (h: DiffHunk) => `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`;

function HunkHeader({ hunk }: { hunk: DiffHunk }) {
  return <div className="bg-indigo-50 px-2 py-1 text-indigo-800 dark:bg-indigo-950/60 dark:text-indigo-200">{header(hunk)}</div>;
}

export function UnifiedHunks({ hunks, gcode }: { hunks: DiffHunk[]; gcode: boolean }) {
  return (
    <div className="font-mono text-xs" data-testid="diff-unified">
      {hunks.map((h, i) => (
        <div key={i} className="border-b border-slate-200 dark:border-slate-800">
          <HunkHeader hunk={h} />
          {h.lines.map((l, j) => (
            <div key={j} className={`flex ${ROW[l.op]}`} data-op={l.op === ' ' ? 'context' : l.op === '+' ? 'added' : 'removed'}>
              <span className={num}>{l.oldLine ?? ''}</span>
              <span className={num}>{l.newLine ?? ''}</span>
              <span className={`w-4 shrink-0 select-none ${MARK[l.op]}`}>{l.op}</span>
              <span className="min-w-0 whitespace-pre-wrap break-all" title={l.oldText ? `was: ${l.oldText}` : undefined}>
                <CodeText text={l.text} gcode={gcode} />
              </span>
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}

interface Cell {
  line?: number;
  text?: string;
  op: DiffLine['op'];
}

/** Rows of (old, new): context on both sides, runs of removals paired with the additions after them. */
function pairRows(lines: DiffLine[]): Array<[Cell | null, Cell | null]> {
  const rows: Array<[Cell | null, Cell | null]> = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.op === ' ') {
      const left = l.oldLine !== undefined ? { line: l.oldLine, text: l.oldText ?? l.text, op: l.op } : null;
      const right = l.newLine !== undefined ? { line: l.newLine, text: l.text, op: l.op } : null;
      rows.push([left, right]);
      i++;
      continue;
    }
    const removed: DiffLine[] = [];
    const added: DiffLine[] = [];
    while (i < lines.length && lines[i]!.op === '-') removed.push(lines[i++]!);
    while (i < lines.length && lines[i]!.op === '+') added.push(lines[i++]!);
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      const r = removed[k];
      const a = added[k];
      rows.push([r ? { line: r.oldLine, text: r.text, op: '-' } : null, a ? { line: a.newLine, text: a.text, op: '+' } : null]);
    }
  }
  return rows;
}

function SideCell({ cell, gcode }: { cell: Cell | null; gcode: boolean }) {
  if (!cell) return <div className="flex min-w-0 bg-slate-100/60 dark:bg-slate-800/40" />;
  return (
    <div className={`flex min-w-0 ${ROW[cell.op]}`} data-op={cell.op === ' ' ? 'context' : cell.op === '+' ? 'added' : 'removed'}>
      <span className={num}>{cell.line ?? ''}</span>
      <span className={`w-4 shrink-0 select-none ${MARK[cell.op]}`}>{cell.op === ' ' ? '' : cell.op}</span>
      <span className="min-w-0 whitespace-pre-wrap break-all">
        <CodeText text={cell.text ?? ''} gcode={gcode} />
      </span>
    </div>
  );
}

export function SideBySideHunks({ hunks, gcode }: { hunks: DiffHunk[]; gcode: boolean }) {
  return (
    <div className="font-mono text-xs" data-testid="diff-split">
      {hunks.map((h, i) => (
        <div key={i} className="border-b border-slate-200 dark:border-slate-800">
          <HunkHeader hunk={h} />
          {pairRows(h.lines).map(([left, right], j) => (
            <div key={j} className="grid grid-cols-2 divide-x divide-slate-200 dark:divide-slate-800">
              <SideCell cell={left} gcode={gcode} />
              <SideCell cell={right} gcode={gcode} />
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
