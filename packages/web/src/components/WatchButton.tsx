import { api, type FileInfo, type User } from '@lockstep/protocol';
import { canEdit } from '../api/auth';
import { del, errorMessage, post } from '../api/client';
import { checkoutBlockedBy } from '../api/lifecycle';
import { useSubmit } from '../lib/useSubmit';
import { useAfterFileChange } from '../modals/common';
import { toast } from '../realtime/stores';
import { useOnline } from './OutageBar';
import { BellIcon } from './ui';

/** Where the user stands in the file's lock queue: 1-based, 0 when not waiting. */
export const placeInLine = (file: Pick<FileInfo, 'waiting'>, me: string) => file.waiting.indexOf(me) + 1;

/**
 * "Notify me when available" on a file someone else holds: joins its lock queue (the first in
 * line is told when the lock is released); pressed again, leaves it.
 */
export function WatchButton({ slug, file, me, inline }: { slug: string; file: FileInfo; me: User; inline: boolean }) {
  const online = useOnline();
  const after = useAfterFileChange(slug);
  const { busy, run } = useSubmit();
  if (file.status !== 'locked' || !canEdit(me) || checkoutBlockedBy(file)) return null;
  const target = file.link ?? file.path;
  const place = placeInLine(file, me.username);
  const waiting = place > 0;
  const toggle = () =>
    void run(async () => {
      try {
        const res = waiting ? await del<FileInfo>(api.fileWatch(slug, target)) : await post<FileInfo>(api.fileWatch(slug, target));
        after(file.path, res);
        toast({
          tone: 'success',
          title: waiting ? `You left the queue for ${file.name}` : `You will be told when ${file.name} is available`,
        });
      } catch (e) {
        after(file.path);
        toast({ tone: 'error', title: 'The queue did not change', body: errorMessage(e) });
      }
    });
  const where = `you are ${place} of ${file.waiting.length} in line`;
  return (
    <button
      type="button"
      className={`btn btn-secondary ${inline ? 'btn-sm' : ''}`}
      aria-pressed={waiting}
      aria-label={waiting ? `Stop waiting for ${file.name} (${where})` : `Notify me when ${file.name} is available`}
      title={waiting ? `Stop waiting (${where})` : `Join the queue: you are told when ${file.lockedBy ?? 'the holder'} releases it`}
      disabled={busy || !online}
      onClick={(e) => {
        e.stopPropagation();
        toggle();
      }}
    >
      <BellIcon className="h-3.5 w-3.5" />
      {waiting
        ? inline
          ? `#${place} in line`
          : `Stop waiting (#${place} of ${file.waiting.length})`
        : inline
          ? 'Notify me'
          : 'Notify me when available'}
    </button>
  );
}
