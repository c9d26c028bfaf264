import { memo } from 'react';
import type { FileInfo, User } from '@lockstep/protocol';
import { fileSize, fullTime, shortTime } from '../lib/format';
import type { FileModal } from '../modals/common';
import { FileActions } from './FileActions';
import { StateBadge, StatusBadge } from './ui';

/**
 * The column tracks the header and every row share. All but the name are fixed widths, so every
 * row lines up whatever buttons it holds (the actions wrap inside their column). `narrow` drops
 * the Modified column while the detail panel takes room.
 */
export function rowColumns(narrow: boolean): string {
  const md = 'md:grid-cols-[minmax(0,1fr)_2.5rem_11rem_11rem]';
  return narrow ? md : `${md} xl:grid-cols-[minmax(0,1fr)_3rem_14rem_8rem_14rem]`;
}

/**
 * One file of the browser. Phones get a card (name on its own lines, wrapped, never cut; status
 * and actions below); from `md` up a row of columns. `narrow` is set while the detail panel takes
 * room: the Modified column then gives way so the name keeps its extension visible. Memoised: a
 * scroll re-renders the list, and only the rows that come into view should render (bench/web-scroll.ts).
 */
export const FileRow = memo(function FileRow({
  slug,
  file: f,
  me,
  selected,
  narrow,
  onSelect,
  onAction,
}: {
  slug: string;
  file: FileInfo;
  me: User;
  selected: boolean;
  narrow: boolean;
  onSelect: (path: string) => void;
  onAction: (m: FileModal) => void;
}) {
  const folder = f.path !== f.name ? f.path.slice(0, -f.name.length - 1) : null;
  const sub = [folder, f.partNumber, f.description].filter(Boolean).join(' · ');
  return (
    <div
      role="row"
      data-testid={`file-row-${f.path}`}
      data-group={f.group || 'Miscellaneous'}
      data-status={f.status}
      data-state={f.state}
      aria-selected={selected}
      className={`group grid grid-cols-[minmax(0,1fr)_auto] gap-x-3 gap-y-2 border-t border-slate-100 px-3 py-2.5 dark:border-slate-800 ${rowColumns(
        narrow,
      )} md:items-center md:px-4 ${selected ? 'bg-indigo-50/70 dark:bg-indigo-500/10' : 'hover:bg-slate-50 dark:hover:bg-slate-800/40'}`}
    >
      <div role="cell" className="min-w-0">
        <button
          type="button"
          className="block w-full text-left"
          onClick={() => onSelect(f.path)}
          aria-label={`Show details of ${f.path}`}
          data-row-focus={f.path}
        >
          <span className="block font-medium [overflow-wrap:anywhere] text-slate-900 group-hover:text-indigo-700 dark:text-slate-100 dark:group-hover:text-indigo-300">
            {f.link && (
              <span className="mr-1 text-xs muted" title={`Link to ${f.link}`}>
                ↪
              </span>
            )}
            {f.name}
          </span>
          <span className="block text-xs [overflow-wrap:anywhere] text-slate-600 dark:text-slate-400">{sub || fileSize(f.size)}</span>
        </button>
      </div>
      <div role="cell" className="text-right md:text-center">
        <span className="font-mono text-sm font-semibold" title="Revision">
          {f.revision}
        </span>
      </div>
      <div role="cell" className="col-span-2 flex min-w-0 flex-wrap items-start gap-1 md:col-span-1">
        <StateBadge file={f} />
        <StatusBadge file={f} />
      </div>
      {!narrow && (
        <div role="cell" className="hidden min-w-0 text-xs muted xl:block" title={fullTime(f.modifiedAt)}>
          {shortTime(f.modifiedAt)}
          <span className="block [overflow-wrap:anywhere]">{f.modifiedBy}</span>
        </div>
      )}
      <div role="cell" className="col-span-2 md:col-span-1">
        <FileActions slug={slug} file={f} me={me} onAction={onAction} inline />
      </div>
    </div>
  );
});
