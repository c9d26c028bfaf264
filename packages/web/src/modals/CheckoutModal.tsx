import { useState, type FormEvent } from 'react';
import { api, type FileInfo } from '@lockstep/protocol';
import { post } from '../api/client';
import { Modal } from '../components/Modal';
import { DownloadIcon, ErrorText } from '../components/ui';
import { FileNameLine, useAfterFileChange } from './common';

export function CheckoutModal({ slug, file, onClose }: { slug: string; file: FileInfo; onClose: () => void }) {
  const after = useAfterFileChange(slug);
  const [message, setMessage] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<FileInfo | null>(null);
  const target = file.link ?? file.path;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await post<FileInfo>(api.fileAction(slug, target, 'checkout'), message.trim() ? { message: message.trim() } : {});
      after(file.path, res);
      setDone(res ?? file);
    } catch (err) {
      setError(err);
      after(file.path);
    } finally {
      setBusy(false);
    }
  }

  if (done)
    return (
      <Modal title="Checked out" description={<FileNameLine file={done} />} onClose={onClose}
        footer={<button type="button" className="btn btn-secondary" onClick={onClose}>Close</button>}>
        <p className="text-sm">
          You now hold the lock on <span className="font-mono">{target}</span>. Nobody else can check it in until you check it in or cancel the checkout.
        </p>
        <a href={api.fileContent(slug, target)} download className="btn btn-primary w-full py-2" data-autofocus onClick={() => setTimeout(onClose, 300)}>
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
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" form="checkout-form" className="btn btn-primary" disabled={busy}>
            {busy ? 'Checking out…' : 'Check out'}
          </button>
        </>
      }
    >
      <form id="checkout-form" onSubmit={submit} className="space-y-4">
        {file.link && <p className="text-sm muted">This is a link: checking it out locks its target <span className="font-mono">{file.link}</span>.</p>}
        <div>
          <label htmlFor="checkout-message" className="label">
            Message <span className="font-normal muted">(optional: what are you changing?)</span>
          </label>
          <input id="checkout-message" className="input" maxLength={2000} value={message} onChange={(e) => setMessage(e.target.value)} placeholder="e.g. new roughing toolpath for op 2" data-autofocus />
        </div>
        <ErrorText error={error} />
      </form>
    </Modal>
  );
}
