import { useCallback, useEffect, useRef, useState } from 'react';
import { getRouteApi } from '@tanstack/react-router';
import type { FileSort, FileState, FileStatus } from '@lockstep/protocol';
import { canEdit, useMe } from '../api/auth';
import { ApiError } from '../api/client';
import { useFiles, useProjects } from '../api/queries';
import { Field } from '../components/Field';
import { FileDetail, type FileView } from '../components/FileDetail';
import { FileList, groupNames } from '../components/FileList';
import { GitAccess } from '../components/GitAccess';
import { Link } from '../components/Layout';
import { useOnline } from '../components/OutageBar';
import { useRememberedSet } from '../lib/useRemembered';
import { EmptyState, ErrorText, Spinner } from '../components/ui';
import { CheckinModal } from '../modals/CheckinModal';
import { CheckoutModal } from '../modals/CheckoutModal';
import type { FileModal } from '../modals/common';
import { EditMetadataModal } from '../modals/EditMetadataModal';
import { CancelModal, DeleteModal, OverrideModal } from '../modals/LockModals';
import { LifecycleModal } from '../modals/LifecycleModals';
import { UploadModal } from '../modals/UploadModal';
import { SyncBadge } from './ProjectsPage';

const route = getRouteApi('/projects/$slug');

const SORTS: Array<[FileSort, string]> = [
  ['group', 'Group (part number)'],
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

export function FileBrowserPage({ slug }: { slug: string }) {
  const me = useMe();
  const projects = useProjects();
  const project = projects.data?.find((p) => p.slug === slug);
  // Search, sort and status live in the URL: a view can be linked and survives a reload.
  const params = route.useSearch();
  const nav = route.useNavigate();
  const sort: FileSort = params.sort ?? 'group';
  const status: FileStatus | '' = params.status ?? '';
  const state: FileState | '' = params.state ?? '';
  const [search, setSearch] = useState(params.q ?? '');
  const q = useDebounced(search.trim(), 200);
  useEffect(() => {
    if ((params.q ?? '') !== q) void nav({ search: (p) => ({ ...p, q: q || undefined }), replace: true });
  }, [q]); // only when the debounced text changes: the URL follows the field, not the reverse
  const setSort = (next: FileSort) => void nav({ search: (p) => ({ ...p, sort: next === 'group' ? undefined : next }), replace: true });
  const setStatus = (next: FileStatus | '') => void nav({ search: (p) => ({ ...p, status: next || undefined }), replace: true });
  const setState = (next: FileState | '') => void nav({ search: (p) => ({ ...p, state: next || undefined }), replace: true });
  const files = useFiles(slug, { q: q || undefined, sort, status: status || undefined, state: state || undefined });
  const [collapsed, setCollapsed] = useRememberedSet(`lockstep.collapsed.${slug}`);
  // The open file is in the URL too: a notification links straight to it.
  const selected = params.file ?? null;
  // The tab stays while another file is picked (the histories of several files, one after another).
  const setSelected = (path: string | null) =>
    void nav({ search: (p) => ({ ...p, file: path ?? undefined, view: path ? p.view : undefined }), replace: true });
  const view: FileView = params.view ?? 'details';
  const setView = (v: FileView) => void nav({ search: (p) => ({ ...p, view: v === 'details' ? undefined : v }), replace: true });
  const [modal, setModal] = useState<FileModal | null>(null);
  // Stable while the selection stays: the list's rows are memoised on their props.
  const toggleSelected = useCallback((p: string) => setSelected(p === selected ? null : p), [selected]);
  const online = useOnline();

  const selectedFile = files.data?.items.find((f) => f.path === selected) ?? null;
  const lockedCount = files.data?.items.filter((f) => f.status !== 'available').length ?? 0;
  const toggle = useCallback(
    (g: string) => {
      const n = new Set(collapsed);
      if (n.has(g)) n.delete(g);
      else n.add(g);
      setCollapsed(n);
    },
    [collapsed],
  );

  // Opening the panel moves focus into it; closing it (Esc, ×) returns focus to the file's row.
  const panelRef = useRef<HTMLElement>(null);
  const selectedPath = selectedFile?.path;
  const lastSelected = useRef<string | null>(null);
  useEffect(() => {
    if (selectedPath) {
      lastSelected.current = selectedPath;
      panelRef.current?.focus();
    } else if (lastSelected.current) {
      const path = lastSelected.current;
      lastSelected.current = null;
      document.querySelector<HTMLElement>(`[data-row-focus="${CSS.escape(path)}"]`)?.focus();
    }
  }, [selectedPath]);

  // Esc closes the details panel (modals handle their own Esc first).
  useEffect(() => {
    if (!selected || modal) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('[role="dialog"],[role="menu"]')) setSelected(null);
    };
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
            <h1 className="flex flex-wrap items-center gap-x-3 gap-y-1 text-2xl font-semibold tracking-tight">
              <span className="min-w-0 break-words">{project?.name ?? slug}</span>
              {project && <SyncBadge project={project} />}
            </h1>
            <p className="text-sm muted">
              {files.data ? `${files.data.total} file${files.data.total === 1 ? '' : 's'} · ${lockedCount} checked out` : '\u00a0'}
              {project?.description ? ` · ${project.description}` : ''}
            </p>
          </div>
          {canEdit(me) && (
            <button
              type="button"
              className="btn btn-primary"
              disabled={!online}
              title={online ? undefined : 'Waiting for the connection to come back'}
              onClick={() => setModal({ kind: 'upload' })}
            >
              <span aria-hidden="true">+</span> Upload files
            </button>
          )}
        </div>

        <GitAccess slug={slug} username={me.username} canPush={canEdit(me)} />

        <div className="card mb-4 flex flex-wrap items-end gap-3 p-3" role="search">
          <Field
            wrap="min-w-0 basis-full flex-1 sm:basis-auto sm:min-w-[14rem]"
            id="file-search"
            label="Search"
            type="search"
            placeholder="Name, description or part number"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <Field
            as="select"
            id="file-sort"
            wrap="min-w-0 basis-full sm:basis-auto sm:flex-none"
            label="Sort"
            value={sort}
            onChange={(e) => setSort(e.target.value as FileSort)}
          >
            {SORTS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </Field>
          <Field
            as="select"
            id="file-status"
            wrap="min-w-0 flex-1 sm:flex-none"
            label="Status"
            value={status}
            onChange={(e) => setStatus(e.target.value as FileStatus | '')}
          >
            <option value="">All files</option>
            <option value="available">Available</option>
            <option value="checked_out_by_me">Checked out by me</option>
            <option value="locked">Locked by others</option>
          </Field>
          <Field
            as="select"
            id="file-state"
            wrap="min-w-0 flex-1 sm:flex-none"
            label="State"
            value={state}
            onChange={(e) => setState(e.target.value as FileState | '')}
          >
            <option value="">All</option>
            <option value="wip">WIP</option>
            <option value="in_review">In review</option>
            <option value="released">Released</option>
            <option value="obsolete">Obsolete</option>
          </Field>
          {sort === 'group' && (
            <div className="flex w-full justify-end gap-1 sm:w-auto">
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setCollapsed(new Set())}>
                Expand all
              </button>
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                onClick={() => setCollapsed(new Set(groupNames(files.data?.items ?? [])))}
              >
                Collapse all
              </button>
            </div>
          )}
        </div>

        {files.isPending && <Spinner label="Loading files" />}
        <ErrorText error={files.error} />
        {files.data && files.data.items.length === 0 && (
          <EmptyState title={q || status || state ? 'No files match' : 'This project has no files yet'}>
            {q || status || state
              ? 'Try another search, status or state filter.'
              : canEdit(me)
                ? 'Upload the first CNC program or CAD model.'
                : null}
          </EmptyState>
        )}
        {files.data && files.data.items.length > 0 && (
          <div className={`transition-opacity ${files.isPlaceholderData ? 'opacity-60' : ''}`}>
            <FileList
              slug={slug}
              items={files.data.items}
              sort={sort}
              onSort={setSort}
              me={me}
              collapsed={collapsed}
              onToggle={toggle}
              selected={selected}
              narrow={!!selectedFile}
              onSelect={toggleSelected}
              onAction={setModal}
            />
          </div>
        )}
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
          className="card fixed inset-y-0 right-0 z-40 w-[min(26rem,100vw)] outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 rounded-none shadow-2xl lg:sticky lg:top-20 lg:z-auto lg:h-[calc(100vh-6.5rem)] lg:w-auto lg:rounded-lg lg:shadow-sm"
        >
          <FileDetail
            key={selectedFile.path}
            slug={slug}
            initial={selectedFile}
            me={me}
            view={view}
            onView={setView}
            onAction={setModal}
            onClose={() => setSelected(null)}
          />
        </aside>
      )}

      {modal?.kind === 'upload' && <UploadModal slug={slug} onClose={() => setModal(null)} onOpen={setModal} />}
      {modal?.kind === 'checkout' && <CheckoutModal slug={slug} file={modal.file} onClose={() => setModal(null)} />}
      {modal?.kind === 'checkin' && <CheckinModal slug={slug} file={modal.file} onClose={() => setModal(null)} />}
      {modal?.kind === 'cancel' && <CancelModal slug={slug} file={modal.file} onClose={() => setModal(null)} />}
      {modal?.kind === 'override' && <OverrideModal slug={slug} file={modal.file} onClose={() => setModal(null)} />}
      {modal?.kind === 'delete' && <DeleteModal slug={slug} file={modal.file} onClose={() => setModal(null)} />}
      {modal?.kind === 'edit' && <EditMetadataModal slug={slug} file={modal.file} onClose={() => setModal(null)} />}
      {modal && modal.kind !== 'upload' && <LifecycleModal slug={slug} modal={modal} onClose={() => setModal(null)} />}
    </div>
  );
}
