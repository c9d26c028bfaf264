// Git children see an allow-listed environment: a hook in the remote (run by the receive-pack our
// push spawns over file://) dumps what it sees, and none of the server's secrets are there.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { ADMIN_PASSWORD, startServer, until, type TestServer } from '../harness.js';
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';
import { bareRepo, headOf } from './remotes.js';

const SECRET_KEY = 'b7f3c1d2e4a5968778695a4b3c2d1e0f112233445566778899aabbccddeeff00';
const SECRETS = ['DATABASE_URL', 'LOCKSTEP_SECRET_KEY', 'LOCKSTEP_ADMIN_PASSWORD'] as const;

let database: TestDatabase;
let server: TestServer;
let dir: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-git-env-'));
  // As if the server had been started with these in its environment.
  for (const name of SECRETS) saved[name] = process.env[name];
  process.env.DATABASE_URL = database.url;
  process.env.LOCKSTEP_SECRET_KEY = SECRET_KEY;
  process.env.LOCKSTEP_ADMIN_PASSWORD = ADMIN_PASSWORD;
  process.env.GIT_DIR = path.join(dir, 'elsewhere.git'); // would redirect every git call if inherited
  server = await startServer({ config: { databaseUrl: database.url, secretKey: SECRET_KEY, syncDebounceMs: 20, allowFileRemotes: true } });
}, 60_000);

afterAll(async () => {
  await server.close();
  await database.drop();
  for (const name of SECRETS) {
    if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = saved[name];
  }
  delete process.env.GIT_DIR;
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a pre-receive hook in the remote sees none of DATABASE_URL, LOCKSTEP_* or our GIT_*', async () => {
  const remote = bareRepo(path.join(dir, 'remote.git'));
  const dump = path.join(dir, 'hook-env.txt');
  const hook = path.join(remote, 'hooks', 'pre-receive');
  fs.writeFileSync(
    hook,
    `#!/bin/sh\nenv > '${dump}'\necho '--- git var -l' >> '${dump}'\ngit var -l >> '${dump}' 2>&1\ncat > /dev/null\n`,
    { mode: 0o755 },
  );

  const created = await server.admin.post(api.projects, { slug: 'envcheck', name: 'Env check', remoteUrl: `file://${remote}` });
  expect(created.status, created.text).toBe(201);
  const up = await server.admin.upload('envcheck', '1000001.nc', 'G0\n');
  expect(up.status, up.text).toBe(201);
  await until('pushed through the hook', () => headOf(remote) === up.body.commit);

  const seen = fs.readFileSync(dump, 'utf8');
  // The dump is from our child: the isolation we set is there.
  expect(seen).toMatch(/^GIT_CONFIG_NOSYSTEM=1$/m);
  expect(seen).toMatch(/^LC_ALL=C$/m);
  for (const name of SECRETS) expect(seen, name).not.toMatch(new RegExp(`^${name}=`, 'm'));
  expect(seen).not.toMatch(/^LOCKSTEP_/m);
  expect(seen).not.toContain(SECRET_KEY);
  expect(seen).not.toContain(ADMIN_PASSWORD);
  expect(seen).not.toContain(database.name);
  expect(seen).not.toContain('elsewhere.git');
});
