// Import of an existing remote, and the admin's "sync now": fast-forward, push, 409 on divergence.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import type { ProjectEvent } from '../../src/events/bus.js';
import type { Client, TestServer } from '../harness.js';
import { bareRepo, fastImportCommit, git, headOf, startSyncServer, type SyncContext } from './remotes.js';
import { until } from '../harness.js';

let ctx: SyncContext;
let server: TestServer;
let remotes: string;
let alice: Client;
let events: ProjectEvent[];

beforeAll(async () => {
  ctx = await startSyncServer();
  ({ server, remotes, alice, events } = ctx);
}, 60_000);

afterAll(async () => ctx.stop());

describe('import', () => {
  test('a remote with 1,000 files is cloned into the new project and indexed, reporting progress', async () => {
    const remote = bareRepo(path.join(remotes, 'big.git'));
    const batch = (from: number) => {
      const files: Record<string, string> = {};
      for (let i = from; i < from + 500; i++) files[`cell${i % 10}/${String(1000000 + i)}_op1.nc`] = `G0 X${i}\n`;
      return files;
    };
    fastImportCommit(remote, batch(0), 'First 500 programs');
    fastImportCommit(remote, batch(500), 'Another 500');
    const started = performance.now();
    const res = await server.admin.post(api.projects, { slug: 'imported', name: 'Imported', remoteUrl: `file://${remote}`, import: true });
    const ms = performance.now() - started;
    expect(res.status, res.text).toBe(201);
    console.log(`import of 1,000 files: ${ms.toFixed(0)} ms`);
    expect(res.body).toMatchObject({ slug: 'imported', fileCount: 1000, remoteUrl: `file://${remote}`, sync: { state: 'ok' } });
    const list = await alice.get(`${api.files('imported')}?limit=5&q=1000999`);
    expect(list.body.total).toBe(1);
    expect(list.body.items[0]).toMatchObject({
      path: 'cell9/1000999_op1.nc',
      group: '10XXXXX',
      revision: 'A',
      modifiedBy: 'Remote Person',
      size: 8,
    });
    expect((await alice.get(`${api.files('imported')}?limit=1`)).body.total).toBe(1000);
    const local = path.join(server.dataDir, 'repos', 'imported.git');
    expect(headOf(local)).toBe(headOf(remote));
    const kinds = events
      .filter((e) => e.project === 'imported' && e.type.startsWith('process.'))
      .map((e) => `${e.type}:${(e.data as { kind: string }).kind}`);
    expect(kinds).toContain('process.started:sync.import');
    expect(kinds).toContain('process.progress:sync.import');
    expect(kinds).toContain('process.completed:sync.import');

    // Work continues on top and is pushed back.
    expect((await alice.checkout('imported', 'cell9/1000999_op1.nc')).status).toBe(200);
    const ci = await alice.checkin('imported', 'cell9/1000999_op1.nc', 'G0 X999 Y1\n', { message: 'add Y' });
    expect(ci.status).toBe(200);
    await until('pushed back', () => headOf(remote) === ci.body.commit);
  }, 60_000);

  test('an unreachable remote: 502, and no half-made project is left', async () => {
    const res = await server.admin.post(api.projects, {
      slug: 'ghost',
      name: 'Ghost',
      remoteUrl: `file://${remotes}/missing.git`,
      import: true,
    });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('unavailable');
    expect(res.body.error.message).toMatch(/missing\.git/);
    expect((await server.admin.get(api.project('ghost'))).status).toBe(404);
    expect(fs.existsSync(path.join(server.dataDir, 'repos', 'ghost.git'))).toBe(false);
  });

  test('import needs a remote URL', async () => {
    const res = await server.admin.post(api.projects, { slug: 'noremote', name: 'x', import: true });
    expect(res.status).toBe(400);
  });
});

