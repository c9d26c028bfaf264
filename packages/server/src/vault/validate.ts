// Last-line checks on what reaches git. The domain layer validates paths properly; these only
// make sure nothing can be read as an option, escape the repo, or corrupt a commit object.

export class VaultInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultInputError';
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const MESSAGE_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/; // newline and tab are fine in messages
const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const TRAILER_KEY = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

export function assertSlug(slug: string): void {
  if (!SLUG.test(slug)) throw new VaultInputError(`invalid project slug ${JSON.stringify(slug)}`);
}

/** A path inside the repository tree. */
export function assertTreePath(p: string): void {
  if (!p || CONTROL.test(p) || p.startsWith('/') || p.endsWith('/')) {
    throw new VaultInputError(`invalid repository path ${JSON.stringify(p)}`);
  }
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.' || seg === '..' || seg.toLowerCase() === '.git') {
      throw new VaultInputError(`invalid repository path ${JSON.stringify(p)}`);
    }
  }
}

/** A revision given on the command line: never an option, never whitespace or `:` tricks. */
export function assertRev(rev: string): void {
  if (!rev || rev.startsWith('-') || CONTROL.test(rev) || /[\s:]/.test(rev)) {
    throw new VaultInputError(`invalid revision ${JSON.stringify(rev)}`);
  }
}

export function assertObjectId(sha: string): void {
  if (!OBJECT_ID.test(sha)) throw new VaultInputError(`invalid object id ${JSON.stringify(sha)}`);
}

export function assertIdentity(name: string, email: string): void {
  // git rejects or silently strips these; fail loudly instead of writing a different author.
  if (!name.trim() || /[<>\n\r\0]/.test(name)) throw new VaultInputError(`invalid author name ${JSON.stringify(name)}`);
  if (!email.trim() || /[<>\s\0]/.test(email)) throw new VaultInputError(`invalid author email ${JSON.stringify(email)}`);
}

/** message + blank line + `Key: value` lines; the inverse of what `log` parses. */
export function buildMessage(message: string, trailers: Record<string, string>): string {
  if (MESSAGE_CONTROL.test(message)) throw new VaultInputError('commit message contains control characters');
  // Without a subject paragraph git would read the trailer block as the subject.
  let text = message.replace(/\r\n?/g, '\n').trim() || '(no message)';
  const lines = Object.entries(trailers).map(([key, value]) => {
    if (!TRAILER_KEY.test(key)) throw new VaultInputError(`invalid trailer key ${JSON.stringify(key)}`);
    if (CONTROL.test(value)) throw new VaultInputError(`trailer ${key} contains control characters`);
    return `${key}: ${value.trim()}`;
  });
  if (lines.length) text += `\n\n${lines.join('\n')}`;
  return `${text}\n`;
}

/**
 * A branch name as `git check-ref-format --branch` accepts it, checked without running git:
 * no "-" at the start, no "..", "@{", "//", control characters, space, ~^:?*[\, no segment
 * starting with "." or ending with ".lock", not "HEAD", not ending with "/" or ".".
 */
export function isValidBranchName(name: string): boolean {
  if (!name || name.length > 255 || name === 'HEAD' || name === '@') return false;
  if (name.startsWith('-') || name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(name) || name.includes('..') || name.includes('@{') || name.includes('//')) return false;
  return name.split('/').every((seg) => seg !== '' && !seg.startsWith('.') && !seg.endsWith('.lock'));
}
