// A file under a file, or a file where a folder is: 409 path_conflict, nothing written.
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { startServer, type Client, type TestServer } from '../harness.js';
import { headOf } from '../sync/remotes.js';

let server: TestServer;
let bob: Client;
const head = () => headOf(path.join(server.dataDir, 'repos', 'cells.git'));
const paths = async () => ((await bob.get(api.files('cells'))).body.items as Array<{ path: string }>).map((f) => f.path).sort();
const put = (project: string, p: string, content: string) => bob.upload(project, p.split('/').pop()!, content, { path: p });
const locks = () => server.app.services.db.selectFrom('locks').selectAll().where('project', '=', 'cells').execute();

beforeAll(async () => {
  server = await startServer();
  await server.createProject('cells');
  bob = await server.createUser('bob', 'user');
  expect((await put('cells', 'part.nc', 'G0\n')).status).toBe(201);
  expect((await put('cells', 'dir.nc/y.nc', 'G1\n')).status).toBe(201);
});
afterAll(() => server.close());

test.each([
  ['part.nc/x.nc', /"part.nc" is a file/],
  ['PART.NC/deeper/x.nc', /"part.nc" is a file/],
  ['dir.nc', /folder holding "dir.nc\/y.nc"/],
  ['DIR.NC', /folder holding "dir.nc\/y.nc"/],
])('upload %s → 409 path_conflict; git, index and locks unchanged', async (name, why) => {
  const before = head();
  const res = await put('cells', name, 'x\n');
  expect(res.status, res.text).toBe(409);
  expect(res.body.error.code).toBe('path_conflict');
  expect(res.body.error.message).toMatch(why);
  expect(head()).toBe(before);
  expect(await paths()).toEqual(['dir.nc/y.nc', 'part.nc']);
  expect(await locks()).toEqual([]);
});

test('names that only look alike are fine: part.nc.bak/x.nc, dir.ncx', async () => {
  await server.createProject('alike');
  expect((await put('alike', 'part.nc', 'a\n')).status).toBe(201);
  expect((await put('alike', 'part_nc/x.nc', 'b\n')).status).toBe(201); // "_" is not a LIKE wildcard here
  expect((await put('alike', 'dir.nc/y.nc', 'c\n')).status).toBe(201);
  expect((await put('alike', 'dir.ncx', 'd\n')).status).toBe(400); // extension, not a conflict
  expect((await put('alike', 'dir.nc2/z.nc', 'e\n')).status).toBe(201);
});

test('racing uploads of r.nc and r.nc/x.nc: one 201, one 409 (the vault catches what the index check cannot), never a 500', async () => {
  await server.createProject('race');
  for (let round = 0; round < 6; round++) {
    const [a, b] = await Promise.all([put('race', `r${round}.nc`, 'a\n'), put('race', `r${round}.nc/x.nc`, 'b\n')]);
    expect([a.status, b.status].sort(), `${a.text} ${b.text}`).toEqual([201, 409]);
    expect([a, b].find((r) => r.status === 409)!.body.error.code).toBe('path_conflict');
  }
  expect(await server.app.services.vault.fsck('race')).toMatchObject({ ok: true });
});