describe('sync now', () => {
  test('fast-forwards when the remote moved ahead, then rebuilds the index', async () => {
    const remote = bareRepo(path.join(remotes, 'ahead.git'));
    expect((await server.admin.post(api.projects, { slug: 'ahead', name: 'Ahead', remoteUrl: `file://${remote}` })).status).toBe(201);
    const up = await alice.upload('ahead', '4000001.nc', 'v1\n');
    await until('pushed', () => headOf(remote) === up.body.commit);
    const theirs = fastImportCommit(remote, { '4000002.nc': 'from the office\n' }, 'Added in GitLab');
    const res = await server.admin.post(api.projectSync('ahead'));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      action: 'fast-forwarded',
      local: theirs,
      remote: theirs,
      project: { fileCount: 2, sync: { state: 'ok' } },
    });
    expect((await alice.get(api.file('ahead', '4000002.nc'))).body).toMatchObject({ revision: 'A', modifiedBy: 'Remote Person' });
    expect(headOf(path.join(server.dataDir, 'repos', 'ahead.git'))).toBe(theirs);
    // Nothing to do now.
    expect((await server.admin.post(api.projectSync('ahead'))).body.action).toBe('up-to-date');
  });

  test('pushes when Lockstep is ahead', async () => {
    const remote = bareRepo(path.join(remotes, 'behind.git'));
    // Created without a remote, so nothing is pushed in the background; then the remote is set.
    expect((await server.admin.post(api.projects, { slug: 'behind', name: 'Behind' })).status).toBe(201);
    const up = await alice.upload('behind', '5000001.nc', 'v1\n');
    await server.app.services.db
      .updateTable('projects')
      .set({ remote_url: `file://${remote}` })
      .where('slug', '=', 'behind')
      .execute();
    const res = await server.admin.post(api.projectSync('behind'));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ action: 'pushed', local: up.body.commit });
    expect(headOf(remote)).toBe(up.body.commit);
  });

  test('divergent histories: 409 with a clear message; nothing is rewritten on either side', async () => {
    const remote = bareRepo(path.join(remotes, 'split.git'));
    expect((await server.admin.post(api.projects, { slug: 'split', name: 'Split', remoteUrl: `file://${remote}` })).status).toBe(201);
    const base = await alice.upload('split', '6000001.nc', 'base\n');
    await until('pushed', () => headOf(remote) === base.body.commit);
    const theirs = fastImportCommit(remote, { '6000002.nc': 'theirs\n' }, 'Their change');
    const ours = await alice.upload('split', '6000003.nc', 'ours\n');
    // The background push is refused (the remote moved): failed, not retried forever.
    const st = await until('push rejected', async () => {
      const p = (await server.admin.get(api.project('split'))).body;
      return p.sync.state === 'failed' && p.sync;
    });
    expect(st.lastError).toMatch(/rejected/);
    const res = await server.admin.post(api.projectSync('split'));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(res.body.error.message).toMatch(/diverged/);
    expect(headOf(remote)).toBe(theirs);
    expect(headOf(path.join(server.dataDir, 'repos', 'split.git'))).toBe(ours.body.commit);
    expect(git(remote, 'log', '--format=%s', 'main')).toBe('Their change\nAdd 6000001.nc');
    const project = (await server.admin.get(api.project('split'))).body;
    expect(project.sync).toMatchObject({ state: 'failed' });
    expect(project.sync.lastError).toMatch(/diverged/);
    const audit = await server.admin.get(`${api.audit}?project=split&action=sync.failed`);
    expect(audit.body.some((r: { user: string | null }) => r.user === 'admin')).toBe(true);
  });

  test('admin only; a project without a remote gets 409', async () => {
    expect((await alice.post(api.projectSync('split'))).status).toBe(403);
    expect((await server.admin.post(api.projects, { slug: 'plain', name: 'Plain' })).status).toBe(201);
    const res = await server.admin.post(api.projectSync('plain'));
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/no remote/);
  });
});
