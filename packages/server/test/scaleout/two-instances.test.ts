// Scale-out: two real server processes, one PostgreSQL database, one shared data folder.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { frameText } from '../../src/realtime/client-messages.js';
import { ADMIN_PASSWORD, loginAs, USER_PASSWORD, type Client, until as pollUntil } from '../harness.js';
import { startInstance, type Instance } from '../instances.js';
import { createTestDatabase, type TestDatabase } from './pg.js';

const P = 'cells';
const RACE_FILE = '1234567_op1.mcam';
const ROUNDS = 50;
const RACERS = 20; // per round, half on each instance

let database: TestDatabase;
let dataDir: string;
let a: Instance;
let b: Instance;
let adminA: Client;
let users: Client[] = []; // users[i] talks to A when i is even, to B when odd
const sockets: WebSocket[] = [];

const git = (...args: string[]) => execFileSync('git', ['--git-dir', path.join(dataDir, 'repos', `${P}.git`), ...args]).toString();

/** A WebSocket client with the cookie of a logged-in user; collects every message. */
async function openSocket(baseUrl: string, client: Client): Promise<{ messages: any[]; socket: WebSocket }> {
  const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}${api.ws}`, { headers: { cookie: client.cookie } });
  sockets.push(socket);
  const messages: any[] = [];
  socket.on('message', (raw) => messages.push(JSON.parse(frameText(raw))));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { messages, socket };
}

/** This file's bound for waiting on the other instance. */
const until = (what: string, check: () => boolean) => pollUntil(what, check, 15_000);

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-scaleout-'));
  // One after the other: the first start migrates the fresh database and creates the admin.
  a = await startInstance({ databaseUrl: database.url, dataDir });
  b = await startInstance({ databaseUrl: database.url, dataDir });
  adminA = await loginAs(a.url, 'admin', ADMIN_PASSWORD);
  expect((await adminA.post(api.projects, { slug: P, name: 'Cells' })).status).toBe(201);
  for (let i = 0; i < RACERS; i++) {
    const res = await adminA.post(api.users, { username: `op${i}`, password: USER_PASSWORD, role: 'user' });
    expect(res.status, res.text).toBe(201);
  }
  // Sessions live in the shared database: log in on the instance each user will use.
  users = await Promise.all(Array.from({ length: RACERS }, (_, i) => loginAs(i % 2 ? b.url : a.url, `op${i}`, USER_PASSWORD)));
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.terminate();
  // Each may be unset when beforeAll failed part-way; the rest must still be cleaned up.
  await Promise.allSettled([(a as Instance | undefined)?.stop(), (b as Instance | undefined)?.stop()]);
  await (database as TestDatabase | undefined)?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('two instances, one database, one data folder', () => {
  test(`${ROUNDS * RACERS} racing check-outs across both instances: exactly one winner per round; a client on A sees B's events in order, no gaps`, async () => {
    expect((await users[0]!.upload(P, RACE_FILE, 'G0 X0 Y0\n')).status).toBe(201);
    const ws = await openSocket(a.url, adminA);
    ws.socket.send(JSON.stringify({ type: 'subscribe', project: P }));
    await until('subscribed', () => ws.messages.some((m) => m.type === 'subscribed'));
    const startSeq = ws.messages.find((m) => m.type === 'subscribed').data.seq as number;

    const winners: string[] = [];
    const started = performance.now();
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.all(users.map((u) => u.checkout(P, RACE_FILE, `round ${round}`)));
      const won = results.flatMap((r, i) => (r.status === 200 ? [i] : []));
      expect(won, `round ${round}: ${results.map((r) => r.status).join(',')}`).toHaveLength(1);
      const winner = users[won[0]!]!;
      for (const r of results) {
        if (r.status === 200) continue;
        expect(r.status).toBe(409);
        expect(r.body.error).toMatchObject({ code: 'lock_conflict', holder: winner.username });
      }
      winners.push(winner.username);
      expect((await winner.post(api.fileAction(P, RACE_FILE, 'cancel'))).status).toBe(200);
    }
    const seconds = (performance.now() - started) / 1000;
    const rate = (ROUNDS * RACERS) / seconds;
    console.log(
      `scale-out race: ${ROUNDS * RACERS} check-outs (+${ROUNDS} cancels) across 2 instances in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} check-outs/s`,
    );

    // Both instances produced winners (the users alternate instances).
    const onB = winners.filter((w) => Number(w.slice(2)) % 2 === 1).length;
    expect(onB).toBeGreaterThan(0);
    expect(onB).toBeLessThan(ROUNDS);

    // The client on A: 2 events per round, seqs consecutive from the subscription on.
    await until(`${ROUNDS * 2} events on A`, () => ws.messages.filter((m) => m.seq > startSeq).length >= ROUNDS * 2);
    const events = ws.messages.filter((m) => typeof m.seq === 'number');
    expect(events.map((m) => m.seq)).toEqual(Array.from({ length: events.length }, (_, i) => startSeq + 1 + i));
    expect(events.map((m) => m.type)).toEqual(
      Array.from({ length: ROUNDS * 2 }, (_, i) => (i % 2 ? 'file.checkout_cancelled' : 'file.checked_out')),
    );
    expect(events.filter((m) => m.type === 'file.checked_out').map((m) => m.data.actor)).toEqual(winners);

    // Nobody holds it now; the audit saw every winner.
    expect((await adminA.get(`${api.locks}?project=${P}`)).body).toEqual([]);
    const audit = await adminA.get(`${api.audit}?project=${P}&action=file.checked_out&limit=1000`);
    expect(audit.body).toHaveLength(ROUNDS);
  }, 120_000);

  test('a personal notice reaches the user on the other instance', async () => {
    const victim = users[1]!; // on B
    const ws = await openSocket(b.url, victim);
    await until('connected', () => ws.messages.some((m) => m.type === 'connection.established'));
    expect((await victim.checkout(P, RACE_FILE)).status).toBe(200);
    const res = await adminA.post(api.fileAction(P, RACE_FILE, 'override'), { reason: 'machine down' });
    expect(res.status, res.text).toBe(200);
    await until('the notice on B', () => ws.messages.some((m) => m.type === 'notice'));
    expect(ws.messages.find((m) => m.type === 'notice').data).toMatchObject({ level: 'warning', project: P, path: RACE_FILE });
  });

  test('kill -9 of an instance mid-check-in: the other keeps serving; git is clean, the lock is held, the index matches git', async () => {
    const owner = users[3]!; // on B
    const BIG = 'fixture/7654321_plate.nc';
    expect((await owner.upload(P, '7654321_plate.nc', 'old content\n', { path: BIG })).status).toBe(201);
    expect((await owner.checkout(P, BIG, 'regenerating the toolpaths')).status).toBe(200);

    // A 64 MB check-in whose body stops after 24 MB: the instance is killed while it streams.
    const boundary = '----lockstep-kill-test';
    const enc = new TextEncoder();
    const head = enc.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="message"\r\n\r\nnew toolpaths\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="7654321_plate.nc"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const chunk = new Uint8Array(1024 * 1024).fill(0x47);
    let sent = 0;
    let stalled!: () => void;
    const stalledAt = new Promise<void>((resolve) => (stalled = resolve));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(head);
      },
      async pull(controller) {
        if (sent >= 24 * 1024 * 1024) {
          stalled();
          await new Promise(() => {}); // never more: the server dies first
        }
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const upload = fetch(`${b.url}${api.fileAction(P, BIG, 'checkin')}`, {
      method: 'POST',
      headers: {
        ...owner.headers(),
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(64 * 1024 * 1024),
      },
      body,
      duplex: 'half',
    } as RequestInit).then(
      (r) => `unexpected answer ${r.status}`,
      (err: unknown) => err,
    );
    await stalledAt;
    await new Promise((r) => setTimeout(r, 300)); // let B chew on what it got
    await b.kill9();
    expect(await upload).toBeInstanceOf(Error);

    // A keeps serving.
    expect((await fetch(`${a.url}/api/health`)).status).toBe(200);
    const info = await adminA.get(api.file(P, BIG));
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({
      status: 'locked',
      lockedBy: owner.username,
      lockMessage: 'regenerating the toolpaths',
      revision: 'A',
      size: 12,
    });

    // Git: clean, and no commit of the half upload.
    expect(() => git('fsck', '--full', '--strict', '--no-dangling')).not.toThrow();
    expect(git('show', `main:${BIG}`)).toBe('old content\n');

    // The index matches git: same paths, sizes and revisions.
    const tree = git('ls-tree', '-r', '-l', 'main')
      .trim()
      .split('\n')
      .map((line) => {
        const [meta, p] = line.split('\t') as [string, string];
        return { path: p, size: Number(meta.trim().split(/\s+/)[3]) };
      })
      .filter((e) => !e.path.startsWith('.lockstep/') && e.path !== '.gitattributes');
    const listed = (await adminA.get(`${api.files(P)}?limit=1000&sort=path`)).body.items as Array<{
      path: string;
      size: number;
      revision: string;
    }>;
    expect(listed.map((f) => ({ path: f.path, size: f.size })).sort((x, y) => x.path.localeCompare(y.path))).toEqual(
      tree.sort((x, y) => x.path.localeCompare(y.path)),
    );
    for (const f of listed) expect(JSON.parse(git('show', `main:.lockstep/${f.path}.json`)).revision).toBe(f.revision);

    // The owner finishes the check-in through A; B comes back and agrees.
    const ownerOnA = await loginAs(a.url, owner.username, USER_PASSWORD);
    const done = await ownerOnA.checkin(P, BIG, 'new content\n', { message: 'new toolpaths (retry)' });
    expect(done.status, done.text).toBe(200);
    expect(done.body).toMatchObject({ revision: 'B', status: 'available' });
    b = await startInstance({ databaseUrl: database.url, dataDir });
    const onB = await loginAs(b.url, 'admin', ADMIN_PASSWORD);
    expect((await onB.get(api.file(P, BIG))).body).toMatchObject({ revision: 'B', size: 12, lockedBy: null });
    expect(() => git('fsck', '--full', '--strict', '--no-dangling')).not.toThrow();
  }, 120_000);
});
