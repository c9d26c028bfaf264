// Streaming blob I/O: bytes flow between Node streams and git with backpressure, never buffered whole.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobTooLargeError } from './errors.js';
import { GitError, runGit, spawnGit } from './git.js';

/** Where uploads are spooled before git hashes them (same file system as the objects). */
export const SPOOL_DIR = 'lockstep-spool';

/**
 * Stream `source` to a spool file inside the repository, then `git hash-object -w -- <file>`.
 * Not `--stdin`: git reads stdin whole into its heap (a 2 GB upload would need 2 GB), while a
 * file is mapped, or streamed into a pack above core.bigFileThreshold. Bytes are counted and
 * `maxBytes` enforced on the way; the spool file is always removed.
 */
export async function hashObjectFromStream(
  gitDir: string,
  source: NodeJS.ReadableStream,
  maxBytes?: number,
  /** Writes the spooled file as a blob in this process instead (see loose-objects.ts). */
  store?: (file: string, size: number) => Promise<string>,
): Promise<{ sha: string; size: number }> {
  const spool = path.join(gitDir, SPOOL_DIR);
  // Not recursive: a repository deleted meanwhile must not come back as an empty folder.
  await fs.promises.mkdir(spool).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
  const file = path.join(spool, `${process.pid}-${crypto.randomUUID()}`);
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (maxBytes !== undefined && size > maxBytes) done(new BlobTooLargeError(maxBytes));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(source, counter, fs.createWriteStream(file, { flags: 'wx' }));
    if (store) return { sha: await store(file, size), size };
    // --no-filters: store the exact bytes (no autocrlf/attributes conversion).
    const { stdout } = await runGit(['hash-object', '-w', '--no-filters', '--', file], { gitDir });
    return { sha: stdout.toString().trim(), size };
  } finally {
    await fs.promises.rm(file, { force: true });
  }
}

/**
 * Removes upload spool files and commit index files a crashed process left behind (older than
 * `olderThanMs`: another instance may be mid-upload; a live one re-reads its index if it lost it).
 */
export async function sweepSpool(gitDir: string, olderThanMs: number): Promise<number> {
  const spool = path.join(gitDir, SPOOL_DIR);
  const spooled = (await fs.promises.readdir(spool).catch(() => [] as string[])).map((n) => path.join(spool, n));
  const indexes = (await fs.promises.readdir(gitDir)).filter((n) => n.startsWith('lockstep-index-')).map((n) => path.join(gitDir, n));
  let removed = 0;
  for (const file of [...spooled, ...indexes]) {
    const stat = await fs.promises.stat(file).catch(() => null);
    if (stat && Date.now() - stat.mtimeMs > olderThanMs) {
      await fs.promises.rm(file, { force: true });
      removed++;
    }
  }
  return removed;
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
