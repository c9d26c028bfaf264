import { useState, type SubmitEvent } from 'react';
import { api, type FileInfo, type UpdateFileRequest } from '@lockstep/protocol';
import { patch } from '../api/client';
import { Field } from '../components/Field';
import { FormFooter, Modal } from '../components/Modal';
import { ErrorText } from '../components/ui';
import { useSubmit } from '../lib/useSubmit';
import { toast } from '../realtime/stores';
import { FileNameLine, useAfterFileChange } from './common';
import { LiveFileNotice } from './LiveNotice';

export function EditMetadataModal({ slug, file, onClose }: { slug: string; file: FileInfo; onClose: () => void }) {
  const after = useAfterFileChange(slug);
  const [description, setDescription] = useState(file.description);
  const [partNumber, setPartNumber] = useState(file.partNumber ?? '');
  const [fields, setFields] = useState<Array<[string, string]>>(Object.entries(file.fields));
  const { busy, error, setError, run } = useSubmit();

  const setField = (i: number, k: 0 | 1, v: string) =>
    setFields((f) => f.map((row, j) => (j === i ? (k === 0 ? [v, row[1]] : [row[0], v]) : row)));

  function submit(e: SubmitEvent) {
    e.preventDefault();
    const clean = fields.map(([k, v]) => [k.trim(), v] as const).filter(([k]) => k);
    const keysSeen = new Set<string>();
    for (const [k] of clean) {
      if (keysSeen.has(k)) {
        setError(new Error(`The field “${k}” appears twice.`));
        return;
      }
      keysSeen.add(k);
    }
    const body: UpdateFileRequest = {
      description: description.trim(),
      partNumber: partNumber.trim() || null,
      fields: Object.fromEntries(clean),
    };
    void run(async () => {
      const res = await patch<FileInfo>(api.file(slug, file.path), body);
      after(file.path, res);
      toast({ tone: 'success', title: `Saved details of ${file.path}` });
      onClose();
    });
  }

  return (
    <Modal
      title="Edit details"
      description={<FileNameLine file={file} />}
      onClose={onClose}
      size="lg"
      footer={<FormFooter form="meta-form" onCancel={onClose} busy={busy} label="Save" busyLabel="Saving…" />}
    >
      <LiveFileNotice slug={slug} path={file.link ?? file.path} />
      <form id="meta-form" onSubmit={submit} className="space-y-4">
        <Field
          as="textarea"
          id="meta-description"
          label="Description"
          rows={2}
          maxLength={4000}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          data-autofocus
        />
        <Field
          id="meta-part"
          label="Part number"
          className="font-mono"
          maxLength={100}
          value={partNumber}
          onChange={(e) => setPartNumber(e.target.value)}
        />
        <fieldset>
          <legend className="label">Custom fields</legend>
          <div className="space-y-2">
            {fields.map(([k, v], i) => (
              <div key={i} className="flex gap-2">
                <input
                  aria-label={`Field ${i + 1} name`}
                  className="input w-2/5"
                  placeholder="Name (e.g. Machine)"
                  maxLength={64}
                  value={k}
                  onChange={(e) => setField(i, 0, e.target.value)}
                />
                <input
                  aria-label={`Field ${i + 1} value`}
                  className="input"
                  placeholder="Value"
                  maxLength={2000}
                  value={v}
                  onChange={(e) => setField(i, 1, e.target.value)}
                />
                <button
                  type="button"
                  className="btn btn-ghost"
                  aria-label={`Remove field ${k || i + 1}`}
                  onClick={() => setFields((f) => f.filter((_, j) => j !== i))}
                >
                  ×
                </button>
              </div>
            ))}
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => setFields((f) => [...f, ['', '']])}>
              + Add field
            </button>
          </div>
        </fieldset>
        <ErrorText error={error} />
      </form>
    </Modal>
  );
}
