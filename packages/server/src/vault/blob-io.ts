// Streaming blob I/O: bytes flow between Node streams and git with backpressure, never buffered whole.
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobTooLargeError } from './errors.js';
import { GitError, runGit, spawnGit } from './git.js';

/** Stream `source` into `git hash-object -w --stdin`, counting bytes and enforcing `maxBytes`. */
export async function hashObjectFromStream(
  gitDir: string,
  source: NodeJS.ReadableStream,
  maxBytes?: number,
): Promise<{ sha: string; size: number }> {
  // --no-filters: store the exact bytes (no autocrlf/attributes conversion).
  const args = ['hash-object', '-w', '--no-filters', '--stdin'];
  const child = spawnGit(args, { gitDir });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });

  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (maxBytes !== undefined && size > maxBytes) done(new BlobTooLargeError(maxBytes));
      else done(null, chunk);
    },
  });

  try {
    await pipeline(source, counter, child.stdin);
  } catch (err) {
    child.kill('SIGKILL'); // the object was never completed, so nothing is written to the store
    const code = await exited.catch(() => null);
    // If git died first, our write fails with EPIPE; git's stderr is the real reason.
    if ((err as NodeJS.ErrnoException).code === 'EPIPE' && code !== 0 && stderr) throw new GitError(args, code, stderr);
    throw err;
  }
  const code = await exited;
  if (code !== 0) throw new GitError(args, code, stderr);
  return { sha: stdout.trim(), size };
}

export interface ObjectInfo {
  sha: string;
  type: string;
  size: number;
}

/** Look up many `<rev>:<path>` names in one `cat-file --batch-check` (names travel on stdin, not argv). */
export async function batchCheck(gitDir: string, names: readonly string[]): Promise<Array<ObjectInfo | null>> {
  if (names.length === 0) return [];
  const { stdout } = await runGit(['cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)'], {
    gitDir,
    input: names.map((n) => `${n}\n`).join(''),
  });
  const lines = stdout.toString('utf8').split('\n');
  return names.map((_, i) => {
    // Missing names come back as `<name> missing`; only a real answer has this exact shape.
    const m = /^([0-9a-f]{40,64}) (blob|tree|commit|tag) (\d+)$/.exec(lines[i] ?? '');
    return m ? { sha: m[1]!, type: m[2]!, size: Number(m[3]) } : null;
  });
}

/** Stream a blob's bytes out of `git cat-file blob`; the stream errors if git fails. */
export function catBlobStream(gitDir: string, sha: string): NodeJS.ReadableStream {
  const args = ['cat-file', 'blob', sha];
  const child = spawnGit(args, { gitDir });
  child.stdin.end();
  const out = new PassThrough();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  // Don't end `out` on stdout's end: only a clean exit proves the content is complete.
  child.stdout.pipe(out, { end: false });
  child.on('error', (err) => out.destroy(err));
  child.on('close', (code) => (code === 0 ? out.end() : out.destroy(new GitError(args, code, stderr))));
  // A reader that gives up (client disconnect) must not leave git running.
  out.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return out;
}
