import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Vault, type TreeChange } from '../../src/vault/index.js';
import { until } from '../harness.js';
import { alice, chunked, freshVault, git, tempDir } from './helpers.js';

const execFileP = promisify(execFile);

/** The same changes through git's own plumbing (read-tree, update-index, write-tree, commit-tree) in a second repository. */
async function viaGitPlumbing(gitDir: string, parent: string | null, changes: TreeChange[], message: string, date: Date): Promise<string> {
  const env = {
    ...process.env,
    GIT_DIR: gitDir,
    GIT_INDEX_FILE: path.join(gitDir, 'plumbing-index'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: alice.name,
    GIT_AUTHOR_EMAIL: alice.email,
    GIT_COMMITTER_NAME: alice.name,
    GIT_COMMITTER_EMAIL: alice.email,
    GIT_AUTHOR_DATE: `${date.getTime() / 1000} +0000`,
    GIT_COMMITTER_DATE: `${date.getTime() / 1000} +0000`,
  };
  const run = async (args: string[], input?: string) => {
    const child = execFileP('git', args, { env });
    if (input !== undefined) child.child.stdin!.end(input);
    return (await child).stdout.trim();
  };
  if (parent) await run(['read-tree', parent]);
  else await run(['read-tree', '--empty']);
  const info = changes.map((c) => (c.op === 'put' ? `100644 blob ${c.blob}\t${c.path}\0` : `0 ${'0'.repeat(40)}\t${c.path}\0`)).join('');
  await run(['update-index', '-z', '--index-info'], info);
  const tree = await run(['write-tree']);
  return run(['commit-tree', tree, ...(parent ? ['-p', parent] : [])], message);
}

const fsckStrict = (gitDir: string) => git(['--git-dir', gitDir, 'fsck', '--full', '--strict', '--no-dangling', '--no-progress']);

describe('Vault in-process writer (loose objects, long-lived update-ref)', () => {
  it('writes byte-identical commits to git plumbing, and git fsck --strict finds nothing', async () => {
    const dir = await tempDir();
    const vault = new Vault(dir);
    await vault.createRepo('ours');
    await vault.createRepo('theirs');
    const ours = vault.repoPath('ours');
    const theirs = vault.repoPath('theirs');
    const big = randomBytes(2 * 1024 * 1024);
    const files = [Buffer.from('G0 X0\n'), Buffer.from('{"revision":"A"}\n'), big, Buffer.alloc(0)];
    const shas: string[] = [];
    for (const f of files) {
      const { sha, size } = await vault.writeBlob('ours', chunked(f));
      expect(size).toBe(f.length);
      // git's own id of the same bytes, written into the other repository
      const child = execFileP('git', ['--git-dir', theirs, 'hash-object', '-w', '--stdin']);
      child.child.stdin!.end(f);
      expect((await child).stdout.trim()).toBe(sha);
      shas.push(sha);
    }
    expect(await vault.writeBlobBuffer('ours', 'G0 X0\n')).toBe(shas[0]);
    const steps: TreeChange[][] = [
      [
        { op: 'put', path: '12XXXXX/1234567_op1.mcam', blob: shas[0]! },
        { op: 'put', path: '.lockstep/12XXXXX/1234567_op1.mcam.json', blob: shas[1]! },
        { op: 'put', path: 'a b/ü-Teil (2).step', blob: shas[2]! },
        { op: 'put', path: 'a b/c/d/e/empty.txt', blob: shas[3]! },
        { op: 'put', path: 'a-b', blob: shas[0]! }, // sorts between "a b/" and "a.b" — folder order rules
        { op: 'put', path: 'a.b', blob: shas[1]! },
        { op: 'put', path: 'a', blob: shas[1]! },
      ],
      [{ op: 'put', path: '12XXXXX/1234567_op1.mcam', blob: shas[2]! }],
      [{ op: 'delete', path: 'a b/c/d/e/empty.txt' }], // empty folders vanish
      [
        { op: 'delete', path: 'a b/ü-Teil (2).step' },
        { op: 'put', path: 'z/new.nc', blob: shas[0]! },
      ],
      [
        { op: 'delete', path: '12XXXXX/1234567_op1.mcam' },
        { op: 'delete', path: '.lockstep/12XXXXX/1234567_op1.mcam.json' },
        { op: 'delete', path: 'z/new.nc' },
        { op: 'delete', path: 'a-b' },
        { op: 'delete', path: 'a.b' },
        { op: 'delete', path: 'a' },
      ], // nothing left: the empty tree
    ];
    let theirHead: string | null = null;
    for (const [i, changes] of steps.entries()) {
      const date = new Date(Date.UTC(2026, 0, 1 + i));
      const { commit } = await vault.commit('ours', { changes, author: alice, message: `step ${i}`, trailers: { Step: String(i) }, date });
      theirHead = await viaGitPlumbing(theirs, theirHead, changes, `step ${i}\n\nStep: ${i}\n`, date);
      expect(commit).toBe(theirHead); // same tree, parent, identities, date and message: same id
      expect(await fsckStrict(ours)).toBe('');
    }
    const reflog = await git(['--git-dir', ours, 'reflog', 'show', '--format=%H', 'main']);
    expect(reflog.trim().split('\n')).toHaveLength(steps.length);
  }, 60_000);

  it('keeps to the compare-and-swap when real git moves main, packs refs and objects beside it', async () => {
    const { vault, slug } = await freshVault();
    const gitDir = vault.repoPath(slug);
    const put = async (p: string) => {
      const blob = await vault.writeBlobBuffer(slug, `${p}\n`);
      return vault.commit(slug, { changes: [{ op: 'put', path: `d/${p}`, blob }], author: alice, message: p, trailers: {} });
    };
    await put('one.nc');
    // A git client pushes a commit (here: plumbing from the command line) behind the vault's back.
    const clone = path.join(await tempDir(), 'clone');
    await git(['clone', '--quiet', gitDir, clone]);
    await writeFile(path.join(clone, 'd', 'pushed.nc'), 'pushed\n');
    await git(['-C', clone, 'add', '.']);
    await git(['-C', clone, '-c', 'user.name=Pusher', '-c', 'user.email=p@x', 'commit', '--quiet', '-m', 'pushed']);
    await git(['-C', clone, 'push', '--quiet', 'origin', 'main']);
    const pushed = (await git(['--git-dir', gitDir, 'rev-parse', 'main'])).trim();
    const second = await put('two.nc');
    expect(second.parent).toBe(pushed);
    // gc packs objects and refs: the vault reads the trees back from the pack, main from packed-refs.
    await git(['--git-dir', gitDir, 'gc', '--quiet', '--prune=now']);
    await git(['--git-dir', gitDir, 'pack-refs', '--all']);
    const fresh = new Vault(vault.reposDir); // no cached trees: all from git
    const blob = await fresh.writeBlobBuffer(slug, 'three\n');
    const third = await fresh.commit(slug, {
      changes: [{ op: 'put', path: 'd/three.nc', blob }],
      author: alice,
      message: '3',
      trailers: {},
    });
    expect(third.parent).toBe(second.commit);
    expect((await fresh.listTree(slug)).map((e) => e.path)).toEqual(['d/one.nc', 'd/pushed.nc', 'd/three.nc', 'd/two.nc']);
    expect(await fsckStrict(gitDir)).toBe('');
    fresh.close();
    vault.close();
  }, 60_000);

  it('its git processes end when the server is killed with kill -9, and leave no lock behind', async () => {
    const { vault, slug } = await freshVault();
    const gitDir = vault.repoPath(slug);
    const script = `
      import { Vault } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../src/vault/index.ts'))};
      const vault = new Vault(${JSON.stringify(vault.reposDir)});
      let i = 0;
      for (;;) {
        const blob = await vault.writeBlobBuffer('p', String(i));
        await vault.commit('p', { changes: [{ op: 'put', path: 'f' + (i++ % 5), blob }], author: { name: 'A', email: 'a@l' }, message: 'm', trailers: {} });
        if (i === 3) console.log('committing');
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const childrenOf = async (pid: number) => {
      const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
      const kids = await Promise.all(tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')));
      return kids.join(' ').trim().split(/\s+/).filter(Boolean).map(Number);
    };
    const gits = await childrenOf(child.pid!);
    const names = await Promise.all(gits.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
    expect(names.some((n) => n.includes('update-ref'))).toBe(true);
    child.kill('SIGKILL');
    const alive = async () =>
      (await Promise.all(gits.map((pid) => readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null)))).filter((s) => s && !/\) Z /.test(s));
    await until('git children to exit', async () => (await alive()).length === 0, 10_000);
    const refs = await readdir(path.join(gitDir, 'refs', 'heads'));
    expect(refs).toEqual(['main']); // no main.lock left: a later commit need not wait
    expect(await fsckStrict(gitDir)).toBe('');
    const blob = await vault.writeBlobBuffer(slug, 'after');
    const head = await vault.head(slug);
    expect(
      (await vault.commit(slug, { changes: [{ op: 'put', path: 'after', blob }], author: alice, message: 'm', trailers: {} })).parent,
    ).toBe(head);
    vault.close();
  }, 60_000);
});
