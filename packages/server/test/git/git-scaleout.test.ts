import { frameText } from '../../src/realtime/client-messages.js';
// Git-native access on the scale-out store: two server processes, one PostgreSQL database, one
// shared data folder. A lock taken through one instance binds pushes through the other.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { ADMIN_PASSWORD, loginAs, until, USER_PASSWORD, type Client, type TestServer } from '../harness.js';
import { startInstance, type Instance } from '../instances.js';
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';
import { GitUser, tokenFor } from './git-cli.js';

const P = 'cells';
const OP1 = '1234567_op1.mcam';
const OP2 = '1234567_op2.nc';

let database: TestDatabase;
let dataDir: string;
let a: Instance;
let b: Instance;
let aliceA: Client;
let bobA: Client;
let gAlice: GitUser;
let socket: WebSocket | null = null;

/** GitUser talks to one instance; it only needs its port. */
const onInstance = (i: Instance) => ({ port: i.port, url: i.url }) as unknown as TestServer;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-git-scaleout-'));
  a = await startInstance({ databaseUrl: database.url, dataDir });
  b = await startInstance({ databaseUrl: database.url, dataDir });
  const admin = await loginAs(a.url, 'admin', ADMIN_PASSWORD);
  for (const username of ['alice', 'bob'])
    expect((await admin.post(api.users, { username, password: USER_PASSWORD, role: 'user' })).status).toBe(201);
  expect((await admin.post(api.projects, { slug: P, name: 'Cells' })).status).toBe(201);
  aliceA = await loginAs(a.url, 'alice', USER_PASSWORD);
  bobA = await loginAs(a.url, 'bob', USER_PASSWORD);
  expect((await aliceA.upload(P, OP1, 'G0\n')).status).toBe(201);
  expect((await aliceA.upload(P, OP2, 'N10\n')).status).toBe(201);
  gAlice = new GitUser('alice', await tokenFor(aliceA), onInstance(b));
}, 120_000);

afterAll(async () => {
  socket?.close();
  gAlice.cleanup();
  await Promise.all([a.stop(), b.stop()]);
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('lock through A, push through B: the locks bind across instances and events reach both', async () => {
  const bobB = await loginAs(b.url, 'bob', USER_PASSWORD);
  socket = new WebSocket(`${b.url.replace('http', 'ws')}${api.ws}`, { headers: { cookie: bobB.cookie, origin: b.url } });
  const seen: any[] = [];
  socket.on('message', (raw) => seen.push(JSON.parse(frameText(raw))));
  await new Promise<void>((resolve, reject) => {
    socket!.once('open', () => resolve());
    socket!.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'subscribe', project: P }));
  await until('subscribed', () => seen.some((m) => m.type === 'subscribed'));

  const work = await gAlice.clone(P); // from B
  const lfsOnA = `http://alice:${encodeURIComponent(gAlice.token)}@127.0.0.1:${a.port}/git/${P}.git/info/lfs`;
  await gAlice.ok(['-c', `lfs.url=${lfsOnA}`, 'lfs', 'lock', OP1], { cwd: work });
  await until('file.checked_out on B', () => seen.find((m) => m.type === 'file.checked_out' && m.data.path === OP1));
  expect((await bobA.checkout(P, OP2)).status).toBe(200);
  const listed = await gAlice.ok(['lfs', 'locks'], { cwd: work }); // from B
  expect(listed).toMatch(new RegExp(`${OP1}\\s+alice`));
  expect(listed).toMatch(new RegExp(`${OP2}\\s+bob`));

  for (const [file, content] of [
    [OP1, 'G0\nG1 X5\n'],
    [OP2, 'N10\nN20\n'],
  ] as const) {
    fs.chmodSync(path.join(work, file), 0o644);
    fs.writeFileSync(path.join(work, file), content);
  }
  await gAlice.ok(['commit', '-qam', 'both'], { cwd: work });
  const refused = await gAlice.run(['push', '--no-verify', 'origin', 'main'], { cwd: work });
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain(`${OP2}: checked out by bob`);

  await gAlice.ok(['reset', '-q', '--hard', 'HEAD~1'], { cwd: work });
  fs.chmodSync(path.join(work, OP1), 0o644);
  fs.writeFileSync(path.join(work, OP1), 'G0\nG1 X5\n');
  await gAlice.ok(['commit', '-qam', 'op1 only'], { cwd: work });
  await gAlice.ok(['push', '-q', '--no-verify', 'origin', 'main'], { cwd: work });
  const info = (await aliceA.get(api.file(P, OP1))).body as { revision: string; lockedBy: string };
  expect(info).toMatchObject({ revision: 'B', lockedBy: 'alice' });
  await until('file.checked_in on B', () => seen.find((m) => m.type === 'file.checked_in' && m.data.path === OP1));
  expect(() =>
    execFileSync('git', ['--git-dir', path.join(dataDir, 'repos', `${P}.git`), 'fsck', '--strict', '--no-dangling'], {
      env: { PATH: process.env.PATH },
    }),
  ).not.toThrow();
}, 120_000);
