import { useState, type SubmitEvent } from 'react';
import { api, type FileInfo } from '@lockstep/protocol';
import { del, post } from '../api/client';
import { Field } from '../components/Field';
import { FormFooter, Modal } from '../components/Modal';
import { ErrorText } from '../components/ui';
import { shortTime } from '../lib/format';
import { FileNameLine, useFileAction } from './common';
import { LiveFileNotice } from './LiveNotice';

interface Props {
  slug: string;
  file: FileInfo;
  onClose: () => void;
}

export function CancelModal({ slug, file, onClose }: Props) {
  const target = file.link ?? file.path;
  const { error, busy, run } = useFileAction(slug, file, onClose);
  return (
    <Modal
      title="Cancel checkout"
      description={<FileNameLine file={file} />}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} data-autofocus>
            Keep it checked out
          </button>
          <button
            type="button"
            className="btn btn-warning"
            disabled={busy}
            onClick={() => void run(() => post(api.fileAction(slug, target, 'cancel')), `Checkout of ${target} cancelled`)}
          >
            {busy ? 'Cancelling…' : 'Cancel checkout'}
          </button>
        </>
      }
    >
      <LiveFileNotice slug={slug} path={file.link ?? file.path} />
      <p className="text-sm">
        The lock is released and the file stays at revision {file.revision}. Any local changes you made are not uploaded.
      </p>
      <ErrorText error={error} />
    </Modal>
  );
}

export function OverrideModal({ slug, file, onClose }: Props) {
  const target = file.link ?? file.path;
  const [reason, setReason] = useState('');
  const { error, busy, run } = useFileAction(slug, file, onClose);
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    if (reason.trim())
      void run(() => post(api.fileAction(slug, target, 'override'), { reason: reason.trim() }), `Lock on ${target} overridden`);
  };
  return (
    <Modal
      title="Override lock"
      tone="warning"
      description={<FileNameLine file={file} />}
      onClose={onClose}
      footer={
        <FormFooter
          form="override-form"
          onCancel={onClose}
          busy={busy}
          disabled={!reason.trim()}
          label="Override lock"
          busyLabel="Overriding…"
          submitClass="btn-warning"
        />
      }
    >
      <LiveFileNotice slug={slug} path={file.link ?? file.path} />
      <form id="override-form" onSubmit={submit} className="space-y-4">
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-500/10 dark:text-amber-100">
          <strong>{file.lockedBy}</strong> has held this file since {shortTime(file.lockedAt)}
          {file.lockMessage ? ` (“${file.lockMessage}”)` : ''}. Their uncommitted work will not be saved; they will be notified.
        </p>
        <Field
          as="textarea"
          id="override-reason"
          label="Reason"
          star
          rows={2}
          required
          maxLength={2000}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          data-autofocus
        />
        <ErrorText error={error} />
      </form>
    </Modal>
  );
}

export function DeleteModal({ slug, file, onClose }: Props) {
  const [confirm, setConfirm] = useState('');
  const { error, busy, run } = useFileAction(slug, file, onClose);
  const ok = confirm === file.name;
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    if (ok) void run(() => del(api.file(slug, file.path)), `${file.path} deleted`);
  };
  return (
    <Modal
      title="Delete file"
      tone="danger"
      description={<FileNameLine file={file} />}
      onClose={onClose}
      footer={
        <FormFooter
          form="delete-form"
          onCancel={onClose}
          busy={busy}
          disabled={!ok}
          label="Delete file"
          busyLabel="Deleting…"
          submitClass="btn-danger"
        />
      }
    >
      <LiveFileNotice slug={slug} path={file.link ?? file.path} />
      <form id="delete-form" onSubmit={submit} className="space-y-4">
        <p className="text-sm">
          The file is removed from the project in a new commit. Its history is kept in the vault.
          {file.status !== 'available' && <strong> It is currently checked out by {file.lockedBy}.</strong>}
        </p>
        <Field
          id="delete-confirm"
          label={
            <>
              Type <span className="font-mono font-semibold">{file.name}</span> to confirm
            </>
          }
          className="font-mono"
          autoComplete="off"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          data-autofocus
        />
        <ErrorText error={error} />
      </form>
    </Modal>
  );
}
