// The integrity guarantees (SPEC "Integrity guarantees") against real servers: one process on
// SQLite, and two processes sharing PostgreSQL and one data folder. Requests race at varied
// offsets, alternating instances, and an invariant is checked after every round.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { frameText } from '../../src/realtime/client-messages.js';
import { ADMIN_PASSWORD, loginAs, until, type Client, type Response } from '../harness.js';
import { startInstance, type Instance } from '../instances.js';
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';

const P = 'cells';
const ROUNDS = 20;
const PASSWORD = 'integrity-pass-1';

describe.each(['sqlite', 'postgres'] as const)('integrity on %s', (store) => {
  let database: TestDatabase | null = null;
  let dataDir: string;
  const instances: Instance[] = [];
  /** [admin, maria] on each instance (index 0 and 1; the same instance twice on SQLite). */
  let admins: Client[];
  let marias: Client[];
  const sockets: WebSocket[] = [];

  const git = (...args: string[]) =>
    execFileSync('git', ['--git-dir', path.join(dataDir, 'repos', `${P}.git`), ...args])
      .toString()
      .trim();
  const file = async (name: string) => (await marias[0]!.get(api.file(P, name))).body;
  const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** Every file event of the project in the outbox, from a fresh resume at seq 0 (replay). */
  const events = async (types: string[]) => {
    const { messages, socket } = await openSocket(instances[0]!.url, marias[0]!);
    socket.send(JSON.stringify({ type: 'resume', project: P, after_seq: 0 }));
    await until('replay', () => messages.some((m) => m.type === 'subscribed'));
    socket.close();
    return messages.filter((m) => types.includes(m.type));
  };

  async function openSocket(baseUrl: string, auth: Client | string) {
    const headers = typeof auth === 'string' ? { authorization: `Bearer ${auth}` } : { cookie: auth.cookie };
    const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}${api.ws}`, { headers });
    sockets.push(socket);
    const messages: any[] = [];
    let closed: { code: number; at: number } | null = null;
    socket.on('message', (raw) => messages.push(JSON.parse(frameText(raw))));
    socket.on('close', (code) => (closed = { code, at: Date.now() }));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await until('connection.established', () => messages.some((m) => m.type === 'connection.established'));
    return { messages, socket, closed: () => closed };
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `lockstep-integrity-${store}-`));
    if (store === 'postgres') {
      database = await createTestDatabase();
      instances.push(await startInstance({ dataDir, databaseUrl: database.url }));
      instances.push(await startInstance({ dataDir, databaseUrl: database.url }));
    } else {
      instances.push(await startInstance({ dataDir }));
    }
    const urls = [instances[0]!.url, instances[instances.length - 1]!.url];
    const admin = await loginAs(urls[0]!, 'admin', ADMIN_PASSWORD);
    expect((await admin.post(api.projects, { slug: P, name: 'Cells' })).status).toBe(201);
    expect((await admin.post(api.users, { username: 'maria', password: PASSWORD, role: 'user' })).status).toBe(201);
    expect((await admin.post(api.users, { username: 'tom', password: PASSWORD, role: 'user' })).status).toBe(201);
    admins = await Promise.all(urls.map((u) => loginAs(u, 'admin', ADMIN_PASSWORD)));
    marias = await Promise.all(urls.map((u) => loginAs(u, 'maria', PASSWORD)));
  }, 120_000);

  afterAll(async () => {
    for (const s of sockets) s.terminate();
    await Promise.all(instances.map((i) => i.stop()));
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('eight concurrent check-ins of one lock by its holder: exactly one 200, one new revision', async () => {
    const name = '1000001_eight.nc';
    expect((await marias[0]!.upload(P, name, 'A')).status).toBe(201);
    expect((await marias[0]!.checkout(P, name)).status).toBe(200);
    const head = git('rev-parse', 'main');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => marias[i % 2]!.checkin(P, name, `content ${i}`, { message: `try ${i}`, keep: false })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    expect(git('rev-list', '--count', `${head}..main`)).toBe('1');
    expect(await file(name)).toMatchObject({ revision: 'B', status: 'available', lockedBy: null });
    expect((await events(['file.checked_in'])).filter((e) => e.data.path === name)).toHaveLength(1);
  });

  test(`a check-in racing an admin override never both succeed (${ROUNDS} rounds at offsets across a check-in's duration)`, async () => {
    const name = '1000002_override.nc';
    expect((await marias[0]!.upload(P, name, 'A')).status).toBe(201);
    // Offsets spread over a check-in's own duration here, so some overrides land before it commits and some after.
    expect((await marias[0]!.checkout(P, name)).status).toBe(200);
    const started = Date.now();
    expect((await marias[0]!.checkin(P, name, 'calibration', { message: 'calibration' })).status).toBe(200);
    const span = Math.max(120, 1.5 * (Date.now() - started));
    let landed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      expect((await marias[round % 2]!.checkout(P, name, `round ${round}`)).status).toBe(200);
      const before = await file(name);
      const head = git('rev-parse', 'main');
      const offset = Math.round((round * span) / (ROUNDS - 1));
      const keep = round % 3 === 0;
      const [checkin, override] = await Promise.all([
        marias[round % 2]!.checkin(P, name, `round ${round}`, { message: `round ${round}`, keep }),
        delay(offset).then(() => admins[(round + 1) % 2]!.post(api.fileAction(P, name, 'override'), { reason: `round ${round}` })),
      ]);
      const after = await file(name);
      // Never both: a check-in that released the lock leaves nothing to override; one that kept
      // it may be followed by the override (check-in first, then override: both 200 is linearizable).
      if (!keep) expect(checkin.status === 200 && override.status === 200, `round ${round}`).toBe(false);
      expect(
        [checkin.status, override.status].every((s) => s === 200 || s === 409),
        `round ${round}`,
      ).toBe(true);
      if (checkin.status === 200) {
        landed++;
        expect(after.commit).not.toBe(before.commit);
        expect(git('rev-list', '--count', `${head}..main`)).toBe('1');
      } else {
        expect(after.commit).toBe(before.commit);
        expect(after.revision).toBe(before.revision);
        expect(git('rev-parse', 'main')).toBe(head); // the refused commit was undone
      }
      // The lock is gone either way (released by the check-in or taken by the override), unless
      // the check-in kept it and the override came too early to see it.
      if (after.lockedBy) {
        expect(keep && checkin.status === 200 && override.status === 409).toBe(true);
        expect((await marias[0]!.post(api.fileAction(P, name, 'cancel'))).status).toBe(200);
      }
    }
    expect((await events(['file.checked_in'])).filter((e) => e.data.path === name)).toHaveLength(landed + 1);
  }, 180_000);

  test(`a metadata edit racing a check-in by the same holder: both effects survive or one is a 409 (${ROUNDS} rounds)`, async () => {
    const name = '1000003_patch.nc';
    expect((await marias[0]!.upload(P, name, 'A')).status).toBe(201);
    expect((await marias[0]!.checkout(P, name)).status).toBe(200);
    for (let round = 0; round < ROUNDS; round++) {
      const before = await file(name);
      const offset = Math.round((round * 60) / (ROUNDS - 1));
      const description = `edit ${round}`;
      const [checkin, patch] = await Promise.all([
        marias[round % 2]!.checkin(P, name, `content ${round}`, { message: `round ${round}`, keep: true }),
        delay(offset).then(() => marias[(round + 1) % 2]!.request('PATCH', api.file(P, name), { description })),
      ]);
      const after = await file(name);
      expect(checkin.status === 200 || patch.status === 200, `round ${round}`).toBe(true);
      if (patch.status === 200) expect(after.description, `round ${round}`).toBe(description);
      else expect(patch.status).toBe(409);
      if (checkin.status === 200) expect(after.revision, `round ${round}`).not.toBe(before.revision);
      else expect([checkin.status, after.revision]).toEqual([409, before.revision]);
      const content = await fetch(`${instances[0]!.url}${api.fileContent(P, name)}`, { headers: marias[0]!.headers() });
      expect(await content.text()).toBe(checkin.status === 200 ? `content ${round}` : `content ${round - 1}`.replace('content -1', 'A'));
    }
  }, 180_000);

  test('If-Match with a stale commit is a 409 naming the current commit, and changes nothing', async () => {
    const name = '1000004_ifmatch.nc';
    expect((await marias[0]!.upload(P, name, 'A')).status).toBe(201);
    expect((await marias[0]!.checkout(P, name)).status).toBe(200);
    const seen = await file(name);
    expect((await marias[1]!.request('PATCH', api.file(P, name), { description: 'first' }, { 'if-match': seen.commit })).status).toBe(200);
    const stale: Response = await marias[0]!.request(
      'PATCH',
      api.file(P, name),
      { description: 'second' },
      { 'if-match': `"${seen.commit}"` },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'stale', currentCommit: (await file(name)).commit });
    expect((await file(name)).description).toBe('first');
  });

  test('a JSON body of the wrong type is a 400 and stores nothing', async () => {
    const name = '1000005_strict.nc';
    expect((await marias[0]!.upload(P, name, 'A')).status).toBe(201);
    expect((await marias[0]!.post(api.fileAction(P, name, 'checkout'), { message: 42 })).status).toBe(400);
    expect((await marias[0]!.post(api.fileAction(P, name, 'checkout'), {})).status).toBe(200);
    const bad = await marias[0]!.request('PATCH', api.file(P, name), { description: ['a'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation');
    expect(await file(name)).toMatchObject({ description: '', lockMessage: '' });
  });

  test('disable, logout and token deletion close that user’s sockets within 1 s, on every instance', async () => {
    // Logout: the socket of that session closes; the same user's other session stays.
    const tomA = await loginAs(instances[0]!.url, 'tom', PASSWORD);
    const tomB = await loginAs(instances[instances.length - 1]!.url, 'tom', PASSWORD);
    const first = await openSocket(instances[0]!.url, tomA);
    const second = await openSocket(instances[0]!.url, tomB);
    const t0 = Date.now();
    expect((await tomA.post(api.logout)).status).toBe(204);
    await until('logged-out socket closed', () => first.closed(), 5000);
    expect(first.closed()!.code).toBe(1008);
    expect(first.closed()!.at - t0).toBeLessThan(1000);
    expect(second.closed()).toBeNull();

    // Token deletion: a socket opened with the token closes (revoked from the other instance).
    const created = await tomB.post(api.tokens, { name: 'script' });
    expect(created.status).toBe(201);
    const viaToken = await openSocket(instances[0]!.url, created.body.token as string);
    const t1 = Date.now();
    expect((await tomB.request('DELETE', `${api.tokens}/${created.body.id}`)).status).toBe(204);
    await until('token socket closed', () => viaToken.closed(), 5000);
    expect(viaToken.closed()!.at - t1).toBeLessThan(1000);

    // Disable: every socket of the user closes, and nothing more reaches it.
    second.socket.send(JSON.stringify({ type: 'subscribe', project: P }));
    await until('subscribed', () => second.messages.some((m) => m.type === 'subscribed'));
    const users = (await admins[1]!.get(api.users)).body as Array<{ id: number; username: string }>;
    const tom = users.find((u) => u.username === 'tom')!;
    const t2 = Date.now();
    expect((await admins[1]!.request('PATCH', `${api.users}/${tom.id}`, { disabled: true })).status).toBe(200);
    await until('disabled user socket closed', () => second.closed(), 5000);
    expect(second.closed()!.at - t2).toBeLessThan(1000);
    const received = second.messages.length;
    expect((await marias[0]!.upload(P, '1000006_after.nc', 'A')).status).toBe(201);
    await delay(300);
    expect(second.messages.length).toBe(received);
  });

  test('resume with a seq from before a restart replays exactly what was missed', async () => {
    const watcher = await openSocket(instances[0]!.url, marias[0]!);
    watcher.socket.send(JSON.stringify({ type: 'subscribe', project: P }));
    await until('subscribed', () => watcher.messages.some((m) => m.type === 'subscribed'));
    const { seq, epoch } = watcher.messages.find((m) => m.type === 'subscribed').data as { seq: number; epoch: string };
    watcher.socket.close();
    // Changes while the browser is away, then every instance restarts.
    for (let i = 0; i < 3; i++) expect((await marias[0]!.upload(P, `1000007_away${i}.nc`, 'A')).status).toBe(201);
    for (const [i, instance] of instances.entries()) {
      await instance.stop();
      instances[i] = await startInstance({ dataDir, databaseUrl: database?.url, port: instance.port });
    }
    const back = await openSocket(instances[0]!.url, marias[0]!);
    back.socket.send(JSON.stringify({ type: 'resume', project: P, after_seq: seq, epoch }));
    await until('resumed', () => back.messages.some((m) => m.type === 'subscribed'));
    const replayed = back.messages.filter((m) => m.type === 'file.uploaded');
    expect(replayed.map((m) => m.data.path)).toEqual(['1000007_away0.nc', '1000007_away1.nc', '1000007_away2.nc']);
    expect(replayed.map((m) => m.seq)).toEqual([seq + 1, seq + 2, seq + 3]);
    expect(back.messages.some((m) => m.type === 'resync')).toBe(false);
    // A seq from another lifetime of the stream (wrong epoch) is never taken for ours.
    back.socket.send(JSON.stringify({ type: 'resume', project: P, after_seq: seq, epoch: 'another-lifetime' }));
    await until('resync', () => back.messages.some((m) => m.type === 'resync'));
  }, 120_000);
});
