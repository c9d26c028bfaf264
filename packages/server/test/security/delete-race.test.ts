// deleteProject runs in the project's write queue and stops its sync timers.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { startServer, type Client, type TestServer } from '../harness.js';

let server: TestServer;
let bob: Client;

beforeAll(async () => {
  server = await startServer({ config: { syncDebounceMs: 60_000 } });
  bob = await server.createUser('bob', 'user');
});
afterAll(() => server.close());

test('delete racing an upload never leaves an index row without a repository, and never answers 500', async () => {
  const db = server.app.services.db;
  for (let round = 0; round < 12; round++) {
    const slug = `race${round}`;
    await server.createProject(slug);
    const upload = bob.upload(slug, `${round}000001.nc`, 'G0\n');
    await sleep(round * 4); // the delete lands before, during and after the upload's commit
    const del = server.admin.request('DELETE', api.project(slug));
    const [u, d] = await Promise.all([upload, del]);
    expect([201, 404, 409], u.text).toContain(u.status);
    expect([204, 409], d.text).toContain(d.status);
    const repo = fs.existsSync(path.join(server.dataDir, 'repos', `${slug}.git`));
    const project = await db.selectFrom('projects').select('slug').where('slug', '=', slug).executeTakeFirst();
    const files = await db.selectFrom('files').select('path').where('project', '=', slug).execute();
    const locks = await db.selectFrom('locks').select('path').where('project', '=', slug).execute();
    if (files.length || locks.length) expect(project && repo, `round ${round}`).toBeTruthy();
    expect(!!project, `round ${round}: project row iff repository`).toBe(repo);
    if (d.status === 204) expect(project).toBeUndefined();
  }
});

test('deleting a project cancels its pending background push', async () => {
  const created = await server.admin.post(api.projects, {
    slug: 'remoted',
    name: 'x',
    remoteUrl: 'https://git.example.invalid/shop/remoted.git',
  });
  expect(created.status, created.text).toBe(201);
  expect(server.app.sync.pendingTimers()).toContain('remoted');
  expect((await server.admin.request('DELETE', api.project('remoted'))).status).toBe(204);
  expect(server.app.sync.pendingTimers()).not.toContain('remoted');
});
