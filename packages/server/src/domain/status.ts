import type { FileInfo, FileStatus } from '@lockstep/protocol';

/** A file's status as one viewer sees it. */
export function statusFor(lockedBy: string | null, viewer: string | null): FileStatus {
  if (!lockedBy) return 'available';
  return lockedBy === viewer ? 'checked_out_by_me' : 'locked';
}

/** The same entry with its status for another viewer (events carry a viewer-neutral copy). */
export function asSeenBy(info: FileInfo, viewer: string): FileInfo {
  return { ...info, status: statusFor(info.lockedBy, viewer) };
}
