import { useEffect, useMemo, useRef, useState } from 'react';
import type { FileInfo, FileSort, FileStatus } from '@lockstep/protocol';
import { canEdit, useMe } from '../api/auth';
import { ApiError } from '../api/client';
import { useFiles, useProjects } from '../api/queries';
import { Field } from '../components/Field';
import { FileDetail } from '../components/FileDetail';
import { FileGroup } from '../components/FileGroup';
import { GitAccess } from '../components/GitAccess';
import { Link } from '../components/Layout';
import { EmptyState, ErrorText, Spinner } from '../components/ui';
import { CheckinModal } from '../modals/CheckinModal';
import { CheckoutModal } from '../modals/CheckoutModal';
import type { FileModal } from '../modals/common';
import { EditMetadataModal } from '../modals/EditMetadataModal';
import { CancelModal, DeleteModal, OverrideModal } from '../modals/LockModals';
import { UploadModal } from '../modals/UploadModal';
import { SyncBadge } from './ProjectsPage';

const SORTS: Array<[FileSort, string]> = [
  ['group', 'Group'],
  ['name', 'Name'],
  ['path', 'Path'],
  ['-modified', 'Recently modified'],
  ['modified', 'Oldest modified'],
  ['revision', 'Revision'],
  ['status', 'Status'],
];

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Group order: NNXXXXX ascending, Miscellaneous last. */
function groupFiles(items: FileInfo[]): Array<[string, FileInfo[]]> {
  const map = new Map<string, FileInfo[]>();
  for (const f of items) {
    const g = f.group || 'Miscellaneous';
    map.get(g)?.push(f) ?? map.set(g, [f]);
  }
  return [...map.entries()].sort(([a], [b]) => (a === 'Miscellaneous' ? 1 : b === 'Miscellaneous' ? -1 : a.localeCompare(b)));
}

