import { useRef, useState, type SubmitEvent } from 'react';
import { api, type FileInfo } from '@lockstep/protocol';
import { upload } from '../api/client';
import { DropZone } from '../components/DropZone';
import { Field } from '../components/Field';
import { FormFooter, Modal } from '../components/Modal';
import { ErrorText, ProgressBar } from '../components/ui';
import { fileSize } from '../lib/format';
import { useSubmit } from '../lib/useSubmit';
import { toast } from '../realtime/stores';
import { FileNameLine, useAfterFileChange } from './common';

export function CheckinModal({ slug, file, onClose }: { slug: string; file: FileInfo; onClose: () => void }) {
  const after = useAfterFileChange(slug);
  const target = file.link ?? file.path;
  const [picked, setPicked] = useState<File | null>(null);
  const [message, setMessage] = useState('');
  const [bump, setBump] = useState(true);
  const [keep, setKeep] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const { error, setError, run } = useSubmit();
  const abort = useRef<AbortController | null>(null);
  const busy = progress !== null; // from the first byte sent until the modal closes, not just the request
  const ext = target.slice(target.lastIndexOf('.')).toLowerCase();
  const extMismatch = picked && !picked.name.toLowerCase().endsWith(ext);

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (!picked) {
      setError(new Error('Choose the new version of the file first.'));
      return;
    }
    if (!message.trim()) {
      setError(new Error('A check-in message is required.'));
      return;
    }
    const form = new FormData();
    form.append('message', message.trim());
    form.append('bump', String(bump));
    form.append('keep', String(keep));
    form.append('file', picked, picked.name);
    setProgress(0);
    const signal = (abort.current = new AbortController()).signal;
    const ok = await run(async () => {
      const res = await upload<FileInfo | null>(api.fileAction(slug, target, 'checkin'), form, setProgress, signal);
      after(file.path, res);
      toast({ tone: 'success', title: `Checked in ${target}`, body: res?.revision ? `Now at revision ${res.revision}` : undefined });
      onClose();
    });
    if (!ok) setProgress(null);
  }

  const close = () => {
    abort.current?.abort();
    onClose();
  };

  return (
    <Modal
      title="Check in file"
      description={<FileNameLine file={file} />}
      onClose={close}
      size="lg"
      footer={
        <FormFooter
          form="checkin-form"
          onCancel={close}
          busy={busy}
          disabled={!picked || !message.trim()}
          label="Check in"
          busyLabel="Checking in…"
        />
      }
    >
      <form id="checkin-form" onSubmit={(e) => void submit(e)} className="space-y-4">
        <DropZone label="Choose the new version" onFiles={(f) => setPicked(f[0] ?? null)} hint={`Replaces the content of ${file.name}`} />
        {picked && (
          <p
            className="flex items-center justify-between rounded-md bg-slate-100 px-3 py-2 text-sm dark:bg-slate-800"
            data-testid="picked-file"
          >
            <span className="truncate font-mono">{picked.name}</span>
            <span className="muted">{fileSize(picked.size)}</span>
          </p>
        )}
        {extMismatch && (
          <p className="text-sm text-amber-700 dark:text-amber-300">
            The chosen file does not end in {ext}: make sure it is the right file.
          </p>
        )}
        <Field
          as="textarea"
          id="checkin-message"
          label="Check-in message"
          star
          rows={3}
          required
          maxLength={2000}
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          placeholder="What changed? e.g. reduced stepover on finishing pass"
          data-autofocus
        />
        <div className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
          <label className="inline-flex items-center gap-2">
            <input type="checkbox" className="h-4 w-4 accent-indigo-600" checked={bump} onChange={(e) => setBump(e.target.checked)} />
            Bump revision <span className="muted">({bump ? `${file.revision} → next` : `stays ${file.revision}`})</span>
          </label>
          <label className="inline-flex items-center gap-2">
            <input type="checkbox" className="h-4 w-4 accent-indigo-600" checked={keep} onChange={(e) => setKeep(e.target.checked)} />
            Keep checked out
          </label>
        </div>
        {progress !== null && (
          <div className="space-y-1">
            <div className="flex justify-between text-xs muted">
              <span>{progress < 1 ? 'Uploading…' : 'Committing…'}</span>
              <span>{Math.round(progress * 100)}%</span>
            </div>
            <ProgressBar value={progress} label="Check-in upload progress" />
          </div>
        )}
        <ErrorText error={error} />
      </form>
    </Modal>
  );
}
