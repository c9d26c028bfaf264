import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PathConflictError, PathNotFoundError, Vault, VaultInputError } from '../../src/vault/index.js';
import { alice, freshVault, git, tempDir } from './helpers.js';

const bob = { name: 'Bob Programmer', email: 'bob@lockstep.local' };

describe('Vault commits', () => {
  it('puts and deletes in nested folders; author and trailers round-trip through log', async () => {
    const { vault, slug } = await freshVault();
    const a = await vault.writeBlobBuffer(slug, 'G0 X0 Y0\n');
    const meta = await vault.writeBlobBuffer(slug, '{"revision":"A"}');
    const first = await vault.commit(slug, {
      changes: [
        { op: 'put', path: '12XXXXX/1234567_op1.nc', blob: a },
        { op: 'put', path: '.lockstep/12XXXXX/1234567_op1.nc.json', blob: meta },
        { op: 'put', path: 'misc/deep/er/notes.txt', blob: a },
      ],
      author: alice,
      message: 'First upload\n\nRoughing pass.\n---\nwith a dashed line',
      trailers: { 'Lockstep-Action': 'upload', Revision: 'A' },
      date: new Date('2024-03-01T08:30:00Z'),
    });
    expect(first.parent).toBeNull();
    const second = await vault.commit(slug, {
      changes: [{ op: 'delete', path: 'misc/deep/er/notes.txt' }],
      author: bob,
      message: 'Remove notes',
      trailers: { 'Lockstep-Action': 'delete' },
    });
    expect(second.parent).toBe(first.commit);
    expect(await vault.head(slug)).toBe(second.commit);

    const log = await vault.log(slug);
    expect(log.map((c) => c.commit)).toEqual([second.commit, first.commit]);
    expect(log[1]).toEqual({
      commit: first.commit,
      parents: [],
      authorName: 'Alice Machinist',
      authorEmail: 'alice@lockstep.local',
      date: '2024-03-01T08:30:00.000Z',
      subject: 'First upload',
      body: 'First upload\n\nRoughing pass.\n---\nwith a dashed line',
      trailers: { 'Lockstep-Action': 'upload', Revision: 'A' },
    });
    expect(log[0]).toMatchObject({
      authorName: 'Bob Programmer',
      parents: [first.commit],
      body: 'Remove notes',
      trailers: { 'Lockstep-Action': 'delete' },
    });
    expect((await vault.listTree(slug)).map((e) => e.path).sort()).toEqual([
      '.lockstep/12XXXXX/1234567_op1.nc.json',
      '12XXXXX/1234567_op1.nc',
    ]);
    // the old revision is still readable
    expect(await vault.readText(slug, first.commit, 'misc/deep/er/notes.txt')).toBe('G0 X0 Y0\n');
    expect(await vault.readText(slug, 'main', 'misc/deep/er/notes.txt')).toBeNull();
    expect((await vault.fsck(slug)).ok).toBe(true);
  });

  it("log with paths lists only that file's commits, including its deletion", async () => {
    const { vault, slug } = await freshVault();
    const put = async (p: string, content: string, msg: string) =>
      (
        await vault.commit(slug, {
          changes: [{ op: 'put', path: p, blob: await vault.writeBlobBuffer(slug, content) }],
          author: alice,
          message: msg,
          trailers: {},
        })
      ).commit;
    const c1 = await put('a/x.nc', '1', 'x v1');
    await put('a/y.nc', '1', 'y v1');
    const c3 = await put('a/x.nc', '2', 'x v2');
    const c4 = (await vault.commit(slug, { changes: [{ op: 'delete', path: 'a/x.nc' }], author: alice, message: 'x gone', trailers: {} }))
      .commit;
    await put('a/y.nc', '2', 'y v2');
    expect((await vault.log(slug, { paths: ['a/x.nc'] })).map((c) => c.commit)).toEqual([c4, c3, c1]);
    expect((await vault.log(slug, { paths: ['a/x.nc'], limit: 2 })).map((c) => c.subject)).toEqual(['x gone', 'x v2']);
    expect(await vault.log(slug, { paths: ['a/never.nc'] })).toEqual([]);
    expect(await vault.log(slug, { paths: ['a/*.nc'] })).toEqual([]); // literal, not a glob
  });

  it('listTree reports sizes and handles an empty repository', async () => {
    const { vault, slug } = await freshVault();
    expect(await vault.listTree(slug)).toEqual([]);
    const big = await vault.writeBlobBuffer(slug, Buffer.alloc(123_456, 7));
    const small = await vault.writeBlobBuffer(slug, 'abc');
    await vault.commit(slug, {
      changes: [
        { op: 'put', path: 'b/big.bin', blob: big },
        { op: 'put', path: 'name with space.txt', blob: small },
      ],
      author: alice,
      message: 'm',
      trailers: {},
    });
    const tree = await vault.listTree(slug);
    expect(tree.sort((x, y) => x.path.localeCompare(y.path))).toEqual([
      { path: 'b/big.bin', sha: big, size: 123_456 },
      { path: 'name with space.txt', sha: small, size: 3 },
    ]);
  });

  it('refuses deletes of missing paths and file/folder conflicts without committing', async () => {
    const { vault, slug } = await freshVault();
    const blob = await vault.writeBlobBuffer(slug, 'x');
    await expect(
      vault.commit(slug, { changes: [{ op: 'delete', path: 'nope.nc' }], author: alice, message: 'm', trailers: {} }),
    ).rejects.toBeInstanceOf(PathNotFoundError);
    const { commit } = await vault.commit(slug, {
      changes: [{ op: 'put', path: 'a/b.nc', blob }],
      author: alice,
      message: 'm',
      trailers: {},
    });
    await expect(
      vault.commit(slug, { changes: [{ op: 'delete', path: 'a/c.nc' }], author: alice, message: 'm', trailers: {} }),
    ).rejects.toThrow(/cannot delete "a\/c.nc"/);
    await expect(
      vault.commit(slug, { changes: [{ op: 'delete', path: 'a' }], author: alice, message: 'm', trailers: {} }),
    ).rejects.toBeInstanceOf(PathNotFoundError);
    await expect(
      vault.commit(slug, { changes: [{ op: 'put', path: 'a/b.nc/c.nc', blob }], author: alice, message: 'm', trailers: {} }),
    ).rejects.toBeInstanceOf(PathConflictError);
    await expect(
      vault.commit(slug, { changes: [{ op: 'put', path: 'a', blob }], author: alice, message: 'm', trailers: {} }),
    ).rejects.toBeInstanceOf(PathConflictError);
    await expect(
      vault.commit(slug, { changes: [{ op: 'put', path: '../evil', blob }], author: alice, message: 'm', trailers: {} }),
    ).rejects.toBeInstanceOf(VaultInputError);
    await expect(
      vault.commit(slug, { changes: [{ op: 'put', path: 'x', blob: '--help' }], author: alice, message: 'm', trailers: {} }),
    ).rejects.toBeInstanceOf(VaultInputError);
    await expect(
      vault.commit(slug, {
        changes: [{ op: 'put', path: 'x', blob }],
        author: { name: 'Eve <e@x>', email: 'e@x' },
        message: 'm',
        trailers: {},
      }),
    ).rejects.toBeInstanceOf(VaultInputError);
    expect(await vault.head(slug)).toBe(commit);
  });

  it('resolveCommit resolves refs and short ids, returns null for unknown revs and rejects options', async () => {
    const { vault, slug } = await freshVault();
    expect(await vault.resolveCommit(slug, 'main')).toBeNull();
    const { commit } = await vault.commit(slug, {
      changes: [{ op: 'put', path: 'f', blob: await vault.writeBlobBuffer(slug, 'f') }],
      author: alice,
      message: 'm',
      trailers: {},
    });
    expect(await vault.resolveCommit(slug, 'main')).toBe(commit);
    expect(await vault.resolveCommit(slug, commit.slice(0, 10))).toBe(commit);
    expect(await vault.resolveCommit(slug, 'deadbeefdeadbeef')).toBeNull();
    expect(await vault.resolveCommit(slug, 'no-such-branch')).toBeNull();
    await expect(vault.resolveCommit(slug, '--foo')).rejects.toBeInstanceOf(VaultInputError);
    await expect(vault.resolveCommit(slug, '-n')).rejects.toBeInstanceOf(VaultInputError);
  });

  it('a git clone of the bare repository shows the commits with the user as author and committer', async () => {
    const { vault, slug } = await freshVault();
    const blob = await vault.writeBlobBuffer(slug, 'O1000\n');
    await vault.commit(slug, {
      changes: [{ op: 'put', path: 'jobs/O1000.nc', blob }],
      author: alice,
      message: 'Check in O1000',
      trailers: { Revision: 'B' },
    });
    const clone = path.join(await tempDir(), 'clone');
    await git(['clone', '--quiet', vault.repoPath(slug), clone]);
    const line = (await git(['log', '--format=%an|%ae|%cn|%ce|%s|%(trailers:key=Revision,valueonly)'], clone)).trim();
    expect(line).toBe('Alice Machinist|alice@lockstep.local|Alice Machinist|alice@lockstep.local|Check in O1000|B');
    expect(await git(['show', 'HEAD:jobs/O1000.nc'], clone)).toBe('O1000\n');
  });

  it('ignores a hostile GIT_DIR / GIT_INDEX_FILE in the environment', async () => {
    const dir = await tempDir();
    const vault = new Vault(dir);
    await vault.createRepo('p');
    const saved = { ...process.env };
    process.env.GIT_DIR = path.join(dir, 'elsewhere.git');
    process.env.GIT_INDEX_FILE = path.join(dir, 'stray-index');
    try {
      const blob = await vault.writeBlobBuffer('p', 'z');
      await vault.commit('p', { changes: [{ op: 'put', path: 'z', blob }], author: alice, message: 'm', trailers: {} });
    } finally {
      delete process.env.GIT_DIR;
      delete process.env.GIT_INDEX_FILE;
      Object.assign(process.env, saved);
    }
    expect((await vault.listTree('p')).map((e) => e.path)).toEqual(['z']);
    expect(existsSync(path.join(dir, 'elsewhere.git'))).toBe(false);
    expect(existsSync(path.join(dir, 'stray-index'))).toBe(false);
  });
});
