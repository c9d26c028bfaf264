import { runGit } from './git.js';
import { assertRev } from './validate.js';
import type { Vault } from './vault.js';

/** Bulk reads for index rebuilds: one git process each, however many files the project has. */

/** Contents of many blobs through one `git cat-file --batch`. */
export async function readBlobs(vault: Vault, slug: string, shas: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!shas.length) return out;
  const { stdout } = await runGit(['cat-file', '--batch'], { gitDir: vault.repoPath(slug), input: `${shas.join('\n')}\n` });
  let pos = 0;
  while (pos < stdout.length) {
    const eol = stdout.indexOf(0x0a, pos);
    const [sha, type, size] = stdout.subarray(pos, eol).toString().split(' ');
    if (type === 'missing' || !size) {
      pos = eol + 1;
      continue;
    }
    const start = eol + 1;
    const end = start + Number(size);
    out.set(sha!, stdout.subarray(start, end).toString('utf8'));
    pos = end + 1; // content is followed by a newline
  }
  return out;
}

/** The last commit that touched a path; `age` 0 is the head, larger is older (log order). */
export interface LastCommit {
  commit: string;
  author: string;
  date: string;
  age: number;
}

/** Commits of `range` (a head, or `old..new`), newest first, each with the paths it touched. */
export async function commitsWithPaths(
  vault: Vault,
  slug: string,
  range: string,
): Promise<Array<{ commit: string; author: string; date: string; paths: string[] }>> {
  assertRev(range);
  const { stdout } = await runGit(['log', '--no-renames', '--format=%x01%H%x09%an%x09%aI', '--name-only', range, '--'], {
    gitDir: vault.repoPath(slug),
  });
  const out = [];
  for (const chunk of stdout.toString('utf8').split('\x01')) {
    if (!chunk) continue;
    const lines = chunk.split('\n');
    const [commit, author, date] = lines[0]!.split('\t') as [string, string, string];
    out.push({ commit, author, date, paths: lines.slice(1).filter((p) => p) });
  }
  return out;
}

/** For every path ever touched up to `head`: the newest commit that touched it, with author and date. */
export async function lastCommits(vault: Vault, slug: string, head: string): Promise<Map<string, LastCommit>> {
  const out = new Map<string, LastCommit>();
  (await commitsWithPaths(vault, slug, head)).forEach(({ commit, author, date, paths }, age) => {
    for (const path of paths) if (!out.has(path)) out.set(path, { commit, author, date, age });
  });
  return out;
}

/** Every entry of the tree at `rev` with its mode and type (`ls-tree -r -z`): blobs, symlinks, submodules. */
export async function treeEntries(
  vault: Vault,
  slug: string,
  rev: string,
): Promise<Array<{ mode: string; type: string; sha: string; path: string }>> {
  assertRev(rev);
  const { stdout } = await runGit(['ls-tree', '-r', '-z', rev], { gitDir: vault.repoPath(slug) });
  const out: Array<{ mode: string; type: string; sha: string; path: string }> = [];
  for (const record of stdout.toString('utf8').split('\0')) {
    const tab = record.indexOf('\t');
    if (tab < 0) continue;
    const [mode = '', type = '', sha = ''] = record.slice(0, tab).split(' ');
    out.push({ mode, type, sha, path: record.slice(tab + 1) });
  }
  return out;
}
