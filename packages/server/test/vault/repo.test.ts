import { stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RepoExistsError, Vault, VaultInputError } from '../../src/vault/index.js';
import { freshVault, git, tempDir } from './helpers.js';

describe('Vault repositories', () => {
  it('checkGit reports a version >= 2.30', async () => {
    const version = await Vault.checkGit();
    const [major, minor] = version.split('.').map(Number);
    expect(major! * 1000 + minor!).toBeGreaterThanOrEqual(2030);
  });

  it('creates, detects and deletes a bare repository with main as its branch', async () => {
    const dir = await tempDir();
    const vault = new Vault(dir);
    expect(await vault.exists('shop')).toBe(false);
    await vault.createRepo('shop');
    expect(vault.repoPath('shop')).toBe(path.join(dir, 'shop.git'));
    expect(await vault.exists('shop')).toBe(true);
    expect((await git(['--git-dir', vault.repoPath('shop'), 'rev-parse', '--is-bare-repository'])).trim()).toBe('true');
    expect((await git(['--git-dir', vault.repoPath('shop'), 'symbolic-ref', 'HEAD'])).trim()).toBe('refs/heads/main');
    expect((await git(['--git-dir', vault.repoPath('shop'), 'config', 'gc.auto'])).trim()).toBe('0');
    expect(await vault.head('shop')).toBeNull();
    await vault.deleteRepo('shop');
    expect(await vault.exists('shop')).toBe(false);
    await expect(stat(path.join(dir, 'shop.git'))).rejects.toThrow();
  });

  it('refuses to create a repository twice', async () => {
    const { vault, slug } = await freshVault();
    await expect(vault.createRepo(slug)).rejects.toBeInstanceOf(RepoExistsError);
    expect(await vault.exists(slug)).toBe(true);
  });

  it('rejects slugs that could leave the repos folder', async () => {
    const vault = new Vault(await tempDir());
    for (const bad of ['../x', 'a/b', '', '.hidden', '-rf']) {
      expect(() => vault.repoPath(bad)).toThrow(VaultInputError);
    }
    await expect(vault.deleteRepo('..')).rejects.toBeInstanceOf(VaultInputError);
  });
});
