import { useRef, useState, type SubmitEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, type FileInfo } from '@lockstep/protocol';
import { errorMessage, upload } from '../api/client';
import { keys } from '../api/queries';
import { DropZone } from '../components/DropZone';
import { Field } from '../components/Field';
import { Modal } from '../components/Modal';
import { ProgressBar } from '../components/ui';
import { fileSize } from '../lib/format';
import { toast } from '../realtime/stores';

interface Item {
  file: File;
  progress: number;
  state: 'queued' | 'uploading' | 'done' | 'error';
  error?: string;
}

export function UploadModal({ slug, onClose }: { slug: string; onClose: () => void }) {
  const qc = useQueryClient();
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
      update(i, { state: 'uploading', progress: 0, error: undefined });
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
        update(i, { state: 'error', error: errorMessage(err) });
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
        <DropZone label="Choose files" multiple onFiles={add} hint=".mcam .nc .tap .step .stp .igs .iges .dxf .pdf .txt" />
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
                    {it.state === 'done' && <span className="font-medium text-emerald-600 dark:text-emerald-400">Uploaded</span>}
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
                {it.state !== 'queued' && <ProgressBar value={it.progress} label={`Upload progress for ${it.file.name}`} />}
                {it.error && (
                  <p role="alert" className="mt-1 text-xs text-rose-600 dark:text-rose-400">
                    {it.error}
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
