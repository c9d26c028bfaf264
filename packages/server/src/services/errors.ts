import type { ErrorCode } from '@lockstep/protocol';

/** A failure the client caused or may act on; the API turns it into `{error:{code,message}}`. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: { holder?: string; currentCommit?: string } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string) => new AppError(400, 'validation', message);
export const forbidden = (message: string) => new AppError(403, 'forbidden', message);
export const notFound = (message: string) => new AppError(404, 'not_found', message);
export const conflict = (message: string) => new AppError(409, 'conflict', message);
export const lockConflict = (holder: string, since: string) =>
  new AppError(409, 'lock_conflict', `checked out by ${holder} since ${since}`, { holder });

/** The file moved on since the client (If-Match) or the unit looked at it. */
export const staleCommit = (path: string, currentCommit: string) =>
  new AppError(409, 'stale', `"${path}" changed meanwhile (now at ${currentCommit.slice(0, 12)}); reload and retry`, { currentCommit });
