export { GitError, GitMissingError } from './git.js';
export { VaultInputError } from './validate.js';

/** The upload went past `maxBytes`; nothing was committed. */
export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`file is larger than the limit of ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

export class RepoExistsError extends Error {
  constructor(readonly slug: string) {
    super(`a repository for project "${slug}" already exists`);
    this.name = 'RepoExistsError';
  }
}

/** A delete named a path that is not a file in the current tree. */
export class PathNotFoundError extends Error {
  constructor(readonly path: string) {
    super(`cannot delete "${path}": it is not a file in the vault`);
    this.name = 'PathNotFoundError';
  }
}

/** A put would turn a file into a folder or the other way round (git would silently drop files). */
export class PathConflictError extends Error {
  constructor(
    readonly path: string,
    readonly conflictsWith: string,
  ) {
    super(`cannot write "${path}": "${conflictsWith}" is a ${path === conflictsWith ? 'folder' : 'file'} in the vault`);
    this.name = 'PathConflictError';
  }
}

/** Other writers kept moving the branch; every compare-and-swap attempt lost. */
export class RefUpdateRaceError extends Error {
  constructor(readonly attempts: number) {
    super(`could not update refs/heads/main after ${attempts} attempts (concurrent writers)`);
    this.name = 'RefUpdateRaceError';
  }
}

/** The project's repository is gone (deleted while the request was on its way). */
export class RepoMissingError extends Error {
  constructor(readonly slug: string) {
    super(`project "${slug}" has no repository (it was deleted)`);
    this.name = 'RepoMissingError';
  }
}
