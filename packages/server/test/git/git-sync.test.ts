// Remote sync keeps working when changes arrive by git push: the background push sends the
// client's commit and Lockstep's metadata commit on to the project's remote.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { startServer, until, type Client, type TestServer } from '../harness.js';
import { bareRepo, git, headOf } from '../sync/remotes.js';
import { gitUser, type GitUser } from './git-cli.js';

const P = 'mirrored';
const F = '1234567_op1.nc';
let server: TestServer;
let alice: Client;
let gAlice: GitUser;
let remotes: string;

beforeAll(async () => {
  remotes = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-git-remotes-'));
  server = await startServer({ config: { syncDebounceMs: 20, syncRetryMs: 150, syncRetryMaxMs: 600, allowFileRemotes: true } });
  alice = await server.createUser('alice', 'user');
  gAlice = await gitUser(server, alice);
}, 60_000);

afterAll(async () => {
  gAlice.cleanup();
  await server.close();
  fs.rmSync(remotes, { recursive: true, force: true });
});

test('a push from a git client reaches the remote with its metadata commit', async () => {
  const remote = bareRepo(path.join(remotes, 'gitlab.git'));
  expect((await server.admin.post(api.projects, { slug: P, name: 'Mirrored', remoteUrl: `file://${remote}` })).status).toBe(201);
  expect((await alice.upload(P, F, 'G0\n')).status).toBe(201);
  const work = await gAlice.clone(P);
  await gAlice.ok(['lfs', 'lock', F], { cwd: work });
  fs.chmodSync(path.join(work, F), 0o644);
  fs.writeFileSync(path.join(work, F), 'G0\nG1 X1\n');
  await gAlice.ok(['commit', '-qam', 'from the desk'], { cwd: work });
  await gAlice.ok(['push', '-q', 'origin', 'main'], { cwd: work });
  const local = headOf(path.join(server.dataDir, 'repos', `${P}.git`));
  await until('the remote has the pushed work', () => headOf(remote) === local);
  expect(git(remote, 'log', '--format=%an %s', '-3', 'main').split('\n')).toEqual([
    'alice from the desk',
    'alice from the desk',
    'alice Add 1234567_op1.nc',
  ]);
  expect(git(remote, 'show', `main:${F}`)).toBe('G0\nG1 X1');
  expect(JSON.parse(git(remote, 'show', `main:.lockstep/${F}.json`)).revision).toBe('B');
}, 90_000);
