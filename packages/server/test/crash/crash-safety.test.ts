import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { openServices } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { rebuildIndex } from '../../src/services/index-rebuild.js';
import { ADMIN_PASSWORD, loginAs, type Client } from '../harness.js';
import { freePort, startInstance, type Instance } from '../instances.js';

const quietLog = { info() {}, warn() {}, error() {} };

/**
 * kill -9 the server at a random moment during a check-in, upload, delete or metadata edit, then
 * start it again and check: git is clean, earlier revisions are intact, the lock is still held
 * by its owner, and the index equals a rebuild from git. CRASH_RUNS sets the count (50 in test:slow).
 */
const RUNS = Number(process.env.CRASH_RUNS ?? 4);
const SEED = Number(process.env.CRASH_SEED ?? 20261125);
const P = 'crash';
const BIG = Buffer.alloc(3 * 1024 * 1024, 7);

let dataDir: string;
let port: number;
let server: Instance | null = null;

async function startChild(): Promise<string> {
  server = await startInstance({ dataDir, port });
  return server.url;
}

async function kill9(): Promise<void> {
  await server?.kill9();
  server = null;
}

const repo = () => path.join(dataDir, 'repos', `${P}.git`);
const listing = async (c: Client) => (await c.get(`${api.files(P)}?limit=1000&sort=path`)).body.items;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-crash-'));
  port = await freePort();
  const url = await startChild();
  const admin = await loginAs(url, 'admin', ADMIN_PASSWORD);
  await admin.post(api.projects, { slug: P, name: 'Crash' });
  await admin.post(api.users, { username: 'olga', password: 'olga-password', role: 'user' });
  const olga = await loginAs(url, 'olga', 'olga-password');
  expect((await olga.upload(P, '1000001_main.mcam', 'revision A')).status).toBe(201);
  expect((await olga.checkout(P, '1000001_main.mcam', 'long edit')).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await kill9();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

type Op = 'checkin' | 'upload' | 'delete' | 'metadata';

/** Each listed file was uploaded once and not deleted since; each check-in of the main file bumped it once. */
function expectEventsAgree(listed: Array<{ path: string; revision: string }>, what: string): void {
  const db = new SQLite(path.join(dataDir, 'lockstep.db'), { readonly: true });
  const events = (db.prepare('select payload from project_events where project = ? order by seq').all(P) as Array<{ payload: string }>).map(
    (r) => JSON.parse(r.payload) as { type: string; data: { path?: string; revision?: string } },
  );
  db.close();
  const alive = new Set<string>();
  for (const e of events) {
    if (e.type === 'file.uploaded' && e.data.path) alive.add(e.data.path);
    if (e.type === 'file.deleted' && e.data.path) alive.delete(e.data.path);
  }
  expect([...alive].sort(), what).toEqual(listed.map((f) => f.path).sort());
  const main = listed.find((f) => f.path === '1000001_main.mcam')!;
  const checkins = events.filter((e) => e.type === 'file.checked_in' && e.data.path === main.path);
  expect(checkins.length, what).toBe(main.revision.charCodeAt(0) - 'A'.charCodeAt(0));
  if (checkins.length) expect(checkins[checkins.length - 1]!.data.revision, what).toBe(main.revision);
}

test(`crash at random points (${RUNS} runs, seed ${SEED}) leaves the vault consistent and locks intact`, async () => {
  const plan = fc.sample(
    fc.record({ op: fc.constantFrom<Op>('checkin', 'upload', 'delete', 'metadata'), delayMs: fc.integer({ min: 0, max: 120 }) }),
    { seed: SEED, numRuns: RUNS },
  );
  let uploads = 0;
  for (const [i, { op, delayMs }] of plan.entries()) {
    const url = server ? server.url : await startChild();
    const olga = await loginAs(url, 'olga', 'olga-password');
    const admin = await loginAs(url, 'admin', ADMIN_PASSWORD);
    const before = await listing(olga);
    const revA = await fetch(`${url}${api.fileContent(P, '1000001_main.mcam', 'A')}`, { headers: olga.headers() });
    expect(await revA.text()).toBe('revision A');

    let action: Promise<unknown>;
    if (op === 'checkin') action = olga.checkin(P, '1000001_main.mcam', BIG, { message: `crash run ${i}`, keep: true });
    else if (op === 'upload') action = olga.upload(P, `${2000000 + uploads++}_new.nc`, BIG);
    else if (op === 'metadata') action = olga.request('PATCH', api.file(P, '1000001_main.mcam'), { description: `edit ${i}` });
    else {
      const victim = before.find((f: any) => f.path !== '1000001_main.mcam');
      action = victim ? admin.request('DELETE', api.file(P, victim.path)) : olga.upload(P, `${2000000 + uploads++}_new.nc`, 'small');
    }
    action.catch(() => {}); // the connection dies with the server
    await new Promise((r) => setTimeout(r, delayMs));
    await kill9();

    const url2 = await startChild();
    const olga2 = await loginAs(url2, 'olga', 'olga-password');
    // the lock survives every crash, held by its owner
    const main = (await olga2.get(api.file(P, '1000001_main.mcam'))).body;
    expect(main, `run ${i} ${op}@${delayMs}ms`).toMatchObject({ lockedBy: 'olga', status: 'checked_out_by_me' });
    // earlier revisions intact
    const again = await fetch(`${url2}${api.fileContent(P, '1000001_main.mcam', 'A')}`, { headers: olga2.headers() });
    expect(await again.text()).toBe('revision A');
    // git is clean
    expect(
      execFileSync('git', ['--git-dir', repo(), 'fsck', '--no-progress', '--no-dangling'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }).toString(),
    ).toBe('');
    // the index equals a rebuild from git (done beside the running server: SQLite WAL allows it)
    const indexed = await listing(olga2);
    const services = await openServices(loadConfig({}, { dataDir }), quietLog);
    await rebuildIndex(services, P);
    await services.db.destroy();
    const rebuilt = await listing(olga2);
    expect(rebuilt, `run ${i} ${op}@${delayMs}ms`).toEqual(indexed);
    // the event log agrees with the state: an event exists iff its change does
    expectEventsAgree(indexed, `run ${i} ${op}@${delayMs}ms`);
  }
}, 1_800_000);
