import { useEffect, useState } from 'react';
import type { Envelope, FileEventData, FileInfo, ProjectEventMap } from '@lockstep/protocol';
import type { StateChange } from '../lib/lifecycle';
import { useSocket } from '../realtime/socket';
import { forViewer } from '../realtime/useRealtime';

/** What happened to a dialog's file since the dialog opened, as one sentence's worth of facts. */
export type FileHappening =
  | { kind: 'overridden'; by: string; reason: string; file: FileInfo | null }
  | { kind: 'locked'; file: FileInfo }
  | { kind: 'released'; by: string; file: FileInfo | null }
  | { kind: 'deleted'; by: string }
  | ({ kind: 'state'; file: FileInfo | null } & StateChange)
  | { kind: 'approved'; by: string; count: number; required: number; file: FileInfo | null };

const WATCHED = [
  'file.checked_out',
  'file.checked_in',
  'file.checkout_cancelled',
  'file.lock_overridden',
  'file.deleted',
  'file.state_changed',
  'file.approved',
] as const;

/** The data of any watched event: the fields only some of them carry are optional. */
type AnyFileEvent = FileEventData &
  Partial<ProjectEventMap['file.state_changed'] & ProjectEventMap['file.approved'] & ProjectEventMap['file.lock_overridden']>;

/**
 * Listens to the live events for one file while a dialog is open, so the dialog can react at once
 * (an admin overrode the lock, someone else checked it out, it was deleted, its release was
 * requested, approved or rejected) instead of failing on submit. `clear` forgets the last happening once the dialog has dealt with it.
 */
export function useLiveFile(slug: string, path: string, me: string): { happening: FileHappening | null; clear: () => void } {
  const socket = useSocket();
  const [happening, setHappening] = useState<FileHappening | null>(null);
  useEffect(() => {
    if (!socket) return;
    const offs = WATCHED.map((type) =>
      socket.on(type, (msg) => {
        const env = msg as Envelope<string, AnyFileEvent>;
        const d = env.data;
        if (env.project !== slug || d.path !== path) return;
        const file = d.file ? forViewer(d.file, me) : null;
        if (type === 'file.deleted') setHappening({ kind: 'deleted', by: d.actor });
        else if (type === 'file.lock_overridden')
          setHappening({ kind: 'overridden', by: d.actor, reason: d.reason ?? d.message ?? '', file });
        else if (type === 'file.checked_out' && file && d.actor !== me) setHappening({ kind: 'locked', file });
        else if ((type === 'file.checkout_cancelled' || type === 'file.checked_in') && d.actor !== me && !file?.lockedBy)
          setHappening({ kind: 'released', by: d.actor, file });
        else if (type === 'file.state_changed' && d.actor !== me && d.from && d.to)
          setHappening({
            kind: 'state',
            actor: d.actor,
            from: d.from,
            to: d.to,
            comment: d.comment ?? '',
            revision: d.revision ?? '',
            file,
          });
        else if (type === 'file.approved' && d.actor !== me)
          setHappening({ kind: 'approved', by: d.actor, count: d.approvals?.length ?? 0, required: d.required ?? 1, file });
      }),
    );
    return () => offs.forEach((off) => off());
  }, [socket, slug, path, me]);
  return { happening, clear: () => setHappening(null) };
}

/** The dialog's file as it is now: the one the last happening carried, null once deleted. */
export function currentFile(h: FileHappening | null, initial: FileInfo): FileInfo | null {
  if (!h) return initial;
  if (h.kind === 'deleted') return null;
  return h.file ?? initial;
}

/** Saves the chosen file back to the user's disk (nothing is lost when the check-in cannot go on). */
export function saveLocally(file: File): void {
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
