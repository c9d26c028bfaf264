import type { FileStatus } from '@lockstep/protocol';

/** A file's status as one viewer sees it. */
export function statusFor(lockedBy: string | null, viewer: string | null): FileStatus {
  if (!lockedBy) return 'available';
  return lockedBy === viewer ? 'checked_out_by_me' : 'locked';
}
