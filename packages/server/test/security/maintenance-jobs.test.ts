// Maintenance jobs: each run makes its observable change.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { gitGcJob } from '../../src/jobs/git-gc.js';
import { startJobs } from '../../src/jobs/scheduler.js';
import { loginAs, startServer, until, USER_PASSWORD, type Client, type TestServer } from '../harness.js';

let server: TestServer;
let bob: Client;
const repo = () => path.join(server.dataDir, 'repos', 'cells.git');

beforeAll(async () => {
  server = await startServer();
  await server.createProject('cells');
  bob = await server.createUser('bob', 'user');
});
afterAll(() => server.close());

/** Contents whose blob ids start with "17": git gc --auto estimates loose objects from objects/17/. */
function contentsInBucket17(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const text = `G0 X${i}\n`;
    const sha = crypto
      .createHash('sha1')
      .update(`blob ${Buffer.byteLength(text)}\0${text}`)
      .digest('hex');
    if (sha.startsWith('17')) out.push(text);
  }
  return out;
}

test('git-gc: below the threshold nothing happens; above it the loose objects are packed', async () => {
  const contents = contentsInBucket17(3);
  for (const [i, text] of contents.entries()) expect((await bob.upload('cells', `${1000 + i}.nc`, text)).status).toBe(201);
  const bucket = path.join(repo(), 'objects', '17');
  const loose = () => (fs.existsSync(bucket) ? fs.readdirSync(bucket).length : 0);
  expect(loose()).toBeGreaterThanOrEqual(3);
  await gitGcJob({ ...server.config, gcAutoLooseObjects: 6700 }).run(server.app.services);
  expect(loose()).toBeGreaterThanOrEqual(3);
  await gitGcJob({ ...server.config, gcAutoLooseObjects: 1 }).run(server.app.services);
  expect(loose()).toBe(0);
  expect(fs.readdirSync(path.join(repo(), 'objects', 'pack')).some((f) => f.endsWith('.pack'))).toBe(true);
  // Everything still reads.
  expect((await bob.get('/api/projects/cells/files/1000.nc/content')).text).toBe(contents[0]);
  expect(await server.app.services.vault.fsck('cells')).toMatchObject({ ok: true });
});

test('session-purge: expired sessions are removed, live ones stay', async () => {
  const db = server.app.services.db;
  const carol = await server.createUser('carol', 'user');
  const ids = await db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').select(['id_hash', 'username']).execute();
  const carolSession = ids.find((r) => r.username === 'carol')!.id_hash;
  await db
    .updateTable('sessions')
    .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
    .where('id_hash', '=', carolSession)
    .execute();
  await server.app.jobs.runNow('session-purge');
  const left = await db.selectFrom('sessions').select('id_hash').execute();
  expect(left.map((r) => r.id_hash)).not.toContain(carolSession);
  expect(left.length).toBe(ids.length - 1);
  expect((await carol.get('/api/auth/me')).status).toBe(401);
  expect((await (await loginAs(server.url, 'bob', USER_PASSWORD)).get('/api/auth/me')).status).toBe(200);
});

test('spool-sweep: spool files older than the limit go, fresh ones (an upload in progress) stay', async () => {
  const spool = path.join(repo(), 'lockstep-spool');
  fs.mkdirSync(spool, { recursive: true });
  const stale = path.join(spool, '999-stale');
  const fresh = path.join(spool, '999-fresh');
  fs.writeFileSync(stale, 'left by a crash');
  fs.writeFileSync(fresh, 'being uploaded');
  const old = new Date(Date.now() - 2 * 3600_000);
  fs.utimesSync(stale, old, old);
  await server.app.jobs.runNow('spool-sweep');
  expect(fs.existsSync(stale)).toBe(false);
  expect(fs.existsSync(fresh)).toBe(true);
});

test('the scheduler runs a job on its interval, never two runs at once, and stops', async () => {
  let runs = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const jobs = startJobs(server.app.services, [
    {
      name: 'tick',
      intervalMs: 10,
      async run() {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 30)); // longer than the interval
        runs++;
        concurrent--;
      },
    },
    { name: 'off', intervalMs: 0, run: () => Promise.reject(new Error('never on a timer')) },
  ]);
  await until('three runs', () => runs >= 3);
  await jobs.stop();
  expect(maxConcurrent).toBe(1);
  await expect(jobs.runNow('missing')).rejects.toThrow(/no maintenance job/);
});