export function FileBrowserPage({ slug }: { slug: string }) {
  const me = useMe();
  const projects = useProjects();
  const project = projects.data?.find((p) => p.slug === slug);
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 200);
  const [sort, setSort] = useState<FileSort>('group');
  const [status, setStatus] = useState<FileStatus | ''>('');
  const files = useFiles(slug, { q: q || undefined, sort, status: status || undefined });
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [selected, setSelected] = useState<string | null>(null);
  const [modal, setModal] = useState<FileModal | null>(null);

  const groups = useMemo(() => groupFiles(files.data?.items ?? []), [files.data]);
  const selectedFile = files.data?.items.find((f) => f.path === selected) ?? null;
  const lockedCount = files.data?.items.filter((f) => f.status !== 'available').length ?? 0;
  const toggle = (g: string) =>
    setCollapsed((s) => {
      const n = new Set(s);
      if (n.has(g)) n.delete(g);
      else n.add(g);
      return n;
    });

  // On narrow screens the panel is an overlay: move focus into it when it opens.
  const panelRef = useRef<HTMLElement>(null);
  const selectedPath = selectedFile?.path;
  useEffect(() => {
    if (selectedPath && matchMedia('(max-width: 1023px)').matches) panelRef.current?.focus();
  }, [selectedPath]);

  // Esc closes the details panel (modals handle their own Esc first).
  useEffect(() => {
    if (!selected || modal) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setSelected(null);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [selected, modal]);

  // The selected file disappeared (deleted, or filtered out): close the panel.
  useEffect(() => {
    if (selected && files.data && !files.isFetching && !selectedFile) setSelected(null);
  }, [selected, selectedFile, files.data, files.isFetching]);

  const notFound = files.error instanceof ApiError && files.error.status === 404;
  if (notFound)
    return (
      <EmptyState title={`Project “${slug}” does not exist`}>
        <Link href="/" className="text-indigo-600 underline dark:text-indigo-300">
          Back to projects
        </Link>
      </EmptyState>
    );

  return (
    <div className={`grid gap-6 ${selectedFile ? 'lg:grid-cols-[minmax(0,1fr)_24rem]' : ''}`}>
      <div className="min-w-0">
        <nav aria-label="Breadcrumb" className="mb-1 text-sm muted">
          <Link href="/" className="hover:underline">
            Projects
          </Link>{' '}
          / <span className="font-mono">{slug}</span>
        </nav>
        <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
          <div className="min-w-0">
            <h1 className="flex items-center gap-3 text-2xl font-semibold tracking-tight">
              <span className="truncate">{project?.name ?? slug}</span>
              {project && <SyncBadge project={project} />}
            </h1>
            <p className="text-sm muted">
              {files.data ? `${files.data.total} file${files.data.total === 1 ? '' : 's'} · ${lockedCount} checked out` : '\u00a0'}
              {project?.description ? ` · ${project.description}` : ''}
            </p>
          </div>
          {canEdit(me) && (
            <button type="button" className="btn btn-primary" onClick={() => setModal({ kind: 'upload' })}>
              <span aria-hidden="true">+</span> Upload files
            </button>
          )}
        </div>

        <GitAccess slug={slug} username={me.username} canPush={canEdit(me)} />

        <div className="card mb-4 flex flex-wrap items-end gap-3 p-3" role="search">
          <Field
            wrap="min-w-[14rem] flex-1"
            id="file-search"
            label="Search"
            type="search"
            placeholder="Name, description or part number"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <Field as="select" id="file-sort" label="Sort" value={sort} onChange={(e) => setSort(e.target.value as FileSort)}>
            {SORTS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </Field>
          <Field as="select" id="file-status" label="Status" value={status} onChange={(e) => setStatus(e.target.value as FileStatus | '')}>
            <option value="">All files</option>
            <option value="available">Available</option>
            <option value="checked_out_by_me">Checked out by me</option>
            <option value="locked">Locked by others</option>
          </Field>
          <div className="flex gap-1">
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setCollapsed(new Set())}>
              Expand all
            </button>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setCollapsed(new Set(groups.map(([g]) => g)))}>
              Collapse all
            </button>
          </div>
        </div>

        {files.isPending && <Spinner label="Loading files" />}
        <ErrorText error={files.error} />
        {files.data && files.data.items.length === 0 && (
          <EmptyState title={q || status ? 'No files match' : 'This project has no files yet'}>
            {q || status ? 'Try another search or status filter.' : canEdit(me) ? 'Upload the first CNC program or CAD model.' : null}
          </EmptyState>
        )}
        <div className={`space-y-3 transition-opacity ${files.isPlaceholderData ? 'opacity-60' : ''}`}>
          {groups.map(([g, items]) => (
            <FileGroup
              key={g}
              slug={slug}
              group={g}
              items={items}
              me={me}
              collapsed={collapsed.has(g)}
              onToggle={() => toggle(g)}
              selected={selected}
              onSelect={(p) => setSelected(p === selected ? null : p)}
              onAction={setModal}
            />
          ))}
        </div>
        {files.data && files.data.total > files.data.items.length && (
          <p className="mt-3 text-sm muted">
            Showing {files.data.items.length} of {files.data.total} files: refine the search to narrow the list.
          </p>
        )}
      </div>

      {selectedFile && (
        <div className="fixed inset-0 z-30 bg-slate-950/40 lg:hidden" aria-hidden="true" onClick={() => setSelected(null)} />
      )}
      {selectedFile && (
        <aside
          ref={panelRef}
          tabIndex={-1}
          aria-label="File details"
          className="card fixed inset-y-0 right-0 z-40 outline-none w-[min(26rem,100vw)] rounded-none shadow-2xl lg:sticky lg:top-20 lg:z-auto lg:h-[calc(100vh-6.5rem)] lg:w-auto lg:rounded-lg lg:shadow-sm"
        >
          <FileDetail
            key={selectedFile.path}
            slug={slug}
            initial={selectedFile}
            me={me}
            onAction={setModal}
            onClose={() => setSelected(null)}
          />
        </aside>
      )}

      {modal?.kind === 'upload' && <UploadModal slug={slug} onClose={() => setModal(null)} />}
      {modal?.kind === 'checkout' && <CheckoutModal slug={slug} file={modal.file} onClose={() => setModal(null)} />}
      {modal?.kind === 'checkin' && <CheckinModal slug={slug} file={modal.file} onClose={() => setModal(null)} />}
      {modal?.kind === 'cancel' && <CancelModal slug={slug} file={modal.file} onClose={() => setModal(null)} />}
      {modal?.kind === 'override' && <OverrideModal slug={slug} file={modal.file} onClose={() => setModal(null)} />}
      {modal?.kind === 'delete' && <DeleteModal slug={slug} file={modal.file} onClose={() => setModal(null)} />}
      {modal?.kind === 'edit' && <EditMetadataModal slug={slug} file={modal.file} onClose={() => setModal(null)} />}
    </div>
  );
}
