// Size cap on pushes (LOCKSTEP_MAX_UPLOAD_MB) and gzip-compressed fetch requests.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api, gitPaths } from '@lockstep/protocol';
import { startServer, type Client, type TestServer } from '../harness.js';
import { gitUser, type GitUser } from './git-cli.js';

const P = 'limits';
let server: TestServer;
let alice: Client;
let gAlice: GitUser;

beforeAll(async () => {
  server = await startServer({ config: { maxUploadBytes: 1024 * 1024 } });
  alice = await server.createUser('alice', 'user');
  await server.createProject(P);
  expect((await alice.upload(P, 'small.nc', 'G0\n')).status).toBe(201);
  gAlice = await gitUser(server, alice);
}, 60_000);

afterAll(async () => {
  gAlice.cleanup();
  await server.close();
});

const head = () =>
  execFileSync('git', ['--git-dir', path.join(server.dataDir, 'repos', `${P}.git`), 'rev-parse', 'main'])
    .toString()
    .trim();

test('a push over LOCKSTEP_MAX_UPLOAD_MB is refused and changes nothing', async () => {
  const work = await gAlice.clone(P);
  const before = head();
  fs.writeFileSync(path.join(work, 'big.nc'), crypto.randomBytes(3 * 1024 * 1024)); // incompressible
  await gAlice.ok(['add', 'big.nc'], { cwd: work });
  await gAlice.ok(['commit', '-qm', 'too big'], { cwd: work });
  const r = await gAlice.run(['push', 'origin', 'main'], { cwd: work });
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/exceeds maximum allowed size|larger than the upload limit|too large|413/i);
  expect(head()).toBe(before);
  expect((await alice.get(api.file(P, 'big.nc'))).status).toBe(404);
}, 90_000);

test('a gzip-compressed upload-pack request is served', async () => {
  const want = head();
  const pkt = (s: string) => `${(s.length + 4).toString(16).padStart(4, '0')}${s}`;
  const body = zlib.gzipSync(`${pkt(`want ${want} no-progress\n`)}0000${pkt('done\n')}`);
  const res = await fetch(`${server.url}${gitPaths.repo(P)}/git-upload-pack`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`alice:${gAlice.token}`).toString('base64')}`,
      'content-type': 'application/x-git-upload-pack-request',
      'content-encoding': 'gzip',
    },
    body,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/x-git-upload-pack-result');
  expect(Buffer.from(await res.arrayBuffer()).includes(Buffer.from('PACK'))).toBe(true);
});
