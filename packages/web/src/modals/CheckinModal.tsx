import { useRef, useState, type SyntheticEvent } from 'react';
import { api, type FileInfo } from '@lockstep/protocol';
import { useMe } from '../api/auth';
import { ApiError, post, upload } from '../api/client';
import { DropZone } from '../components/DropZone';
import { Field } from '../components/Field';
import { fieldErrors } from '../lib/fieldErrors';
import { FormFooter, Modal } from '../components/Modal';
import { ErrorText, ProgressBar } from '../components/ui';
import { fileSize } from '../lib/format';
import { useSubmit } from '../lib/useSubmit';
import { toast } from '../realtime/stores';
import { FileNameLine, useAfterFileChange } from './common';
import { LiveNotice } from './LiveNotice';
import { saveLocally, useLiveFile } from './useLiveFile';

export function CheckinModal({ slug, file, onClose }: { slug: string; file: FileInfo; onClose: () => void }) {
  const after = useAfterFileChange(slug);
  const me = useMe();
  const target = file.link ?? file.path;
  const live = useLiveFile(slug, target, me.username);
  const [unchanged, setUnchanged] = useState(false);
  const again = useSubmit();
  // The lock is gone (overridden, or the file deleted): the check-in cannot go on as it is.
  const lost = live.happening?.kind === 'overridden' || live.happening?.kind === 'deleted';
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

  async function submit(e: SyntheticEvent, allowUnchanged = unchanged) {
    e.preventDefault();
    if (lost) return;
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
    if (allowUnchanged) form.append('allowUnchanged', 'true');
    form.append('file', picked, picked.name);
    setProgress(0);
    const signal = (abort.current = new AbortController()).signal;
    const ok = await run(async () => {
      const res = await upload<FileInfo>(api.fileAction(slug, target, 'checkin'), form, setProgress, signal);
      after(file.path, res);
      toast({ tone: 'success', title: `Checked in ${target}`, body: `Now at revision ${res.revision}` });
      onClose();
    });
    if (!ok) setProgress(null);
  }

  // The check-in failed as identical: say so (not as an error) and offer to go on anyway.
  const identical = error instanceof ApiError && error.code === 'unchanged';
  const errs = fieldErrors(identical ? null : error, { message: /message/i, file: /^Choose the new version|size limit|too large/i });

  const checkOutAgain = () =>
    void again.run(async () => {
      const res = await post<FileInfo>(api.fileAction(slug, target, 'checkout'), { message: 'checked out again after an override' });
      after(file.path, res);
      live.clear();
      setError(null);
    });

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
          disabled={!picked || !message.trim() || lost}
          label={unchanged ? 'Check in anyway' : 'Check in'}
          busyLabel="Checking in…"
        />
      }
    >
      <form id="checkin-form" onSubmit={(e) => void submit(e)} className="space-y-4">
        {live.happening && (
          <LiveNotice happening={live.happening}>
            {lost && (
              <p>
                Your file and message are kept here.
                {live.happening.kind === 'overridden' && !live.happening.file?.lockedBy ? ' Check it out again to check it in.' : ''}
              </p>
            )}
            <div className="flex flex-wrap gap-2">
              {live.happening.kind === 'overridden' && !live.happening.file?.lockedBy && (
                <button type="button" className="btn btn-primary btn-sm" disabled={again.busy} onClick={checkOutAgain}>
                  {again.busy ? 'Checking out…' : 'Check out again'}
                </button>
              )}
              {picked && lost && (
                <button type="button" className="btn btn-secondary btn-sm" onClick={() => saveLocally(picked)}>
                  Save my file
                </button>
              )}
            </div>
            <ErrorText error={again.error} />
          </LiveNotice>
        )}
        <DropZone
          label="Choose the new version"
          onFiles={(f) => {
            setPicked(f[0] ?? null);
            setUnchanged(false);
            if (identical) setError(null);
          }}
          hint={`Replaces the content of ${file.name}`}
          error={errs.of('file')}
        />
        {picked && (
          <p
            className="flex items-center justify-between rounded-md bg-slate-100 px-3 py-2 text-sm dark:bg-slate-800"
            data-testid="picked-file"
          >
            <span className="min-w-0 font-mono break-all">{picked.name}</span>
            <span className="shrink-0 text-slate-600 dark:text-slate-300">{fileSize(picked.size)}</span>
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
          error={errs.of('message')}
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
        {identical ? (
          <div
            role="alert"
            className="space-y-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-100"
          >
            <p>
              The chosen file is identical to revision {file.revision}: checking it in makes a new revision with no change. Pick the edited
              file, or check in anyway (to change only the description, use Edit instead).
            </p>
            <label className="inline-flex items-center gap-2">
              <input
                type="checkbox"
                className="h-4 w-4 accent-indigo-600"
                checked={unchanged}
                onChange={(e) => setUnchanged(e.target.checked)}
              />
              Check in the identical file anyway
            </label>
          </div>
        ) : (
          <ErrorText error={errs.rest} />
        )}
      </form>
    </Modal>
  );
}
