import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Vault } from '../../src/vault/index.js';
import { alice, freshVault, git } from './helpers.js';

describe('Vault concurrent writers', () => {
  it('20 concurrent commits from two Vault instances (two "servers") all land', async () => {
    const { vault: one, dir, slug } = await freshVault();
    const two = new Vault(dir); // separate instance: separate in-process mutex, so only the ref CAS protects main
    const commits = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const vault = i % 2 === 0 ? one : two;
        const blob = await vault.writeBlobBuffer(slug, `file ${i}\n`);
        return vault.commit(slug, {
          changes: [{ op: 'put', path: `dir${i % 3}/f${i}.nc`, blob }],
          author: alice,
          message: `add f${i}`,
          trailers: { N: String(i) },
        });
      }),
    );
    console.log(`CAS retries: ${one.casRetries} + ${two.casRetries}`);
    expect(new Set(commits.map((c) => c.commit)).size).toBe(20);
    const count = (await git(['--git-dir', one.repoPath(slug), 'rev-list', '--count', 'main'])).trim();
    expect(count).toBe('20');
    // a linear history: every commit's parent is the one reported when it landed
    const log = await one.log(slug);
    expect(log).toHaveLength(20);
    for (const c of commits) expect(log.find((r) => r.commit === c.commit)!.parents).toEqual(c.parent ? [c.parent] : []);
    const tree = await two.listTree(slug);
    expect(tree).toHaveLength(20);
    expect(await one.readText(slug, 'main', 'dir1/f7.nc')).toBe('file 7\n');
    const fsck = await one.fsck(slug);
    expect(fsck).toEqual({ ok: true, output: '' });
    expect(
      (await readdir(one.repoPath(slug))).filter((n) => n.startsWith('lockstep-index-') && !n.startsWith('lockstep-index-head-')),
    ).toEqual([]);
  }, 120_000); // ~7 git spawns per attempt, plus retries: slow on a loaded CI box

  it('retries while another process holds the ref lock, then lands', async () => {
    const { vault, slug } = await freshVault();
    const lockFile = path.join(vault.repoPath(slug), 'refs', 'heads', 'main.lock');
    await writeFile(lockFile, ''); // what a second writer holds during its update-ref
    const blob = await vault.writeBlobBuffer(slug, 'x');
    const pending = vault.commit(slug, { changes: [{ op: 'put', path: 'x', blob }], author: alice, message: 'm', trailers: {} });
    await sleep(60);
    expect(await vault.head(slug)).toBeNull();
    await rm(lockFile);
    const { commit } = await pending;
    expect(await vault.head(slug)).toBe(commit);
  });

  it('leaves no index files, spool files or half-written objects behind', async () => {
    const { vault, slug } = await freshVault();
    const blob = await vault.writeBlobBuffer(slug, 'x');
    const big = await vault.writeBlob(slug, Readable.from([Buffer.alloc(300_000, 1)]));
    await vault.commit(slug, {
      changes: [
        { op: 'put', path: 'x', blob },
        { op: 'put', path: 'd/big', blob: big.sha },
      ],
      author: alice,
      message: 'm',
      trailers: {},
    });
    await expect(
      vault.commit(slug, { changes: [{ op: 'delete', path: 'nope' }], author: alice, message: 'm', trailers: {} }),
    ).rejects.toThrow();
    const files = await readdir(vault.repoPath(slug), { recursive: true });
    expect(files.filter((n) => /lockstep-index-|tmp_obj_/.test(n))).toEqual([]);
    expect(await readdir(path.join(vault.repoPath(slug), 'lockstep-spool'))).toEqual([]);
  });

  it('does not reuse its cached index once another writer moved main', async () => {
    const { vault, slug } = await freshVault();
    const other = new Vault(vault.reposDir);
    const put = (v: Vault, path: string) =>
      v
        .writeBlobBuffer(slug, path)
        .then((blob) => v.commit(slug, { changes: [{ op: 'put', path, blob }], author: alice, message: path, trailers: {} }));
    await put(vault, 'a.txt');
    await put(other, 'b.txt'); // main moves behind the first vault's back
    await put(vault, 'c.txt');
    expect((await vault.listTree(slug)).map((e) => e.path)).toEqual(['a.txt', 'b.txt', 'c.txt']);
  });
});
