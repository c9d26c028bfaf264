import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BlobTooLargeError, RepoMissingError } from '../../src/vault/index.js';
import { alice, chunked, collect, freshVault, git } from './helpers.js';

describe('Vault blobs', () => {
  it('round-trips random binary with NUL bytes byte for byte', async () => {
    const { vault, slug } = await freshVault();
    const data = Buffer.concat([Buffer.alloc(1000), randomBytes(3 * 1024 * 1024 + 17), Buffer.from('\0\r\n\0')]);
    const { sha, size } = await vault.writeBlob(slug, chunked(data));
    expect(size).toBe(data.length);
    // git agrees on the object id of the bytes we meant to store
    expect(sha).toBe(await vault.writeBlobBuffer(slug, data));
    await vault.commit(slug, { changes: [{ op: 'put', path: 'cam/part.nc', blob: sha }], author: alice, message: 'add', trailers: {} });
    const read = await vault.readBlob(slug, 'main', 'cam/part.nc');
    expect(read).not.toBeNull();
    expect(read!.size).toBe(data.length);
    expect(read!.sha).toBe(sha);
    expect((await collect(read!.stream)).equals(data)).toBe(true);
  });

  it('stores and reads an empty file', async () => {
    const { vault, slug } = await freshVault();
    const { sha, size } = await vault.writeBlob(slug, Readable.from([]));
    expect(size).toBe(0);
    expect(sha).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'); // git's well-known empty blob
    const { commit } = await vault.commit(slug, {
      changes: [{ op: 'put', path: 'empty.txt', blob: sha }],
      author: alice,
      message: 'e',
      trailers: {},
    });
    const read = await vault.readBlob(slug, commit, 'empty.txt');
    expect(read!.size).toBe(0);
    expect((await collect(read!.stream)).length).toBe(0);
    expect(await vault.readText(slug, commit, 'empty.txt')).toBe('');
  });

  it('rejects a blob over maxBytes and leaves main untouched', async () => {
    const { vault, slug } = await freshVault();
    const small = await vault.writeBlobBuffer(slug, 'v1');
    const { commit } = await vault.commit(slug, {
      changes: [{ op: 'put', path: 'a.nc', blob: small }],
      author: alice,
      message: 'v1',
      trailers: {},
    });
    const big = randomBytes(2 * 1024 * 1024);
    await expect(vault.writeBlob(slug, chunked(big), { maxBytes: 1024 * 1024 })).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(await vault.head(slug)).toBe(commit);
    // the oversized content never became an object
    const bigSha = createHash('sha1').update(`blob ${big.length}\0`).update(big).digest('hex');
    await expect(git(['--git-dir', vault.repoPath(slug), 'cat-file', '-e', bigSha])).rejects.toThrow();
    // exactly at the limit is fine
    const exact = await vault.writeBlob(slug, chunked(big.subarray(0, 1024 * 1024)), { maxBytes: 1024 * 1024 });
    expect(exact.size).toBe(1024 * 1024);
  });

  it('propagates a source stream error (truncated upload) as a rejection', async () => {
    const { vault, slug } = await freshVault();
    const broken = new Readable({
      read() {
        this.push(randomBytes(64 * 1024));
        this.destroy(new Error('client aborted upload'));
      },
    });
    await expect(vault.writeBlob(slug, broken)).rejects.toThrow('client aborted upload');
    expect(await vault.head(slug)).toBeNull();
  });

  it('returns null for missing paths, folders and unknown revisions', async () => {
    const { vault, slug } = await freshVault();
    const sha = await vault.writeBlobBuffer(slug, '{"rev":"A"}');
    await vault.commit(slug, { changes: [{ op: 'put', path: 'dir/m.json', blob: sha }], author: alice, message: 'm', trailers: {} });
    expect(await vault.readText(slug, 'main', 'dir/m.json')).toBe('{"rev":"A"}');
    expect(await vault.readBlob(slug, 'main', 'dir/nope.json')).toBeNull();
    expect(await vault.readBlob(slug, 'main', 'dir')).toBeNull();
    expect(await vault.readBlob(slug, 'deadbeef', 'dir/m.json')).toBeNull();
    await expect(vault.readBlob(slug, '--output=x', 'dir/m.json')).rejects.toThrow(/invalid revision/);
  });

  it('refuses with RepoMissingError when the repository does not exist (and never creates it)', async () => {
    const { vault } = await freshVault();
    const err = await vault.writeBlob('missing', chunked(randomBytes(4 * 1024 * 1024))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RepoMissingError);
    expect(await vault.exists('missing')).toBe(false);
  });
});
