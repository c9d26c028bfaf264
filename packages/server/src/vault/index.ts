export { Vault } from './vault.js';
export type { Author, BlobRead, CommitInput, CommitRecord, TreeChange, TreeEntry } from './types.js';
export {
  BlobTooLargeError,
  GitError,
  GitMissingError,
  PathConflictError,
  PathNotFoundError,
  RefUpdateRaceError,
  RepoExistsError,
  RepoMissingError,
  VaultInputError,
} from './errors.js';
