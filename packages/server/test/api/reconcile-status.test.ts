// Start-up reconcile is per project: a project whose index cannot be rebuilt is marked, not fatal.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { loginAs, startServer, USER_PASSWORD, type Client, type TestServer } from '../harness.js';
import { fastImportCommit } from '../sync/remotes.js';

let server: TestServer;
let bob: Client;

beforeAll(async () => {
  server = await startServer();
  await server.createProject('good');
  await server.createProject('broken');
  bob = await server.createUser('bob', 'user');
  expect((await bob.upload('good', '1000001.nc', 'G0\n')).status).toBe(201);
  expect((await bob.upload('broken', '2000001.nc', 'G0\n')).status).toBe(201);
});
afterAll(() => server.close());

test('a project whose rebuild fails is marked failed; the server starts and the other project works', async () => {
  // Written around Lockstep by hand, with history the database does not know (no recorded head:
  // a commit past the recorded head would just be rolled back): a case collision the index cannot hold.
  const repo = path.join(server.dataDir, 'repos', 'broken.git');
  fastImportCommit(repo, { 'A.nc': 'one\n', 'a.nc': 'two\n' }, 'hand edit');
  await server.app.services.db.updateTable('projects').set({ head_commit: null }).where('slug', '=', 'broken').execute();
  const brokenHead = execFileSync('git', ['--git-dir', repo, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();

  await server.restart(); // used to abort here on the unique key
  const admin = await loginAs(server.url, 'admin', 'admin-password-1');
  const list = (await admin.get(api.projects)).body as Array<{ slug: string; status: { state: string; error: string | null } }>;
  const broken = list.find((p) => p.slug === 'broken')!;
  expect(broken.status.state).toBe('failed');
  expect(broken.status.error).toMatch(/index rebuild failed/);
  expect(list.find((p) => p.slug === 'good')!.status).toEqual({ state: 'ok', error: null });
  expect((await admin.get(api.project('broken'))).body.status.state).toBe('failed');

  // Non-admins see the state, not the reason.
  const user = await loginAs(server.url, 'bob', USER_PASSWORD);
  expect((await user.get(api.project('broken'))).body.status).toEqual({ state: 'failed', error: null });

  // The healthy project works as before.
  expect((await user.upload('good', '1000002.nc', 'G1\n')).status).toBe(201);
  expect((await user.get(api.files('good'))).body.total).toBe(2);

  // Repaired (the bad commit reverted by hand), the next start clears the mark.
  execFileSync('git', ['--git-dir', repo, 'update-ref', 'refs/heads/main', `${brokenHead}~1`]);
  await server.restart();
  const again = await loginAs(server.url, 'admin', 'admin-password-1');
  expect((await again.get(api.project('broken'))).body.status).toEqual({ state: 'ok', error: null });
});
