import { useState, type ReactNode, type SubmitEvent } from 'react';
import { useMe } from '../api/auth';
import { post } from '../api/client';
import { api, type FileInfo } from '@lockstep/protocol';
import { lifecycleActions, type LifecycleAction } from '../api/lifecycle';
import { useProjects } from '../api/queries';
import { Field } from '../components/Field';
import { FormFooter, Modal } from '../components/Modal';
import { ReviewSummary } from '../components/ReviewSummary';
import { ErrorText } from '../components/ui';
import { FileNameLine, useFileAction, type FileModalKind } from './common';
import { LiveNotice } from './LiveNotice';
import { currentFile, useLiveFile } from './useLiveFile';

interface Props {
  slug: string;
  file: FileInfo;
  onClose: () => void;
}

type Step = keyof ReturnType<typeof lifecycleActions>;

/**
 * The frame every lifecycle dialog shares: it follows its file live, says what happened meanwhile,
 * and holds the submit back once the step is no longer possible (someone else approved, the
 * request was withdrawn…). `body` gets the current file.
 */
function LifecycleDialog({
  slug,
  file,
  onClose,
  title,
  step,
  action,
  payload,
  ready = true,
  label,
  busyLabel,
  success,
  tone,
  submitClass,
  onError,
  children,
}: Props & {
  title: string;
  step: Step;
  action: LifecycleAction;
  payload?: () => object;
  ready?: boolean;
  label: string;
  busyLabel: string;
  success: (res: FileInfo) => string;
  tone?: 'danger' | 'warning';
  submitClass?: 'btn-primary' | 'btn-warning' | 'btn-danger';
  /** After a refusal (the dialog stays open). */
  onError?: () => void;
  children: (current: FileInfo) => ReactNode;
}) {
  const me = useMe();
  const live = useLiveFile(slug, file.path, me.username);
  const current = currentFile(live.happening, file);
  const possible = !!current && lifecycleActions(current, me)[step];
  const { error, busy, run } = useFileAction(slug, file, onClose);
  const form = `lifecycle-${action}`;
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    if (!possible || !ready) return;
    void run(() => post<FileInfo>(api.fileLifecycle(slug, file.path, action), payload?.()), success).then((ok) => {
      if (!ok) onError?.();
    });
  };
  return (
    <Modal
      title={title}
      tone={tone}
      description={<FileNameLine file={current ?? file} />}
      onClose={onClose}
      footer={
        <FormFooter
          form={form}
          onCancel={onClose}
          busy={busy}
          disabled={!possible || !ready}
          label={label}
          busyLabel={busyLabel}
          submitClass={submitClass}
        />
      }
    >
      <form id={form} onSubmit={submit} className="space-y-4">
        {live.happening && <LiveNotice happening={live.happening}>{!possible && <p>This step is not possible any more.</p>}</LiveNotice>}
        {children(current ?? file)}
        <ErrorText error={error} />
      </form>
    </Modal>
  );
}

export function RequestReleaseModal(props: Props) {
  const [comment, setComment] = useState('');
  const project = useProjects().data?.find((p) => p.slug === props.slug);
  const required = project?.approvalsRequired ?? 1;
  return (
    <LifecycleDialog
      {...props}
      title="Request release"
      step="release"
      action="release-request"
      payload={() => ({ comment: comment.trim() })}
      label="Request release"
      busyLabel="Requesting…"
      success={(f) => `Release of ${f.path} requested`}
    >
      {(f) => (
        <>
          <p className="text-sm">
            Revision <span className="font-mono font-semibold">{f.revision}</span> goes to review: {required}{' '}
            {required === 1 ? 'approval is' : 'approvals are'} needed, and the approvers are notified. While it is in review nobody can
            check it out.
          </p>
          <Field
            as="textarea"
            id="release-comment"
            label="Comment"
            hint="what was proven, e.g. dry run on machine 3"
            rows={3}
            maxLength={2000}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            data-autofocus
          />
        </>
      )}
    </LifecycleDialog>
  );
}

