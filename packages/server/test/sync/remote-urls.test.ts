// Remote URLs and branch names: only plain network URLs (file:// when allowed), refused with a
// clear 400; URLs reach git after `--`; branch names follow git check-ref-format --branch.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { RemoteUrlError, validateRemoteUrl } from '../../src/domain/remote-url.js';
import { lsRemote } from '../../src/vault/remote.js';
import { isValidBranchName } from '../../src/vault/validate.js';
import { startServer, type TestServer } from '../harness.js';
import { bareRepo, fastImportCommit, headOf } from './remotes.js';

const refused = [
  ['ext::sh -c touch% /tmp/pwned', /transport/],
  ['fd::17', /transport/],
  ['--upload-pack=touch /tmp/pwned', /must not start with "-"/],
  ['-oProxyCommand=x', /must not start with "-"/],
  ['ssh://-oProxyCommand=touch%20x/repo', /must not start with "-"/],
  ['git@example.com:shop/cells.git', /ssh:\/\/user@host\/path/],
  ['javascript:alert(1)', /https:\/\//],
  ['ftp://example.com/repo.git', /not ftp:/],
  ['https://example.com/a b.git', /spaces/],
  ['https://example.com', /names no repository/],
  ['/srv/git/cells.git', /URL/],
  ['file:///srv/git/cells.git', /LOCKSTEP_ALLOW_FILE_REMOTES/],
] as const;

describe('validateRemoteUrl', () => {
  test.each(refused)('refuses %s', (url, why) => {
    expect(() => validateRemoteUrl(url, { allowFile: false })).toThrow(RemoteUrlError);
    expect(() => validateRemoteUrl(url, { allowFile: false })).toThrow(why);
  });

  test('accepts the network transports, and file:// only when allowed', () => {
    for (const url of [
      'https://gitlab.example.com/shop/cells.git',
      'http://10.0.0.5:8080/cells.git',
      'ssh://git@example.com/shop/cells.git',
      'git://example.com/cells.git',
    ])
      expect(validateRemoteUrl(url, { allowFile: false })).toBe(url);
    expect(validateRemoteUrl('file:///srv/git/cells.git', { allowFile: true })).toBe('file:///srv/git/cells.git');
    expect(() => validateRemoteUrl('file://otherhost/srv/cells.git', { allowFile: true })).toThrow(/path on this server/);
  });
});

describe('branch names', () => {
  const names = [
    'main',
    'release/2024',
    'feature/x-y',
    '-evil',
    'a..b',
    'a b',
    'a:b',
    'a~1',
    'a^',
    'a?',
    'a*',
    'a[',
    'a\\b',
    '.hidden',
    'x/.y',
    'x.lock',
    'x/',
    'x.',
    '@',
    'a@{1}',
    'a//b',
    'HEAD',
    'tab\tname',
    'ok.name',
    'ü-branch',
  ];
  test.each(names)('%j is judged as git check-ref-format --branch judges it', (name) => {
    let gitSays: boolean;
    try {
      execFileSync('git', ['check-ref-format', '--branch', name], { cwd: os.tmpdir(), stdio: 'pipe' });
      gitSays = true;
    } catch {
      gitSays = false;
    }
    // `--branch` reads "@" as the current branch, and some versions let "-…" and "HEAD" through: none is a safe refspec source.
    if (name.startsWith('-') || name === 'HEAD' || name === '@') gitSays = false;
    expect(isValidBranchName(name)).toBe(gitSays);
  });
});

describe('the URL reaches git after "--"', () => {
  test('an option-looking URL is a repository name to git, never an option', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-dashdash-'));
    const marker = path.join(dir, 'pwned');
    const gitDir = bareRepo(path.join(dir, 'local.git'));
    await expect(lsRemote(gitDir, { url: `--upload-pack=touch ${marker}`, token: null }, { timeoutMs: 10_000 })).rejects.toThrow();
    expect(fs.existsSync(marker)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('API, file:// remotes off (the default)', () => {
  let server: TestServer;
  let remotes: string;
  beforeAll(async () => {
    server = await startServer();
    remotes = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-remotes-'));
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(remotes, { recursive: true, force: true });
  });

  test.each(refused)('create with %s → 400 naming the problem; no project', async (url, why) => {
    const res = await server.admin.post(api.projects, { slug: 'refused', name: 'x', remoteUrl: url });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.code).toBe('validation');
    expect(res.body.error.message).toMatch(why);
    expect((await server.admin.get(api.project('refused'))).status).toBe(404);
  });

  test('patch to a file:// remote → 400; an https remote is accepted', async () => {
    await server.createProject('plain');
    const res = await server.admin.request('PATCH', api.project('plain'), { remoteUrl: 'file:///srv/git/x.git' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/LOCKSTEP_ALLOW_FILE_REMOTES/);
    expect((await server.admin.get(api.project('plain'))).body.remoteUrl).toBeNull();
    const ok = await server.admin.request('PATCH', api.project('plain'), { remoteUrl: 'https://gitlab.example.com/shop/plain.git' });
    expect(ok.status, ok.text).toBe(200);
  });

  test('a file:// remote stored before (or around) the setting: sync now is refused, nothing fetched', async () => {
    const remote = bareRepo(path.join(remotes, 'old.git'));
    fastImportCommit(remote, { 'x.nc': 'G0\n' }, 'theirs');
    await server.createProject('legacy');
    const before = headOf(path.join(server.dataDir, 'repos', 'legacy.git')); // the .gitattributes set-up commit
    await server.app.services.db
      .updateTable('projects')
      .set({ remote_url: `file://${remote}` })
      .where('slug', '=', 'legacy')
      .execute();
    const res = await server.admin.post(api.projectSync('legacy'));
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.message).toMatch(/LOCKSTEP_ALLOW_FILE_REMOTES/);
    expect(headOf(path.join(server.dataDir, 'repos', 'legacy.git'))).toBe(before);
    expect(headOf(path.join(server.dataDir, 'repos', 'legacy.git'), 'refs/lockstep/remote/main')).toBeNull();
  });
});
