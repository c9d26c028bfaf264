import { api, type FileInfo, type User } from '@lockstep/protocol';
import { canEdit, isAdmin } from '../api/auth';
import type { FileModal } from '../modals/common';
import { useOnline } from './OutageBar';
import { DownloadIcon } from './ui';

type Kind = Exclude<FileModal['kind'], 'upload'>;

/** Which actions this user may take on this file right now. */
export function allowedActions(file: FileInfo, me: User): Kind[] {
  const out: Kind[] = [];
  if (file.status === 'available' && canEdit(me)) out.push('checkout');
  if (file.status === 'checked_out_by_me') out.push('checkin', 'cancel');
  if (file.status === 'locked' && isAdmin(me)) out.push('override');
  if (file.status === 'checked_out_by_me' || isAdmin(me)) out.push('edit');
  if (isAdmin(me)) out.push('delete');
  return out;
}

const LABEL: Record<Kind, string> = {
  checkout: 'Check out',
  checkin: 'Check in',
  cancel: 'Cancel checkout',
  override: 'Override',
  edit: 'Edit details',
  delete: 'Delete',
};
const STYLE: Record<Kind, string> = {
  checkout: 'btn-primary',
  checkin: 'btn-primary',
  cancel: 'btn-secondary',
  override: 'btn-warning',
  edit: 'btn-secondary',
  delete: 'btn-danger',
};

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
  if (inline) kinds = kinds.filter((k) => k !== 'edit' && k !== 'delete');
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
      <a
        href={api.fileContent(slug, file.link ?? file.path)}
        download
        className={`btn ${inline ? 'btn-ghost btn-sm' : 'btn-secondary'}`}
        aria-label={`Download ${file.name} (revision ${file.revision})`}
        title={`Download revision ${file.revision}`}
        onClick={(e) => e.stopPropagation()}
      >
        <DownloadIcon />
        {!inline && 'Download'}
      </a>
    </div>
  );
}
