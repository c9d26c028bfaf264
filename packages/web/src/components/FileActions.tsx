import { api, type FileInfo, type User } from '@lockstep/protocol';
import { canEdit, isAdmin } from '../api/auth';
import { checkoutBlockedBy, editableInState, lifecycleActions } from '../api/lifecycle';
import type { FileModal, FileModalKind } from '../modals/common';
import { useOnline } from './OutageBar';
import { DownloadIcon } from './ui';
import { WatchButton } from './WatchButton';

type Kind = FileModalKind;

/** The lock actions, the only ones a row shows; the rest live in the detail panel. */
const LOCK_KINDS: readonly Kind[] = ['checkout', 'checkin', 'cancel', 'override'];

/** Which actions this user may take on this file right now. */
export function allowedActions(file: FileInfo, me: User): Kind[] {
  const out: Kind[] = [];
  if (file.status === 'available' && canEdit(me) && !checkoutBlockedBy(file)) out.push('checkout');
  if (file.status === 'checked_out_by_me') out.push('checkin', 'cancel');
  if (file.status === 'locked' && isAdmin(me)) out.push('override');
  // A link's lifecycle is its target's: release the target itself.
  if (!file.link) {
    const life = lifecycleActions(file, me);
    if (life.release) out.push('release');
    if (life.approve) out.push('approve', 'reject');
    if (life.withdraw) out.push('withdraw');
    if (life.obsolete) out.push('obsolete');
    if (life.reactivate) out.push('reactivate');
  }
  if ((file.status === 'checked_out_by_me' || isAdmin(me)) && editableInState(file)) out.push('edit');
  // Obsolete files may go; what is in review or released must be withdrawn or obsoleted first.
  if (isAdmin(me) && (editableInState(file) || file.state === 'obsolete')) out.push('delete');
  return out;
}

const LABEL: Record<Kind, string> = {
  checkout: 'Check out',
  checkin: 'Check in',
  cancel: 'Cancel checkout',
  override: 'Override',
  edit: 'Edit details',
  delete: 'Delete',
  release: 'Request release',
  approve: 'Approve',
  reject: 'Reject',
  withdraw: 'Withdraw request',
  obsolete: 'Make obsolete',
  reactivate: 'Reactivate',
};
const STYLE: Record<Kind, string> = {
  checkout: 'btn-primary',
  checkin: 'btn-primary',
  cancel: 'btn-secondary',
  override: 'btn-warning',
  edit: 'btn-secondary',
  delete: 'btn-danger',
  release: 'btn-primary',
  approve: 'btn-primary',
  reject: 'btn-secondary',
  withdraw: 'btn-secondary',
  obsolete: 'btn-secondary',
  reactivate: 'btn-secondary',
};

/**
 * The main download: the latest revision, except for viewers (the shop floor), who get the
 * released one by default, and nothing when no revision is released yet.
 */
function DownloadLink({ slug, file, me, inline }: { slug: string; file: FileInfo; me: User; inline: boolean }) {
  const floor = !canEdit(me);
  const rev = floor ? file.releasedRevision : file.revision;
  if (!rev)
    return (
      <span className="px-1 text-xs text-slate-600 dark:text-slate-300" title="Viewers get the released revision; none is released yet">
        Not released
      </span>
    );
  const what = floor ? `released revision ${rev}` : `revision ${rev}`;
  return (
    <a
      href={api.fileContent(slug, file.link ?? file.path)}
      download
      className={`btn ${inline ? 'btn-ghost btn-sm' : 'btn-secondary'}`}
      aria-label={`Download ${file.name} (${what})`}
      title={`Download ${what}`}
      onClick={(e) => e.stopPropagation()}
    >
      <DownloadIcon />
      {!inline && (floor ? `Download released ${rev}` : 'Download')}
    </a>
  );
}

export function FileActions({
  slug,
  file,
  me,
  onAction,
  inline = false,
}: {
  slug: string;
  file: FileInfo;
  me: User;
  onAction: (m: FileModal) => void;
  /** Row variant: only the lock actions, compact. */
  inline?: boolean;
}) {
  const online = useOnline();
  let kinds = allowedActions(file, me);
  if (inline) kinds = kinds.filter((k) => LOCK_KINDS.includes(k));
  const otherReleased = canEdit(me) && file.releasedRevision && (file.state !== 'released' || file.releasedRevision !== file.revision);
  return (
    <div className={`flex flex-wrap items-center gap-1.5 ${inline ? 'md:justify-end' : ''}`}>
      {kinds.map((k) => (
        <button
          key={k}
          type="button"
          className={`btn ${STYLE[k]} ${inline ? 'btn-sm' : ''}`}
          aria-label={`${LABEL[k]} ${file.name}`}
          disabled={!online}
          title={online ? undefined : 'Waiting for the connection to come back'}
          onClick={(e) => {
            e.stopPropagation();
            onAction({ kind: k, file });
          }}
        >
          {inline && k === 'cancel' ? 'Cancel' : LABEL[k]}
        </button>
      ))}
      <WatchButton slug={slug} file={file} me={me} inline={inline} />
      <DownloadLink slug={slug} file={file} me={me} inline={inline} />
      {!inline && otherReleased && (
        <a
          href={api.fileContent(slug, file.link ?? file.path, 'released')}
          download
          className="btn btn-secondary"
          aria-label={`Download ${file.name} (released revision ${file.releasedRevision})`}
        >
          <DownloadIcon />
          Released {file.releasedRevision}
        </a>
      )}
    </div>
  );
}
