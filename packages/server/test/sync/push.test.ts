// Background push after commits, over file://, git:// (git daemon) and http:// with a token.
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import type { ProjectEvent } from '../../src/events/bus.js';
import type { Client, TestServer } from '../harness.js';
import { bareRepo, Daemon, git, headOf, HttpGit, startSyncServer, type SyncContext } from './remotes.js';
import { until } from '../harness.js';

const TOKEN = 'glpat-s3cret-Token-9f8e7d';
let ctx: SyncContext;
let server: TestServer;
let remotes: string;
let alice: Client;
let events: ProjectEvent[];

const project = async (slug: string) => (await server.admin.get(api.project(slug))).body;
const syncOf = async (slug: string) => (await project(slug)).sync as { state: string; lastError: string | null; lastSyncAt: string | null };

beforeAll(async () => {
  ctx = await startSyncServer();
  ({ server, remotes, alice, events } = ctx);
}, 60_000);

afterAll(async () => ctx.stop());

describe('background push', () => {
  test('file://: a check-in appears in the remote; state ok, audit sync.pushed, process events', async () => {
    const remote = bareRepo(path.join(remotes, 'file-remote.git'));
    const created = await server.admin.post(api.projects, { slug: 'viafile', name: 'Via file', remoteUrl: `file://${remote}` });
    expect(created.status, created.text).toBe(201);
    expect((await alice.upload('viafile', '1000001.nc', 'G0\n')).status).toBe(201);
    expect((await alice.checkout('viafile', '1000001.nc')).status).toBe(200);
    const checkin = await alice.checkin('viafile', '1000001.nc', 'G0\nG1\n', { message: 'feed rate' });
    expect(checkin.status).toBe(200);
    await until('the check-in in the remote', () => headOf(remote) === checkin.body.commit);
    expect(git(remote, 'log', '--format=%an %s', 'main')).toBe('alice feed rate\nalice Add 1000001.nc');
    expect(git(remote, 'show', 'main:1000001.nc')).toBe('G0\nG1');
    await until('state ok', async () => (await syncOf('viafile')).state === 'ok');
    expect((await syncOf('viafile')).lastSyncAt).toBeTruthy();
    const audit = await server.admin.get(`${api.audit}?project=viafile&action=sync.pushed`);
    expect(audit.body.length).toBeGreaterThanOrEqual(1);
    const kinds = events
      .filter((e) => e.project === 'viafile' && e.type.startsWith('process.'))
      .map((e) => [e.type, (e.data as { kind: string }).kind]);
    expect(kinds).toContainEqual(['process.started', 'sync.push']);
    expect(kinds).toContainEqual(['process.completed', 'sync.push']);
  });

  test('git:// remote down: retries, reports failure (state, process.failed, audit); succeeds when it is back', async () => {
    const base = path.join(remotes, 'daemon');
    const remote = bareRepo(path.join(base, 'cells.git'));
    const daemon = await Daemon.start(base);
    try {
      expect(
        (await server.admin.post(api.projects, { slug: 'viadaemon', name: 'Daemon', remoteUrl: daemon.url('cells.git') })).status,
      ).toBe(201);
      const first = await alice.upload('viadaemon', '2000001.nc', 'one\n');
      await until('first push', () => headOf(remote) === first.body.commit);

      await daemon.down();
      const second = await alice.upload('viadaemon', '2000002.nc', 'two\n');
      const failed = await until('state failed', async () => {
        const st = await syncOf('viadaemon');
        return st.state === 'failed' && st;
      });
      expect(failed.lastError).toMatch(/unreachable|Connection refused|unable to connect/i);
      const failures = () => events.filter((e) => e.project === 'viadaemon' && e.type === 'process.failed');
      await until('two failed attempts (a retry)', () => failures().length >= 2);
      expect((failures()[0]!.data as { error: string }).error).toMatch(/git:\/\/127\.0\.0\.1/);
      const audit = await server.admin.get(`${api.audit}?project=viadaemon&action=sync.failed`);
      expect(audit.body.length).toBeGreaterThanOrEqual(1);
      expect(headOf(remote)).toBe(first.body.commit);

      await daemon.up();
      await until('the retry pushes', () => headOf(remote) === second.body.commit, 20_000);
      await until('state ok again', async () => (await syncOf('viadaemon')).state === 'ok');
      expect((await syncOf('viadaemon')).lastError).toBeNull();
    } finally {
      await daemon.down();
    }
  });

  test('http:// with a token: stored encrypted, never returned, logged or on a command line; a wrong token fails clearly', async () => {
    const root = path.join(remotes, 'http');
    const remote = bareRepo(path.join(root, 'shop.git'));
    const httpGit = await HttpGit.start(root, TOKEN);
    try {
      const created = await server.admin.post(api.projects, {
        slug: 'viahttp',
        name: 'HTTP',
        remoteUrl: httpGit.url('shop.git'),
        remoteToken: TOKEN,
      });
      expect(created.status, created.text).toBe(201);
      expect(created.text).not.toContain(TOKEN);
      const up = await alice.upload('viahttp', '3000001.nc', 'http\n');
      await until('pushed over http', () => headOf(remote) === up.body.commit);
      expect(httpGit.requests.some((r) => r.url.includes('git-receive-pack') && r.authorized)).toBe(true);
      expect(httpGit.leaks).toEqual([]);

      // At rest: AES-256-GCM, not the token.
      const row = await sql<{ remote_secret: string }>`select remote_secret from projects where slug = 'viahttp'`.execute(
        server.app.services.db,
      );
      expect(row.rows[0]!.remote_secret).toMatch(/^enc:v1:/);
      expect(row.rows[0]!.remote_secret).not.toContain(TOKEN);
      const keyFile = path.join(server.dataDir, 'secret.key');
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      for (const res of [
        await server.admin.get(api.projects),
        await server.admin.get(api.project('viahttp')),
        await server.admin.get(api.audit),
      ]) {
        expect(res.text).not.toContain(TOKEN);
      }

      // A wrong token: the push fails with a clear, token-free error.
      const patched = await server.admin.request('PATCH', api.project('viahttp'), { remoteToken: 'wrong-token' });
      expect(patched.status).toBe(200);
      const second = await alice.upload('viahttp', '3000002.nc', 'http 2\n');
      const failed = await until('auth failure', async () => {
        const st = await syncOf('viahttp');
        return st.state === 'failed' && st;
      });
      expect(failed.lastError).toMatch(/authentication failed/i);
      expect(failed.lastError).not.toContain('wrong-token');

      // Sync now with the right token again pushes what was missing.
      expect((await server.admin.request('PATCH', api.project('viahttp'), { remoteToken: TOKEN })).status).toBe(200);
      const now = await server.admin.post(api.projectSync('viahttp'));
      expect(now.status, now.text).toBe(200);
      expect(['pushed', 'up-to-date']).toContain(now.body.action);
      expect(headOf(remote)).toBe(second.body.commit);
      expect(now.body.project.sync.state).toBe('ok');

      // Credentials written into the URL: the URL is kept without them, the password becomes the token.
      const remote2 = bareRepo(path.join(root, 'shop2.git'));
      const withCreds = httpGit.url('shop2.git').replace('http://', `http://oauth2:${TOKEN}@`);
      const created2 = await server.admin.post(api.projects, { slug: 'viahttp2', name: 'HTTP 2', remoteUrl: withCreds });
      expect(created2.status, created2.text).toBe(201);
      expect(created2.body.remoteUrl).toBe(httpGit.url('shop2.git'));
      const up2 = await alice.upload('viahttp2', '3100001.nc', 'creds\n');
      await until('pushed with the token from the URL', () => headOf(remote2) === up2.body.commit);
      expect(httpGit.leaks).toEqual([]);
    } finally {
      await httpGit.close();
    }
  });
});
