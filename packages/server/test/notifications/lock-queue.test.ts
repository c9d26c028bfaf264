import { api, type FileInfo, type Notification, type NotificationList } from '@lockstep/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, until, type Client, type TestServer } from '../harness.js';
import { TestClient, withTimeout } from '../realtime/realtime-harness.js';
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';

const P = 'shop';
const available = (path: string) => `${path} is available — check it out now`;

async function fileAvailable(who: Client, path: string): Promise<Notification[]> {
  const res = await who.get<NotificationList>(api.notifications({ limit: 200 }));
  expect(res.status, res.text).toBe(200);
  return res.body.items.filter((n) => n.kind === 'file_available' && n.path === path);
}

const waitingOf = async (who: Client, path: string) => (await who.get<FileInfo>(api.file(P, path))).body.waiting;

describe.each(['sqlite', 'postgres'] as const)('the lock queue on %s', (dialect) => {
  let pg: TestDatabase | undefined;
  let server: TestServer;
  let bob: Client;
  let carol: Client;
  let dave: Client;
  let erin: Client;
  let vera: Client;
  let n = 0;

  beforeAll(async () => {
    if (dialect === 'postgres') pg = await createTestDatabase();
    // No background sweep here: turns never pass on their own (the sweep has its own tests below).
    server = await startServer({ config: { ...(pg ? { databaseUrl: pg.url } : {}), queueCheckMs: 0 } });
    await server.createProject(P);
    bob = await server.createUser('bob', 'user');
    carol = await server.createUser('carol', 'user');
    dave = await server.createUser('dave', 'user');
    erin = await server.createUser('erin', 'user');
    vera = await server.createUser('vera', 'viewer');
  });
  afterAll(async () => {
    await (server as TestServer | undefined)?.close();
    await pg?.drop();
  });

  /** A new file, checked out by `holder`. */
  async function heldBy(holder: Client): Promise<string> {
    const path = `${2000000 + ++n}_op1.nc`;
    expect((await server.admin.upload(P, path, `G0 X${n}\n`)).status).toBe(201);
    expect((await holder.checkout(P, path)).status).toBe(200);
    return path;
  }
  const watch = (who: Client, path: string) => who.post(api.fileWatch(P, path));
  const unwatch = (who: Client, path: string) => who.request('DELETE', api.fileWatch(P, path));

  it('refuses a free file, your own lock, viewers, unknown files and bad paths; joining twice changes nothing', async () => {
    const path = await heldBy(bob);
    const free = `${2000000 + ++n}_free.nc`;
    expect((await server.admin.upload(P, free, 'G0\n')).status).toBe(201);

    const notLocked = await watch(carol, free);
    expect([notLocked.status, notLocked.body.error.code]).toEqual([409, 'conflict']);
    expect(notLocked.body.error.message).toBe(`"${free}" is not checked out — check it out now`);
    const own = await watch(bob, path);
    expect([own.status, own.body.error.code]).toEqual([409, 'conflict']);
    expect((await watch(vera, path)).status).toBe(403);
    expect((await watch(carol, 'no-such-file.nc')).status).toBe(404);
    expect((await watch(carol, '../etc/passwd.nc')).status).toBe(400);
    expect(await waitingOf(carol, path)).toEqual([]);
    expect(await waitingOf(carol, free)).toEqual([]);

    const first = await watch(carol, path);
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ path, status: 'locked', lockedBy: 'bob', waiting: ['carol'] });
    const again = await watch(carol, path);
    expect([again.status, again.body.waiting]).toEqual([200, ['carol']]);
    // Leaving when not waiting: unchanged, not an error.
    expect((await unwatch(dave, path)).body.waiting).toEqual(['carol']);
    const audit = (await server.admin.get<Array<{ user: string; path: string }>>('/api/audit?action=file.queue_joined')).body;
    expect(audit.filter((a) => a.path === path).map((a) => a.user)).toEqual(['carol']);
  });

  it('keeps the order people joined in, live (file.queue_changed) and in the listing', async () => {
    const path = await heldBy(bob);
    const ws = new TestClient(`${server.url.replace('http', 'ws')}/ws`, { cookie: erin.cookie });
    await withTimeout(ws.opened, 5000, 'socket open');
    ws.send({ type: 'subscribe', project: P });
    await ws.next('subscribed', () => true, 5000);

    for (const who of [carol, dave, erin]) expect((await watch(who, path)).status).toBe(200);
    const last = await ws.next('file.queue_changed', (m) => m.data.path === path && m.data.file?.waiting.length === 3, 5000);
    expect(last.data).toMatchObject({ actor: 'erin', path, file: { waiting: ['carol', 'dave', 'erin'], lockedBy: 'bob' } });
    const listed = (await carol.get<{ items: FileInfo[] }>(`${api.files(P)}?q=${path}`)).body.items;
    expect(listed.map((f) => f.waiting)).toEqual([['carol', 'dave', 'erin']]);

    const left = await unwatch(erin, path);
    expect([left.status, left.body.waiting]).toEqual([200, ['carol', 'dave']]);
    const event = await ws.next('file.queue_changed', (m) => m.data.actor === 'erin' && m.data.file?.waiting.length === 2, 5000);
    expect(event.data.file?.waiting).toEqual(['carol', 'dave']);
    ws.ws.close();
  });

  it('a release tells the first in line only (stored and live); their check-out leaves the queue; the next release tells the next', async () => {
    const path = await heldBy(bob);
    for (const who of [carol, dave]) expect((await watch(who, path)).status).toBe(200);
    const ws = new TestClient(`${server.url.replace('http', 'ws')}/ws`, { cookie: carol.cookie });
    await withTimeout(ws.opened, 5000, 'socket open');
    await ws.next('connection.established', () => true, 5000);

    // A check-in that keeps the lock releases nothing.
    expect((await bob.checkin(P, path, 'G1 X1\n', { message: 'roughing', keep: true })).status).toBe(200);
    expect((await bob.post(api.fileAction(P, path, 'cancel'))).status).toBe(200);
    const notice = await ws.next('notice', (m) => m.data.path === path, 5000);
    expect(notice.data).toMatchObject({ level: 'info', kind: 'file_available', project: P, path, message: available(path) });
    const stored = await fileAvailable(carol, path);
    expect(stored).toEqual([expect.objectContaining({ id: notice.data.id, message: available(path), read: false })]);
    expect(await fileAvailable(dave, path)).toEqual([]);
    expect(await fileAvailable(bob, path)).toEqual([]);

    const co = await carol.checkout(P, path);
    expect(co.status, co.text).toBe(200);
    expect(co.body).toMatchObject({ status: 'checked_out_by_me', waiting: ['dave'] });
    expect(await waitingOf(bob, path)).toEqual(['dave']);

    expect((await carol.checkin(P, path, 'G1 X2\n', { message: 'finishing' })).status).toBe(200);
    await until('dave told', async () => (await fileAvailable(dave, path)).length === 1);
    expect(await fileAvailable(carol, path)).toHaveLength(1);
    ws.ws.close();
  });

  it('an override tells the first in line; a waiter who is not first may still check a free file out and leaves the queue', async () => {
    const path = await heldBy(bob);
    for (const who of [carol, dave]) expect((await watch(who, path)).status).toBe(200);
    expect((await server.admin.post(api.fileAction(P, path, 'override'), { reason: 'machine down' })).status).toBe(200);
    await until('carol told', async () => (await fileAvailable(carol, path)).length === 1);
    expect(await fileAvailable(dave, path)).toEqual([]);
    // Dave is quicker than carol: the lock is his; carol stays first for the next release.
    expect((await dave.checkout(P, path)).body.waiting).toEqual(['carol']);
    expect((await dave.post(api.fileAction(P, path, 'cancel'))).status).toBe(200);
    await until('carol told again', async () => (await fileAvailable(carol, path)).length === 2);
  });

  it('leaving during your turn tells the next at once', async () => {
    const path = await heldBy(bob);
    for (const who of [carol, dave]) expect((await watch(who, path)).status).toBe(200);
    expect((await bob.post(api.fileAction(P, path, 'cancel'))).status).toBe(200);
    await until('carol told', async () => (await fileAvailable(carol, path)).length === 1);
    expect(await fileAvailable(dave, path)).toEqual([]);
    expect((await unwatch(carol, path)).body.waiting).toEqual(['dave']);
    await until('dave told', async () => (await fileAvailable(dave, path)).length === 1);
  });

  it('a deleted file drops its queue (nobody is told), and a new file at its path starts with none', async () => {
    const path = await heldBy(bob);
    expect((await watch(carol, path)).status).toBe(200);
    expect((await server.admin.request('DELETE', api.file(P, path))).status).toBe(204);
    expect((await server.admin.upload(P, path, 'new\n')).status).toBe(201);
    expect(await waitingOf(carol, path)).toEqual([]);
    expect(await fileAvailable(carol, path)).toEqual([]);
  });

  it('the sweep catches a release nobody was told of (as after a crash), once', async () => {
    const path = `${2000000 + ++n}_missed.nc`;
    expect((await server.admin.upload(P, path, 'G0\n')).status).toBe(201);
    // What a crash between a release's commit and telling the first in line leaves behind.
    await server.app.services.db
      .updateTable('files')
      .set({ waiting_json: JSON.stringify(['erin', 'dave']), waiting_notified_at: null })
      .where('project', '=', P)
      .where('path', '=', path)
      .execute();
    await server.app.jobs.runNow('lock-queue');
    await server.app.jobs.runNow('lock-queue');
    expect(await fileAvailable(erin, path)).toHaveLength(1);
    expect(await fileAvailable(dave, path)).toEqual([]);
    expect(await waitingOf(erin, path)).toEqual(['erin', 'dave']);
  });
});

