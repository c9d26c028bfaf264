import type { ReactNode } from 'react';
import { lockText } from '../lib/format';
import { approvalText, stateChangeText } from '../lib/lifecycle';
import { useMe } from '../api/auth';
import { useLiveFile, type FileHappening } from './useLiveFile';

/** The dialog's banner for what happened to its file meanwhile. */
export function happeningText(h: FileHappening): string {
  switch (h.kind) {
    case 'overridden':
      return `${h.by} overrode the lock${h.reason ? `: ${h.reason}` : ''}.`;
    case 'locked':
      return `${lockText(h.file.lockedBy, h.file.lockedAt, h.file.lockMessage)}.`;
    case 'released':
      return `${h.by} released the file: it is available now.`;
    case 'deleted':
      return `${h.by} deleted this file.`;
    case 'state':
      return `${stateChangeText(h, 'it')}.`;
    case 'approved':
      return `${approvalText(h.by, 'it', h.count, h.required)}.`;
  }
}

export function LiveNotice({ happening, children }: { happening: FileHappening; children?: ReactNode }) {
  const good =
    happening.kind === 'released' || happening.kind === 'approved' || (happening.kind === 'state' && happening.to === 'released');
  return (
    <div
      role="alert"
      data-testid="live-notice"
      className={`space-y-2 rounded-md border px-3 py-2 text-sm ${
        good
          ? 'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-700 dark:bg-emerald-950/50 dark:text-emerald-100'
          : 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-100'
      }`}
    >
      <p className="font-medium break-words">{happeningText(happening)}</p>
      {children}
    </div>
  );
}

/** For the small dialogs: says at once when the file was deleted or its lock changed hands. */
export function LiveFileNotice({ slug, path }: { slug: string; path: string }) {
  const me = useMe();
  const { happening } = useLiveFile(slug, path, me.username);
  return happening ? <LiveNotice happening={happening} /> : null;
}
