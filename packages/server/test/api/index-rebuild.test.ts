import { execFileSync } from 'node:child_process';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { Vault } from '../../src/vault/index.js';
import { startServer, type Client, type TestServer } from '../harness.js';

let server: TestServer;
let alice: Client;
const P = 'cells';
const repo = () => path.join(server.dataDir, 'repos', `${P}.git`);

beforeAll(async () => {
  server = await startServer();
  alice = await server.createUser('alice', 'user');
  await server.createProject(P);
  for (const name of ['1111111_a.mcam', '2222222_b.nc', 'deep/folder/setup.pdf']) {
    expect((await alice.upload(P, name.split('/').pop()!, `content of ${name}`, { path: name, description: `about ${name}` })).status).toBe(
      201,
    );
  }
  await alice.checkout(P, '2222222_b.nc', 'editing');
  await alice.checkin(P, '2222222_b.nc', 'b v2', { message: 'v2', keep: true });
  await alice.request('PATCH', api.file(P, '2222222_b.nc'), { fields: { machine: 'lathe' } });
  await alice.post(api.links(P), { path: '3333333_link.nc', target: '2222222_b.nc' });
});
afterAll(async () => server.close());

const listing = async () => (await server.admin.get(`${api.files(P)}?limit=100`)).body.items;

test('the rebuild-index command recreates an identical index from git; locks are kept', async () => {
  const before = await listing();
  expect(before).toHaveLength(4);
  await server.app.close();
  const db = new SQLite(path.join(server.dataDir, 'lockstep.db'));
  db.prepare('DELETE FROM files').run();
  db.close();
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'packages/server/src/cli/rebuild-index.ts', P], {
    env: { ...process.env, LOCKSTEP_DATA_DIR: server.dataDir },
    cwd: path.resolve(import.meta.dirname, '../../../..'),
  }).toString();
  expect(out).toMatch(new RegExp(`^${P}: 4 files indexed in \\d+ ms`));
  await server.restart();
  expect(await listing()).toEqual(before);
  expect((await alice.get(api.file(P, '2222222_b.nc'))).body).toMatchObject({
    status: 'checked_out_by_me',
    revision: 'B',
    fields: { machine: 'lathe' },
  });
});

test('a commit that reached git but not SQL (crash in between) is rolled back at start: it never happened, no event says it did', async () => {
  const before = (await alice.get(api.file(P, '2222222_b.nc'))).body;
  const recorded = execFileSync('git', ['--git-dir', repo(), 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
  const eventsBefore = (await server.app.services.bus.head(P)).seq;
  await server.app.close();
  // What a check-in does before its index transaction: content + metadata in one commit.
  const vault = new Vault(path.join(server.dataDir, 'repos'));
  const blob = await vault.writeBlobBuffer(P, 'b v3 from a crashed check-in');
  const meta = JSON.parse((await vault.readText(P, 'main', '.lockstep/2222222_b.nc.json'))!);
  const metaBlob = await vault.writeBlobBuffer(P, JSON.stringify({ ...meta, revision: 'C' }));
  await vault.commit(P, {
    changes: [
      { op: 'put', path: '2222222_b.nc', blob },
      { op: 'put', path: '.lockstep/2222222_b.nc.json', blob: metaBlob },
    ],
    author: { name: 'alice', email: 'alice@lockstep.local' },
    message: 'v3',
    trailers: { Revision: 'C', 'Lockstep-Action': 'checkin' },
  });
  const crashed = execFileSync('git', ['--git-dir', repo(), 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
  expect(crashed).not.toBe(recorded);
  await server.restart();
  expect(execFileSync('git', ['--git-dir', repo(), 'rev-parse', 'main'], { encoding: 'utf8' }).trim()).toBe(recorded);
  const file = (await alice.get(api.file(P, '2222222_b.nc'))).body;
  expect(file).toEqual({ ...before, status: 'checked_out_by_me' });
  expect(file).toMatchObject({ revision: before.revision, lockedBy: 'alice' });
  expect((await server.app.services.bus.head(P)).seq).toBe(eventsBefore);
  expect(execFileSync('git', ['--git-dir', repo(), 'fsck', '--no-dangling'], { encoding: 'utf8' })).toBe('');
});
