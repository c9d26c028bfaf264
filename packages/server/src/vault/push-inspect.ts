// Reading a push that receive-pack holds in quarantine (objects not yet in the repository): the
// pre-receive hook hands us its object directories, and these read through them.
import path from 'node:path';
import { runGit } from './git.js';
import { LOG_FORMAT, parseLog } from './log-format.js';
import type { CommitRecord } from './types.js';
import { assertObjectId, VaultInputError } from './validate.js';

export const ZERO_OID = '0'.repeat(40);
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** The object directories of a quarantined push, as git gives them to the hook. */
export interface Quarantine {
  objectDir: string;
  alternates: string;
}

export interface PushedChange {
  /** A added, M modified, D deleted, T type changed (e.g. file to symlink). */
  status: 'A' | 'M' | 'D' | 'T';
  path: string;
  newMode: string;
  /** The new blob (zeros for deletes). */
  blob: string;
}

/** Refuses object directories outside the repository: the hook's word is checked, not trusted. */
export function quarantineEnv(gitDir: string, q: Quarantine): Record<string, string> {
  // The hook runs in the repository, so relative directories are relative to it.
  const objects = path.resolve(gitDir, 'objects');
  const inside = (p: string) => p === objects || p.startsWith(`${objects}${path.sep}`);
  const objectDir = path.resolve(gitDir, q.objectDir);
  const alternates = q.alternates
    .split(path.delimiter)
    .filter(Boolean)
    .map((a) => path.resolve(gitDir, a));
  if (!q.objectDir || !inside(objectDir) || !alternates.every(inside)) throw new VaultInputError('quarantine outside the repository');
  return { GIT_OBJECT_DIRECTORY: objectDir, GIT_ALTERNATE_OBJECT_DIRECTORIES: alternates.join(path.delimiter) };
}

export class PushReader {
  constructor(
    private readonly gitDir: string,
    private readonly env: Record<string, string>,
  ) {}

  private git(args: string[], okCodes?: number[]) {
    return runGit(args, { gitDir: this.gitDir, env: this.env, okCodes });
  }

  async isCommit(sha: string): Promise<boolean> {
    assertObjectId(sha);
    const { code } = await this.git(['cat-file', '-e', `${sha}^{commit}`], [1, 128]);
    return code === 0;
  }

  async isAncestor(older: string, newer: string): Promise<boolean> {
    assertObjectId(older);
    assertObjectId(newer);
    const { code } = await this.git(['merge-base', '--is-ancestor', older, newer], [1]);
    return code === 0;
  }

  /** Every file the push changes, from `old` (null: an empty repository) to `new`. */
  async changes(old: string | null, next: string): Promise<PushedChange[]> {
    assertObjectId(next);
    if (old) assertObjectId(old);
    const { stdout } = await this.git(['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', old ?? EMPTY_TREE, next]);
    const tokens = stdout.toString('utf8').split('\0');
    const out: PushedChange[] = [];
    // `:<old mode> <new mode> <old sha> <new sha> <status>` NUL `<path>` NUL
    for (let i = 0; i + 1 < tokens.length; i += 2) {
      const [, newMode, , blob, status] = tokens[i]!.slice(1).split(' ');
      out.push({ status: status!.charAt(0) as PushedChange['status'], path: tokens[i + 1]!, newMode: newMode!, blob: blob! });
    }
    return out;
  }

  /** Size in bytes of each blob (uncompressed: a pack under the cap can still hold a huge file). */
  async blobSizes(shas: string[]): Promise<number[]> {
    if (!shas.length) return [];
    shas.forEach(assertObjectId);
    const { stdout } = await runGit(['cat-file', '--batch-check=%(objectsize)'], {
      gitDir: this.gitDir,
      env: this.env,
      input: shas.map((sha) => `${sha}\n`).join(''),
    });
    return stdout
      .toString('utf8')
      .split('\n')
      .slice(0, shas.length)
      .map((l) => Number(l) || 0);
  }

  /** Commits in the push (old..new), newest first. */
  async commits(old: string | null, next: string): Promise<CommitRecord[]> {
    const { stdout } = await this.git(['log', '-z', LOG_FORMAT, old ? `${old}..${next}` : next]);
    return parseLog(stdout.toString('utf8'));
  }

  /** Commits in old..new that touch `dir` at any point (even if a later commit undoes it). */
  async commitsTouching(old: string | null, next: string, dir: string): Promise<string[]> {
    const { stdout } = await this.git(['log', '--format=%H', old ? `${old}..${next}` : next, '--', dir]);
    return stdout.toString('utf8').split('\n').filter(Boolean);
  }
}
