import type { FileInfo, User } from '@lockstep/protocol';
import { fileSize, fullTime, shortTime } from '../lib/format';
import type { FileModal } from '../modals/common';
import { FileActions } from './FileActions';
import { StatusBadge } from './ui';

interface Props {
  slug: string;
  group: string;
  items: FileInfo[];
  me: User;
  collapsed: boolean;
  onToggle: () => void;
  selected: string | null;
  onSelect: (path: string) => void;
  onAction: (m: FileModal) => void;
}

/** One collapsible part-number group with its files. */
export function FileGroup({ slug, group, items, me, collapsed, onToggle, selected, onSelect, onAction }: Props) {
  const locked = items.filter((f) => f.status !== 'available').length;
  const bodyId = `group-${group}`;
  return (
    <section className="card overflow-hidden" data-testid={`group-${group}`} aria-label={`Group ${group}`}>
      <h2>
        <button
          type="button"
          aria-expanded={!collapsed}
          aria-controls={bodyId}
          onClick={onToggle}
          className="flex w-full items-center gap-3 bg-slate-50 px-4 py-2.5 text-left hover:bg-slate-100 dark:bg-slate-800/50 dark:hover:bg-slate-800"
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
          <span
            className="rounded-full bg-slate-200 px-2 py-0.5 text-xs font-medium dark:bg-slate-700"
            aria-label={`${items.length} files`}
          >
            {items.length}
          </span>
          {locked > 0 && <span className="text-xs font-medium text-amber-700 dark:text-amber-300">{locked} checked out</span>}
        </button>
      </h2>
      {!collapsed && (
        <div id={bodyId} className="overflow-x-auto">
          <table className="w-full table-fixed">
            <thead className="sr-only">
              <tr>
                <th>File</th>
                <th>Revision</th>
                <th>Status</th>
                <th>Modified</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {items.map((f) => (
                <tr
                  key={f.path}
                  data-testid={`file-row-${f.path}`}
                  data-status={f.status}
                  aria-selected={selected === f.path}
                  className={`group ${selected === f.path ? 'bg-indigo-50/70 dark:bg-indigo-500/10' : 'hover:bg-slate-50 dark:hover:bg-slate-800/40'}`}
                >
                  <td className="td w-[34%]">
                    <button
                      type="button"
                      className="block max-w-full text-left"
                      onClick={() => onSelect(f.path)}
                      aria-label={`Show details of ${f.path}`}
                    >
                      <span className="block truncate font-medium text-slate-900 group-hover:text-indigo-700 dark:text-slate-100 dark:group-hover:text-indigo-300">
                        {f.link && (
                          <span className="mr-1 text-xs muted" title={`Link to ${f.link}`}>
                            ↪
                          </span>
                        )}
                        {f.name}
                      </span>
                      <span className="block truncate text-xs muted">
                        {[f.path !== f.name ? f.path.slice(0, -f.name.length - 1) : null, f.partNumber, f.description]
                          .filter(Boolean)
                          .join(' · ') || fileSize(f.size)}
                      </span>
                    </button>
                  </td>
                  <td className="td w-16 text-center">
                    <span className="font-mono text-sm font-semibold" title="Revision">
                      {f.revision}
                    </span>
                  </td>
                  <td className="td">
                    <StatusBadge file={f} />
                  </td>
                  <td className="td hidden w-40 text-xs muted lg:table-cell" title={fullTime(f.modifiedAt)}>
                    {shortTime(f.modifiedAt)}
                    <span className="block truncate">{f.modifiedBy}</span>
                  </td>
                  <td className="td w-[12.5rem]">
                    <FileActions slug={slug} file={f} me={me} onAction={onAction} inline />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
