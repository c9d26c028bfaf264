import type { ErrorCode } from '@lockstep/protocol';
import { PathConflictError, RepoMissingError } from '../vault/errors.js';

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

export const pathConflict = (message: string) => new AppError(409, 'path_conflict', message);

/** Vault failures a client's request can cause, as the 4xx they are (null: a real internal error). */
export function fromVaultError(err: unknown): AppError | null {
  if (err instanceof PathConflictError) return pathConflict(err.message);
  if (err instanceof RepoMissingError) return notFound(err.message);
  return null;
}