export function ApproveModal(props: Props) {
  const [comment, setComment] = useState('');
  const [password, setPassword] = useState('');
  const me = useMe();
  return (
    <LifecycleDialog
      {...props}
      title="Approve release"
      step="approve"
      action="approve"
      payload={() => ({ comment: comment.trim(), password })}
      ready={password.length > 0}
      label="Approve and sign"
      busyLabel="Signing…"
      success={(f) =>
        f.state === 'released'
          ? `${f.path} released as rev ${f.releasedRevision ?? f.revision}`
          : `Approved ${f.path}${f.review ? ` (${f.review.approvals.length}/${f.review.required})` : ''}`
      }
      onError={() => {
        // A wrong password: clear it and let the approver type it again.
        setPassword('');
        document.getElementById('approve-password')?.focus();
      }}
    >
      {(f) => (
        <>
          {f.review && <ReviewSummary review={f.review} />}
          <Field
            as="textarea"
            id="approve-comment"
            label="Comment"
            hint="optional"
            rows={2}
            maxLength={2000}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            data-autofocus
          />
          <div>
            <Field
              id="approve-password"
              label="Password"
              star
              type="password"
              required
              autoComplete="current-password"
              aria-describedby="approve-password-note"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <p id="approve-password-note" className="mt-1 text-xs text-slate-600 dark:text-slate-300">
              Your password is your electronic signature: it records that you, {me.username}, approved this revision.
            </p>
          </div>
        </>
      )}
    </LifecycleDialog>
  );
}

export function RejectModal(props: Props) {
  const [comment, setComment] = useState('');
  return (
    <LifecycleDialog
      {...props}
      title="Reject release"
      tone="danger"
      step="approve"
      action="reject"
      payload={() => ({ comment: comment.trim() })}
      ready={!!comment.trim()}
      label="Reject"
      busyLabel="Rejecting…"
      submitClass="btn-danger"
      success={(f) => `Release of ${f.path} rejected`}
    >
      {(f) => (
        <>
          {f.review && <ReviewSummary review={f.review} compact />}
          <p className="text-sm">The file goes back to WIP{f.review ? `; ${f.review.requestedBy} is told why` : ''}.</p>
          <Field
            as="textarea"
            id="reject-comment"
            label="Why"
            star
            required
            rows={3}
            maxLength={2000}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            data-autofocus
          />
        </>
      )}
    </LifecycleDialog>
  );
}

export function WithdrawModal(props: Props) {
  return (
    <LifecycleDialog
      {...props}
      title="Withdraw release request"
      tone="warning"
      step="withdraw"
      action="withdraw"
      label="Withdraw request"
      busyLabel="Withdrawing…"
      submitClass="btn-warning"
      success={(f) => `Release request for ${f.path} withdrawn`}
    >
      {(f) => (
        <>
          {f.review && <ReviewSummary review={f.review} compact />}
          <p className="text-sm">The file goes back to WIP and can be checked out again; approvals given so far are dropped.</p>
        </>
      )}
    </LifecycleDialog>
  );
}

export function ObsoleteModal(props: Props) {
  const [reason, setReason] = useState('');
  return (
    <LifecycleDialog
      {...props}
      title="Make obsolete"
      tone="danger"
      step="obsolete"
      action="obsolete"
      payload={() => ({ reason: reason.trim() })}
      ready={!!reason.trim()}
      label="Make obsolete"
      busyLabel="Retiring…"
      submitClass="btn-danger"
      success={(f) => `${f.path} is obsolete`}
    >
      {() => (
        <>
          <p className="text-sm">The file is retired: read-only, nobody can check it out until an admin reactivates it.</p>
          <Field
            as="textarea"
            id="obsolete-reason"
            label="Reason"
            star
            required
            rows={2}
            maxLength={2000}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            data-autofocus
          />
        </>
      )}
    </LifecycleDialog>
  );
}

export function ReactivateModal(props: Props) {
  return (
    <LifecycleDialog
      {...props}
      title="Reactivate file"
      step="reactivate"
      action="reactivate"
      label="Reactivate"
      busyLabel="Reactivating…"
      success={(f) => `${f.path} is WIP again`}
    >
      {(f) => (
        <p className="text-sm">
          {f.path} goes back to WIP: it can be checked out and released again.
          {f.releasedRevision ? ` Revision ${f.releasedRevision} was its last released one.` : ''}
        </p>
      )}
    </LifecycleDialog>
  );
}

const DIALOGS: Partial<Record<FileModalKind, (p: Props) => ReactNode>> = {
  release: RequestReleaseModal,
  approve: ApproveModal,
  reject: RejectModal,
  withdraw: WithdrawModal,
  obsolete: ObsoleteModal,
  reactivate: ReactivateModal,
};

/** The lifecycle dialog a file action asks for, or nothing when it is another kind. */
export function LifecycleModal({
  slug,
  modal,
  onClose,
}: {
  slug: string;
  modal: { kind: FileModalKind; file: FileInfo };
  onClose: () => void;
}) {
  const Dialog = DIALOGS[modal.kind];
  return Dialog ? <Dialog slug={slug} file={modal.file} onClose={onClose} /> : null;
}
