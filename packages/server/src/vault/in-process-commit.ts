// A commit written by this process: trees and the commit object as loose objects, then main moved
// by a long-lived `git update-ref --stdin` (compare-and-swap on the old value). No git spawn on
// the warm path: trees and commits are immutable, so they are cached by object id, and the folders
// of our own last commit are already in the cache.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ObjectReader, RefUpdater } from './git-processes.js';
import { syncObjects, writeObject } from './loose-objects.js';
import { applyChanges, parseTree, serializeTree, type TreeEntry } from './trees.js';
import type { CommitInput } from './types.js';

export const BRANCH = 'refs/heads/main';
const ZEROS = '0'.repeat(40);
// Parsed trees kept, counted in entries (~150 bytes each): ~30 MB at most.
const MAX_CACHED_ENTRIES = 200_000;

/** What one attempt came to: landed, or lost the compare-and-swap ('moved'/'locked'). */
export type Attempt = { commit: string; parent: string | null } | 'moved' | 'locked';

/** The per-repository state of the in-process writer (one per Vault and repository). */
export class RepoWriter {
  private readonly reader: ObjectReader;
  private readonly updater: RefUpdater;

  constructor(
    readonly gitDir: string,
    private readonly cache: ObjectCache,
  ) {
    this.reader = new ObjectReader(gitDir);
    this.updater = new RefUpdater(gitDir, 'lockstep: commit');
  }

  close(): void {
    this.reader.close();
    this.updater.close();
  }

  /** One attempt at `changes` on top of the current main. Throws PathNotFound/PathConflict from the checks. */
  async attempt(input: CommitInput, message: string): Promise<Attempt> {
    const parent = await readRef(this.gitDir, BRANCH);
    const parentTree = parent ? await this.treeOfCommit(parent) : null;
    const written: string[] = [];
    const tree = await applyChanges(
      {
        read: (sha) => this.readTree(sha),
        write: async (entries) => {
          const sha = await writeObject(this.gitDir, 'tree', serializeTree(entries));
          this.cache.putTree(this.gitDir, sha, entries);
          written.push(sha);
          return sha;
        },
      },
      parentTree,
      input.changes,
    );
    const commit = await writeObject(this.gitDir, 'commit', commitBody(tree, parent, input, message));
    written.push(commit);
    // Everything the new head reaches must be on disk before the ref says so (core.fsync=committed).
    const blobs = input.changes.flatMap((c) => (c.op === 'put' ? [c.blob] : []));
    await syncObjects(this.gitDir, [...blobs, ...written]);
    const result = await this.updater.update(BRANCH, commit, parent ?? ZEROS);
    if (result !== 'ok') {
      if ((await readRef(this.gitDir, BRANCH)) !== parent) return 'moved';
      // Another process may hold main.lock right now without having moved main yet.
      if (/cannot lock ref|File exists|but expected/.test(result.failed)) return 'locked';
      throw new Error(`git update-ref failed: ${result.failed.trim()}`);
    }
    this.cache.putCommitTree(this.gitDir, commit, tree);
    return { commit, parent };
  }

  private async treeOfCommit(commit: string): Promise<string> {
    const cached = this.cache.commitTree(this.gitDir, commit);
    if (cached) return cached;
    const object = await this.reader.read(commit);
    const tree = object?.type === 'commit' ? /^tree ([0-9a-f]{40})\n/.exec(object.body.toString('latin1'))?.[1] : undefined;
    if (!tree) throw new Error(`main points at ${commit}, which is not a readable commit`);
    this.cache.putCommitTree(this.gitDir, commit, tree);
    return tree;
  }

  private async readTree(sha: string): Promise<TreeEntry[]> {
    const cached = this.cache.tree(this.gitDir, sha);
    if (cached) return cached;
    const object = await this.reader.read(sha);
    if (object?.type !== 'tree') throw new Error(`tree ${sha} is missing from ${path.basename(this.gitDir)}`);
    const entries = parseTree(object.body);
    this.cache.putTree(this.gitDir, sha, entries);
    return entries;
  }
}

/** Trees and commit→tree by object id, least recently used out first. Object ids never change meaning. */
export class ObjectCache {
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly commits = new Map<string, string>();
  private entries = 0;

  tree(gitDir: string, sha: string): TreeEntry[] | undefined {
    const key = `${gitDir}\0${sha}`;
    const hit = this.trees.get(key);
    if (hit) {
      this.trees.delete(key);
      this.trees.set(key, hit);
    }
    return hit;
  }

  putTree(gitDir: string, sha: string, entries: TreeEntry[]): void {
    const key = `${gitDir}\0${sha}`;
    if (this.trees.has(key)) return;
    this.trees.set(key, entries);
    this.entries += entries.length + 1;
    for (const [oldest, value] of this.trees) {
      if (this.entries <= MAX_CACHED_ENTRIES) break;
      this.trees.delete(oldest);
      this.entries -= value.length + 1;
    }
  }

  commitTree(gitDir: string, commit: string): string | undefined {
    return this.commits.get(`${gitDir}\0${commit}`);
  }

  putCommitTree(gitDir: string, commit: string, tree: string): void {
    if (this.commits.size > 10_000) this.commits.clear(); // 40-byte values: a blunt bound is enough
    this.commits.set(`${gitDir}\0${commit}`, tree);
  }

  forget(gitDir: string): void {
    for (const key of this.trees.keys()) if (key.startsWith(`${gitDir}\0`)) this.trees.delete(key);
    for (const key of this.commits.keys()) if (key.startsWith(`${gitDir}\0`)) this.commits.delete(key);
    this.entries = [...this.trees.values()].reduce((n, e) => n + e.length + 1, 0);
  }
}

/**
 * A ref's value as git stores it: the loose file, else packed-refs (git pack-refs writes
 * packed-refs before it removes a loose ref, so this order never misses a value). Null: no such ref.
 */
export async function readRef(gitDir: string, ref: string): Promise<string | null> {
  try {
    const text = (await fs.readFile(path.join(gitDir, ref), 'utf8')).trim();
    if (/^[0-9a-f]{40}$/.test(text)) return text;
    throw new Error(`${ref} in ${gitDir} is not an object id: ${JSON.stringify(text.slice(0, 80))}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const packed = await fs.readFile(path.join(gitDir, 'packed-refs'), 'utf8').catch(() => '');
  for (const line of packed.split('\n')) if (line.endsWith(` ${ref}`) && /^[0-9a-f]{40} /.test(line)) return line.slice(0, 40);
  return null;
}

/** What `commit-tree` writes, author and committer alike (names go through git's crud trimming). */
function commitBody(tree: string, parent: string | null, input: CommitInput, message: string): Buffer {
  const when = `${Math.floor((input.date ?? new Date()).getTime() / 1000)} +0000`;
  const ident = `${withoutCrud(input.author.name)} <${withoutCrud(input.author.email)}> ${when}`;
  const head = [`tree ${tree}`, ...(parent ? [`parent ${parent}`] : []), `author ${ident}`, `committer ${ident}`];
  return Buffer.from(`${head.join('\n')}\n\n${message}`, 'utf8');
}

/** git's ident.c: leading and trailing whitespace and `.,:;<>"\'` are dropped. */
function withoutCrud(s: string): string {
  const crud = (c: string) => c.charCodeAt(0) <= 32 || '.,:;<>"\\\''.includes(c);
  let start = 0;
  let end = s.length;
  while (start < end && crud(s[start]!)) start++;
  while (end > start && crud(s[end - 1]!)) end--;
  return s.slice(start, end);
}
