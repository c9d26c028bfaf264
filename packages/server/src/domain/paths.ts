/** Validation of file paths inside a project. Pure: no I/O. */

export const MAX_PATH_LENGTH = 1024;
export const MAX_SEGMENT_LENGTH = 255;
/** Folder reserved for Lockstep's own metadata inside each repository. */
export const META_DIR = '.lockstep';

export class PathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathError';
  }
}

// Names Windows cannot create; a shop's CAD stations are mostly Windows.
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;
// C0, DEL and C1 control characters.
const CONTROL = /\p{Cc}/u;
const FORBIDDEN_CHARS = /[<>:"|?*\\]/;

/**
 * Returns the canonical form of a user-supplied path (folders joined by "/") or throws PathError.
 * `allowedExtensions` are lower-case with a leading dot.
 */
export function validateFilePath(raw: string, allowedExtensions: readonly string[]): string {
  if (typeof raw !== 'string' || raw.length === 0) throw new PathError('path is empty');
  if (raw.length > MAX_PATH_LENGTH) throw new PathError(`path is longer than ${MAX_PATH_LENGTH} characters`);
  if (CONTROL.test(raw)) throw new PathError('path contains control characters');
  if (raw.includes('\\')) throw new PathError('path contains a backslash; use "/" between folders');
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) throw new PathError('path must be relative to the project');
  const segments = raw.split('/');
  for (const segment of segments) {
    if (segment === '') throw new PathError('path contains an empty folder name');
    if (segment === '.' || segment === '..') throw new PathError('path must not contain "." or ".." segments');
    if (segment.length > MAX_SEGMENT_LENGTH) throw new PathError(`a name is longer than ${MAX_SEGMENT_LENGTH} characters`);
    if (FORBIDDEN_CHARS.test(segment)) throw new PathError(`"${segment}" contains a character not allowed in file names`);
    if (segment !== segment.trim() || segment.endsWith('.')) {
      throw new PathError(`"${segment}" starts or ends with a space or ends with a dot`);
    }
    if (WINDOWS_RESERVED.test(segment)) throw new PathError(`"${segment}" is a reserved name on Windows`);
    if (segment.toLowerCase() === '.git') throw new PathError('the ".git" folder name is reserved');
  }
  if (segments[0]!.toLowerCase() === META_DIR) {
    throw new PathError(`the "${segments[0]}" folder is reserved`);
  }
  const name = segments[segments.length - 1]!;
  const ext = extensionOf(name);
  if (!ext || !allowedExtensions.includes(ext)) {
    throw new PathError(`extension "${ext || '(none)'}" is not allowed (allowed: ${allowedExtensions.join(' ')})`);
  }
  return segments.join('/');
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The key two paths collide on (Windows and macOS file systems ignore case). */
export function collisionKey(path: string): string {
  return path.normalize('NFC').toLowerCase();
}

/** Where the versioned metadata of a file lives in the repository. */
export function metaPathFor(path: string): string {
  return `${META_DIR}/${path}.json`;
}

export function fileFromMetaPath(metaPath: string): string | null {
  if (!metaPath.startsWith(`${META_DIR}/`) || !metaPath.endsWith('.json')) return null;
  return metaPath.slice(META_DIR.length + 1, -'.json'.length);
}
