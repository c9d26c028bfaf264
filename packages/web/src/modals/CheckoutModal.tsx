import { useState, type SyntheticEvent } from 'react';
import { api, type FileInfo } from '@lockstep/protocol';
import { useMe } from '../api/auth';
import { post } from '../api/client';
import { Field } from '../components/Field';
import { FormFooter, Modal } from '../components/Modal';
import { DownloadIcon, ErrorText } from '../components/ui';
import { useSubmit } from '../lib/useSubmit';
import { FileNameLine, useAfterFileChange } from './common';
import { LiveNotice } from './LiveNotice';
import { useLiveFile } from './useLiveFile';

export function CheckoutModal({ slug, file, onClose }: { slug: string; file: FileInfo; onClose: () => void }) {
  const after = useAfterFileChange(slug);
  const [message, setMessage] = useState('');
  const { busy, error, run } = useSubmit();
  const [done, setDone] = useState<FileInfo | null>(null);
  const target = file.link ?? file.path;
  const me = useMe();
  const live = useLiveFile(slug, target, me.username);
  // Someone else took the lock, the file is gone, or its state forbids it now: checking out cannot succeed.
  const h = live.happening;
  const blocked = h?.kind === 'locked' || h?.kind === 'deleted' || (h?.kind === 'state' && (h.to === 'in_review' || h.to === 'obsolete'));
  const released = (h?.kind === 'state' ? h.file?.releasedRevision : null) ?? file.releasedRevision;

  async function submit(e: SyntheticEvent) {
    e.preventDefault();
    if (blocked) return;
    const ok = await run(async () => {
      const res = await post<FileInfo>(api.fileAction(slug, target, 'checkout'), message.trim() ? { message: message.trim() } : {});
      after(file.path, res);
      live.clear();
      setDone(res);
    });
    if (!ok) after(file.path); // the lock may have changed under us: show its real state
  }

  if (done)
    return (
      <Modal
        title="Checked out"
        description={<FileNameLine file={done} />}
        onClose={onClose}
        footer={
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Close
          </button>
        }
      >
        <p className="text-sm">
          You now hold the lock on <span className="font-mono">{target}</span>. Nobody else can check it in until you check it in or cancel
          the checkout.
        </p>
        <a
          href={api.fileContent(slug, target)}
          download
          className="btn btn-primary w-full py-2"
          data-autofocus
          onClick={() => setTimeout(onClose, 300)}
        >
          <DownloadIcon /> Download revision {done.revision}
        </a>
      </Modal>
    );

  return (
    <Modal
      title="Check out file"
      description={<FileNameLine file={file} />}
      onClose={onClose}
      footer={
        <FormFooter form="checkout-form" onCancel={onClose} busy={busy} disabled={blocked} label="Check out" busyLabel="Checking out…" />
      }
    >
      <form id="checkout-form" onSubmit={(e) => void submit(e)} className="space-y-4">
        {live.happening && (
          <LiveNotice happening={live.happening}>{blocked && <p>You can keep your message and try when it is free.</p>}</LiveNotice>
        )}
        {released && !blocked && (
          <p className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-700 dark:bg-emerald-950/50 dark:text-emerald-100">
            {file.state === 'released' ? 'Checking out starts the next revision. ' : ''}Revision {released} stays released for production
            until the next one is approved.
          </p>
        )}
        {file.link && (
          <p className="text-sm muted">
            This is a link: checking it out locks its target <span className="font-mono">{file.link}</span>.
          </p>
        )}
        <Field
          id="checkout-message"
          label="Message"
          hint="optional: what are you changing?"
          maxLength={2000}
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          placeholder="e.g. new roughing toolpath for op 2"
          data-autofocus
        />
        <ErrorText error={error} />
      </form>
    </Modal>
  );
}
