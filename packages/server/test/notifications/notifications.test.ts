import { api, type Notification, type NotificationList, type User } from '@lockstep/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approversOf } from '../../src/services/notifications.js';
import { startServer, type Client, type TestServer } from '../harness.js';
import { TestClient, withTimeout } from '../realtime/realtime-harness.js';
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';

const P = 'shop';

describe.each(['sqlite', 'postgres'] as const)('notifications on %s', (dialect) => {
  let pg: TestDatabase | undefined;
  let server: TestServer;
  let bob: Client;
  let carol: Client;
  let vera: Client;
  let files = 0;

  beforeAll(async () => {
    if (dialect === 'postgres') pg = await createTestDatabase();
    server = await startServer({ config: pg ? { databaseUrl: pg.url } : {} });
    await server.createProject(P);
    bob = await server.createUser('bob', 'user');
    carol = await server.createUser('carol', 'user');
    vera = await server.createUser('vera', 'viewer');
  });
  afterAll(async () => {
    await (server as TestServer | undefined)?.close();
    await pg?.drop();
  });

  const list = async (who: Client, q: Parameters<typeof api.notifications>[0] = {}) => {
    const res = await who.get<NotificationList>(api.notifications(q));
    expect(res.status, res.text).toBe(200);
    return res.body;
  };

  /** `holder` checks a new file out and the admin overrides it: one notification for the holder. */
  async function overridden(holder: Client): Promise<string> {
    const path = `${1000000 + ++files}_op1.nc`;
    expect((await server.admin.upload(P, path, `G0 X${files}\n`)).status).toBe(201);
    expect((await holder.checkout(P, path)).status).toBe(200);
    const res = await server.admin.post(api.fileAction(P, path, 'override'), { reason: 'machine down' });
    expect(res.status, res.text).toBe(200);
    return path;
  }

  const wsOf = async (who: Client) => {
    const ws = new TestClient(`${server.url.replace('http', 'ws')}/ws`, { cookie: who.cookie });
    await withTimeout(ws.opened, 5000, 'socket open');
    await ws.next('connection.established', () => true, 5000);
    return ws;
  };

  it('an overridden lock: the former holder gets it stored and live (with its id), nobody else', async () => {
    const ws = await wsOf(bob);
    const before = (await list(bob)).unread;
    const path = await overridden(bob);
    const notice = await ws.next('notice', (m) => m.data.path === path, 5000);
    const message = `Your lock on ${path} was overridden by admin: machine down`;
    expect(notice.data).toMatchObject({ level: 'warning', message, project: P, path, kind: 'lock_overridden' });
    const mine = await list(bob);
    expect(mine.unread).toBe(before + 1);
    const stored = mine.items[0]!;
    expect(stored).toMatchObject({ id: notice.data.id, kind: 'lock_overridden', actor: 'admin', project: P, path, message, read: false });
    expect((await list(carol)).items.some((n) => n.path === path)).toBe(false);
    expect((await list(server.admin)).items.some((n) => n.path === path)).toBe(false);
    ws.ws.close();
  });

  it("marking read touches only the caller's own rows, and answers the unread count left", async () => {
    await overridden(bob);
    await overridden(carol);
    const bobs = await list(bob, { unread: true });
    const carols = await list(carol, { unread: true });
    expect(bobs.items.length).toBeGreaterThan(0);
    expect(carols.items.length).toBeGreaterThan(0);
    const ids = [bobs.items[0]!.id, ...carols.items.map((n) => n.id)];
    const res = await bob.post(api.notificationsRead, { ids });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ unread: bobs.unread - 1 });
    const after = await list(bob);
    expect(after.items.find((n) => n.id === bobs.items[0]!.id)?.read).toBe(true);
    expect(after.unread).toBe(bobs.unread - 1);
    // Carol's are untouched though bob named their ids.
    expect(await list(carol, { unread: true })).toEqual(carols);
  });

  it('?unread=true lists only the unread ones; {all: true} marks every one of yours', async () => {
    await overridden(bob);
    const unreadOnly = await list(bob, { unread: true });
    expect(unreadOnly.items.length).toBe(unreadOnly.unread);
    expect(unreadOnly.items.every((n) => !n.read)).toBe(true);
    expect((await list(bob)).items.some((n) => n.read)).toBe(true);
    const carolBefore = (await list(carol)).unread;
    const res = await bob.post(api.notificationsRead, { all: true });
    expect([res.status, res.body]).toEqual([200, { unread: 0 }]);
    expect((await list(bob, { unread: true })).items).toEqual([]);
    expect((await list(carol)).unread).toBe(carolBefore);
  });

  it('pages newest first with a cursor, every notification once, the last page without a cursor', async () => {
    for (let i = 0; i < 5; i++) await overridden(carol);
    const all = (await list(carol, { limit: 200 })).items;
    expect(all.map((n) => n.id)).toEqual([...all.map((n) => n.id)].sort((a, b) => b - a));
    const seen: Notification[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const body = await list(carol, { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items);
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    expect(seen).toEqual(all);
  });

  it('bad input is a 400 that changes nothing', async () => {
    await overridden(bob);
    const before = await list(bob);
    for (const body of [{}, { ids: 'x' }, { ids: [0] }, { ids: ['1'] }, { all: false }, { all: 'yes' }, { other: 1 }, { ids: [1.5] }]) {
      const res = await bob.post(api.notificationsRead, body);
      expect([res.status, res.body?.error?.code], JSON.stringify(body)).toEqual([400, 'validation']);
    }
    const big = await bob.post(api.notificationsRead, { ids: Array.from({ length: 501 }, (_, i) => i + 1) });
    expect(big.status).toBe(400);
    for (const q of ['limit=0', 'limit=201', 'limit=abc', 'cursor=abc', 'cursor=-1', 'cursor=0', 'unread=maybe', 'other=1']) {
      const res = await bob.get(`/api/notifications?${q}`);
      expect([res.status, res.body?.error?.code], q).toEqual([400, 'validation']);
    }
    expect(await list(bob)).toEqual(before);
  });

  it('approver flag and e-mail on admin create and PATCH, audited; a viewer cannot be an approver', async () => {
    const created = await server.admin.post(api.users, {
      username: 'quinn',
      password: 'quinn-password-1',
      role: 'user',
      approver: true,
      email: 'quinn@example.com',
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ username: 'quinn', approver: true, email: 'quinn@example.com' });
    expect(await approversOf(server.app.services.db)).toEqual(['admin', 'quinn']);

    const users = (await server.admin.get<User[]>(api.users)).body;
    const id = (name: string) => users.find((u) => u.username === name)!.id;
    const patched = await server.admin.request('PATCH', api.user(id('carol')), { approver: true, email: 'carol@example.com' });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ approver: true, email: 'carol@example.com' });
    expect(await approversOf(server.app.services.db)).toEqual(['admin', 'carol', 'quinn']);

    for (const body of [{ approver: true }, { role: 'viewer', approver: true }]) {
      const target = 'role' in body ? id('carol') : id('vera');
      const res = await server.admin.request('PATCH', api.user(target), body);
      expect([res.status, res.body.error?.code], JSON.stringify(body)).toEqual([400, 'validation']);
    }
    const badEmail = await server.admin.request('PATCH', api.user(id('carol')), { email: 'not an address' });
    expect(badEmail.status).toBe(400);
    expect((await server.admin.get<User[]>(api.users)).body.find((u) => u.username === 'carol')).toMatchObject({
      role: 'user',
      approver: true,
      email: 'carol@example.com',
    });

    const audit = (await server.admin.get<Array<{ action: string; message: string }>>('/api/audit?action=user.updated')).body;
    expect(audit.some((a) => a.message.includes('carol') && a.message.includes('approver=true'))).toBe(true);
    const createdAudit = (await server.admin.get<Array<{ message: string }>>('/api/audit?action=user.created')).body;
    expect(createdAudit.some((a) => a.message === 'quinn (user, approver, email=quinn@example.com)')).toBe(true);
  });

  it('an approver flag change takes effect at once, also for a signed-in session', async () => {
    expect((await bob.get(api.me)).body.user.approver).toBe(false); // the session is now cached (SQLite)
    const bobId = (await server.admin.get<User[]>(api.users)).body.find((u) => u.username === 'bob')!.id;
    expect((await server.admin.request('PATCH', api.user(bobId), { approver: true })).status).toBe(200);
    expect((await bob.get(api.me)).body.user.approver).toBe(true);
    expect(await approversOf(server.app.services.db)).toContain('bob');
    expect((await server.admin.request('PATCH', api.user(bobId), { approver: false })).status).toBe(200);
    expect((await bob.get(api.me)).body.user.approver).toBe(false);
    expect(await approversOf(server.app.services.db)).not.toContain('bob');
  });

  it('PATCH /api/auth/me sets and removes your own address; bad ones are a 400', async () => {
    const set = await vera.request('PATCH', api.me, { email: 'vera@example.com' });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ username: 'vera', role: 'viewer', email: 'vera@example.com' });
    expect((await vera.get(api.me)).body.user.email).toBe('vera@example.com');
    for (const body of [{}, { email: 'no-at-sign' }, { email: 42 }, { email: 'a@b', role: 'admin' }, { email: `${'x'.repeat(251)}@b.c` }]) {
      const res = await vera.request('PATCH', api.me, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await vera.get(api.me)).body.user).toMatchObject({ role: 'viewer', email: 'vera@example.com' });
    const removed = await vera.request('PATCH', api.me, { email: null });
    expect([removed.status, removed.body.email]).toEqual([200, null]);
  });
});
