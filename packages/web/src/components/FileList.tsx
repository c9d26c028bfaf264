import { memo, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { measureElement, useWindowVirtualizer } from '@tanstack/react-virtual';
import type { FileInfo, FileSort, User } from '@lockstep/protocol';
import type { FileModal } from '../modals/common';
import { FileRow, rowColumns } from './FileRow';

type Line = { kind: 'group'; group: string; count: number; locked: number } | { kind: 'file'; file: FileInfo };

/** Lines of one shape are mostly one height: a locked row carries a two-line lock text. */
type Shape = 'group' | 'free' | 'held';
const shapeOf = (l: Line | undefined): Shape => (!l || l.kind === 'group' ? 'group' : l.file.status === 'available' ? 'free' : 'held');
const FIRST_GUESS: Record<Shape, number> = { group: 40, free: 61, held: 86 };

/** Group order: NNXXXXX ascending, Miscellaneous last. */
function groupFiles(items: FileInfo[]): Array<[string, FileInfo[]]> {
  const map = new Map<string, FileInfo[]>();
  for (const f of items) {
    const g = f.group || 'Miscellaneous';
    const list = map.get(g);
    if (list) list.push(f);
    else map.set(g, [f]);
  }
  return [...map.entries()].sort(([a], [b]) => (a === 'Miscellaneous' ? 1 : b === 'Miscellaneous' ? -1 : a.localeCompare(b)));
}

export const groupNames = (items: FileInfo[]) => groupFiles(items).map(([g]) => g);

/**
 * The project's files as one virtualised list (TanStack Virtual over the window scroll): only
 * the rows on screen are in the DOM, so 5,000 files scroll like 50. Sorted by group, the list
 * has collapsible group headers; any other sort is global, across the whole project.
 */
export function FileList({
  slug,
  items,
  sort,
  onSort,
  me,
  collapsed,
  onToggle,
  selected,
  narrow,
  onSelect,
  onAction,
}: {
  slug: string;
  items: FileInfo[];
  sort: FileSort;
  onSort: (sort: FileSort) => void;
  me: User;
  collapsed: ReadonlySet<string>;
  onToggle: (group: string) => void;
  selected: string | null;
  narrow: boolean;
  onSelect: (path: string) => void;
  onAction: (m: FileModal) => void;
}) {
  const lines = useMemo<Line[]>(() => {
    if (sort !== 'group') return items.map((file) => ({ kind: 'file', file }));
    const out: Line[] = [];
    for (const [group, files] of groupFiles(items)) {
      out.push({ kind: 'group', group, count: files.length, locked: files.filter((f) => f.status !== 'available').length });
      if (!collapsed.has(group)) for (const file of files) out.push({ kind: 'file', file });
    }
    return out;
  }, [items, sort, collapsed]);

  // Where the list starts on the page: the window virtualiser counts rows from there.
  const bodyRef = useRef<HTMLDivElement>(null);
  const [margin, setMargin] = useState(0);
  useLayoutEffect(() => {
    const el = bodyRef.current;
    if (!el) return;
    const measure = () => setMargin(el.getBoundingClientRect().top + window.scrollY);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(document.body);
    return () => ro.disconnect();
  }, []);

  // Stable between renders (a new getItemKey makes the virtualiser re-measure all 5,000 lines on
  // every scroll frame), and sized from what rows of the same shape measured: a row that comes
  // into view then measures as estimated and nothing below it moves (bench/web-scroll.ts).
  const keys = useMemo(() => lines.map((l) => (l.kind === 'group' ? `g:${l.group}` : `f:${l.file.path}`)), [lines]);
  const getItemKey = useCallback((i: number) => keys[i]!, [keys]);
  const learned = useRef(new Map<string, number>());
  const estimateSize = useCallback(
    (i: number) => {
      const shape = shapeOf(lines[i]);
      return learned.current.get(shape) ?? FIRST_GUESS[shape];
    },
    [lines],
  );
  const measure = useCallback<NonNullable<Parameters<typeof useWindowVirtualizer>[0]['measureElement']>>(
    (el, entry, instance) => {
      const size = measureElement(el, entry, instance);
      const line = lines[Number(el.getAttribute('data-index'))];
      if (line) learned.current.set(shapeOf(line), size);
      return size;
    },
    [lines],
  );

  const virtual = useWindowVirtualizer({
    count: lines.length,
    scrollMargin: margin,
    estimateSize,
    measureElement: measure,
    overscan: 12,
    getItemKey,
  });

  return (
    <div role="table" aria-label="Files" className="card overflow-hidden">
      <ColumnHeaders sort={sort} onSort={onSort} narrow={narrow} />
      <div ref={bodyRef} className="relative w-full" style={{ height: virtual.getTotalSize() }}>
        {virtual.getVirtualItems().map((v) => {
          const line = lines[v.index]!;
          return (
            <div
              key={v.key}
              data-index={v.index}
              ref={virtual.measureElement}
              role="rowgroup"
              className="absolute top-0 left-0 w-full"
              style={{ transform: `translateY(${v.start - virtual.options.scrollMargin}px)` }}
            >
              {line.kind === 'group' ? (
                <GroupHeader
                  group={line.group}
                  count={line.count}
                  locked={line.locked}
                  collapsed={collapsed.has(line.group)}
                  onToggle={onToggle}
                />
              ) : (
                <FileRow
                  slug={slug}
                  file={line.file}
                  me={me}
                  selected={selected === line.file.path}
                  narrow={narrow}
                  onSelect={onSelect}
                  onAction={onAction}
                />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

const GroupHeader = memo(function GroupHeader({
  group,
  count,
  locked,
  collapsed,
  onToggle,
}: {
  group: string;
  count: number;
  locked: number;
  collapsed: boolean;
  onToggle: (g: string) => void;
}) {
  return (
    <div role="row" data-testid={`group-${group}`} className="border-t border-slate-200 first:border-t-0 dark:border-slate-700">
      <div role="cell">
        <h2>
          <button
            type="button"
            aria-expanded={!collapsed}
            onClick={() => onToggle(group)}
            className="flex w-full items-center gap-3 bg-slate-50 px-3 py-2.5 text-left hover:bg-slate-100 md:px-4 dark:bg-slate-800/50 dark:hover:bg-slate-800"
          >
            <svg
              className={`h-4 w-4 shrink-0 transition-transform ${collapsed ? '-rotate-90' : ''}`}
              viewBox="0 0 20 20"
              fill="currentColor"
              aria-hidden="true"
            >
              <path
                fillRule="evenodd"
                d="M5.2 7.2a1 1 0 0 1 1.4 0L10 10.6l3.4-3.4a1 1 0 1 1 1.4 1.4l-4.1 4.1a1 1 0 0 1-1.4 0L5.2 8.6a1 1 0 0 1 0-1.4Z"
              />
            </svg>
            <span className="font-mono text-sm font-semibold">{group}</span>
            <span className="rounded-full bg-slate-200 px-2 py-0.5 text-xs font-medium dark:bg-slate-700" aria-label={`${count} files`}>
              {count}
            </span>
            {locked > 0 && <span className="text-xs font-medium text-amber-800 dark:text-amber-300">{locked} checked out</span>}
          </button>
        </h2>
      </div>
    </div>
  );
});

/** Clickable column headers: the sort is global (server-side), the same as the Sort menu. */
function ColumnHeaders({ sort, onSort, narrow }: { sort: FileSort; onSort: (s: FileSort) => void; narrow: boolean }) {
  const head = (label: string, asc: FileSort | null, desc: FileSort | null, className = '') => {
    const active = sort === asc || sort === desc;
    const next = sort === asc && desc ? desc : (asc ?? desc)!;
    return (
      <div role="columnheader" aria-sort={!active ? 'none' : sort.startsWith('-') ? 'descending' : 'ascending'} className={className}>
        <button
          type="button"
          className={`inline-flex items-center gap-1 rounded text-xs font-semibold tracking-wide uppercase hover:text-slate-900 dark:hover:text-white ${
            active ? 'text-indigo-700 dark:text-indigo-300' : 'text-slate-600 dark:text-slate-300'
          }`}
          onClick={() => onSort(next)}
        >
          {label}
          <span aria-hidden="true">{active ? (sort.startsWith('-') ? '↓' : '↑') : '↕'}</span>
        </button>
      </div>
    );
  };
  return (
    <div role="rowgroup" className="hidden border-b border-slate-200 bg-white px-4 py-2 md:block dark:border-slate-700 dark:bg-slate-900">
      <div role="row" className={`grid items-center gap-x-3 ${rowColumns(narrow)}`}>
        {head('Name', 'name', null)}
        {head('Rev', 'revision', null, 'text-center')}
        {head('Status', 'status', null)}
        {!narrow && head('Modified', '-modified', 'modified', 'hidden xl:block')}
        <div role="columnheader" className="text-right text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-300">
          <button type="button" className="rounded hover:underline" onClick={() => onSort('group')} aria-label="Group by part number">
            {sort === 'group' ? 'Grouped' : 'Group'}
          </button>
        </div>
      </div>
    </div>
  );
}
