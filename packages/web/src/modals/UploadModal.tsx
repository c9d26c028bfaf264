import { useRef, useState, type SubmitEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, type FileInfo } from '@lockstep/protocol';
import { get, upload } from '../api/client';
import { keys } from '../api/queries';
import { DropZone } from '../components/DropZone';
import { Field } from '../components/Field';
import { Modal } from '../components/Modal';
import { ProgressBar } from '../components/ui';
import { uploadProblem, useAllowedExtensions, type UploadProblem } from '../lib/extensions';
import { fileSize } from '../lib/format';
import type { FileModal } from './common';
import { toast } from '../realtime/stores';

interface Item {
  file: File;
  progress: number;
  state: 'queued' | 'uploading' | 'done' | 'error';
  problem?: UploadProblem;
}

/** "12.3 of 50.0 MB · 24%" while a file goes up. */
function progressText(it: Item): string {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return `${mb(it.file.size * it.progress)} of ${mb(it.file.size)} MB · ${Math.round(it.progress * 100)}%`;
}

export function UploadModal({ slug, onClose, onOpen }: { slug: string; onClose: () => void; onOpen: (m: FileModal) => void }) {
  const qc = useQueryClient();
  const allowed = useAllowedExtensions();
  const [items, setItems] = useState<Item[]>([]);
  const [folder, setFolder] = useState('');
  const [description, setDescription] = useState('');
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController | null>(null);

  const update = (i: number, patch: Partial<Item>) => setItems((list) => list.map((it, j) => (j === i ? { ...it, ...patch } : it)));
  const add = (files: File[]) =>
    setItems((list) => [
      ...list.filter((it) => it.state !== 'done'),
      ...files.filter((f) => !list.some((it) => it.file.name === f.name)).map((file) => ({ file, progress: 0, state: 'queued' as const })),
    ]);

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    setRunning(true);
    abort.current = new AbortController();
    const dir = folder.trim().replace(/^\/+|\/+$/g, '');
    let ok = 0;
    let failed = 0;
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (it.state === 'done') continue;
      update(i, { state: 'uploading', progress: 0, problem: undefined });
      const form = new FormData();
      if (dir) form.append('path', `${dir}/${it.file.name}`);
      if (description.trim()) form.append('description', description.trim());
      form.append('file', it.file, it.file.name);
      try {
        await upload<FileInfo>(api.files(slug), form, (p) => update(i, { progress: p }), abort.current.signal);
        update(i, { state: 'done', progress: 1 });
        ok++;
      } catch (err) {
        failed++;
        update(i, { state: 'error', problem: uploadProblem(err) });
        if (abort.current.signal.aborted) break;
      }
    }
    setRunning(false);
    void qc.invalidateQueries({ queryKey: keys.filesAll(slug) });
    void qc.invalidateQueries({ queryKey: keys.projects });
    if (ok) toast({ tone: 'success', title: `Uploaded ${ok} file${ok === 1 ? '' : 's'}` });
    if (failed === 0 && !abort.current.signal.aborted) setTimeout(onClose, 400);
  }

  const close = () => {
    abort.current?.abort();
    onClose();
  };
  const pending = items.filter((it) => it.state !== 'done').length;
  // A bad folder fails every file the same way: say it once, under the Folder field.
  const pathError = folder.trim() ? items.find((it) => it.problem?.kind === 'path')?.problem?.message : undefined;
  /** "Check out" on a file that already exists: the check-out dialog, or check-in if it is already mine. */
  const openExisting = async (path: string) => {
    const file = await get<FileInfo>(api.file(slug, path));
    abort.current?.abort();
    onOpen({ kind: file.status === 'checked_out_by_me' ? 'checkin' : 'checkout', file });
  };

  return (
    <Modal
      title="Upload new files"
      description="Each file starts at revision A."
      onClose={close}
      size="lg"
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={close}>
            {running ? 'Stop' : 'Close'}
          </button>
          <button type="submit" form="upload-form" className="btn btn-primary" disabled={running || pending === 0}>
            {running ? 'Uploading…' : `Upload ${pending || ''} file${pending === 1 ? '' : 's'}`}
          </button>
        </>
      }
    >
      <form id="upload-form" onSubmit={(e) => void submit(e)} className="space-y-4">
        <DropZone label="Choose files" multiple onFiles={add} hint={allowed.join(' ')} accept={allowed.join(',')} />
        {items.length > 0 && (
          <ul className="max-h-64 space-y-2 overflow-y-auto" aria-label="Files to upload">
            {items.map((it, i) => (
              <li
                key={it.file.name}
                className="rounded-md border border-slate-200 px-3 py-2 dark:border-slate-700"
                data-testid={`upload-item-${it.file.name}`}
              >
                <div className="mb-1 flex items-center justify-between gap-2 text-sm">
                  <span className="truncate font-mono">{it.file.name}</span>
                  <span className="flex shrink-0 items-center gap-2 text-xs muted">
                    {fileSize(it.file.size)}
                    {it.state === 'uploading' && <span aria-live="polite">{progressText(it)}</span>}
                    {it.state === 'done' && <span className="font-medium text-emerald-600 dark:text-emerald-400">Uploaded</span>}
                    {it.state === 'error' && <span className="font-medium text-rose-700 dark:text-rose-300">Failed</span>}
                    {it.state === 'queued' && !running && (
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        aria-label={`Remove ${it.file.name}`}
                        onClick={() => setItems((l) => l.filter((_, j) => j !== i))}
                      >
                        Remove
                      </button>
                    )}
                  </span>
                </div>
                {it.state !== 'queued' && (
                  <ProgressBar value={it.progress} label={`Upload progress for ${it.file.name}`} failed={it.state === 'error'} />
                )}
                {it.problem && (
                  <p role="alert" className="mt-1 flex flex-wrap items-center gap-2 text-xs text-rose-700 dark:text-rose-300">
                    <span>
                      {it.problem.kind === 'exists' && <span className="font-mono">{`${it.problem.path} `}</span>}
                      {it.problem.message}
                    </span>
                    {it.problem.kind === 'exists' && (
                      <button
                        type="button"
                        className="btn btn-secondary btn-sm"
                        aria-label={`Check out ${it.problem.path}`}
                        onClick={() => void openExisting((it.problem as { path: string }).path)}
                      >
                        Check out
                      </button>
                    )}
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            id="upload-folder"
            label="Folder"
            hint="optional"
            className="font-mono"
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            placeholder="e.g. fixtures/vise"
            error={pathError}
          />
          <Field
            id="upload-description"
            label="Description"
            hint="optional"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
      </form>
    </Modal>
  );
}