describe.each(['sqlite', 'postgres'] as const)('the turn passing on %s', (dialect) => {
  let pg: TestDatabase | undefined;
  let server: TestServer;
  let clients: Client[];

  beforeAll(async () => {
    if (dialect === 'postgres') pg = await createTestDatabase();
    // A turn of a fraction of a second, swept often: the test polls for the outcome.
    server = await startServer({
      config: { ...(pg ? { databaseUrl: pg.url } : {}), queueCheckMs: 50 },
      env: { LOCKSTEP_QUEUE_TURN_MINUTES: '0.005' },
    });
    await server.createProject(P);
    clients = [];
    for (const name of ['bob', 'carol', 'dave']) clients.push(await server.createUser(name, 'user'));
  });
  afterAll(async () => {
    await (server as TestServer | undefined)?.close();
    await pg?.drop();
  });

  it('the first in line who does not check it out leaves the queue and the next one is told', async () => {
    const [bob, carol, dave] = clients as [Client, Client, Client];
    expect(server.config.queueTurnMs).toBe(300);
    const path = '3000001_op1.nc';
    expect((await server.admin.upload(P, path, 'G0\n')).status).toBe(201);
    expect((await bob.checkout(P, path)).status).toBe(200);
    for (const who of [carol, dave]) expect((await who.post(api.fileWatch(P, path))).status).toBe(200);
    expect((await bob.post(api.fileAction(P, path, 'cancel'))).status).toBe(200);

    await until('carol told', async () => (await fileAvailable(carol, path)).length === 1);
    await until('dave told after carol let her turn pass', async () => (await fileAvailable(dave, path)).length === 1);
    expect(await waitingOf(dave, path)).toEqual(['dave']);
    expect(await fileAvailable(carol, path)).toHaveLength(1);
    await until('dave let his turn pass too', async () => (await waitingOf(dave, path)).length === 0);
    const left = (await server.admin.get<Array<{ user: string; path: string; message: string }>>('/api/audit?action=file.queue_left')).body;
    expect(left.filter((a) => a.path === path).map((a) => [a.user, a.message.startsWith('turn passed')])).toEqual([
      ['dave', true],
      ['carol', true],
    ]);
    expect(await fileAvailable(dave, path)).toHaveLength(1);
  });
});
