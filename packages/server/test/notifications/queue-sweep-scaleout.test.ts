import { api } from '@lockstep/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { startServer, type Client, type TestServer } from '../harness.js';
import { TestClient, withTimeout } from '../realtime/realtime-harness.js';
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';

const P = 'shop';
const FILES = Array.from({ length: 12 }, (_, i) => `${4000001 + i}_op1.nc`);

// Two instances on one PostgreSQL database sweep the same queues at the same moment: each turn
// passes once, each waiter is told once.
describe('lock queue sweeps of two instances', () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let dave: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await startServer({ config: { databaseUrl: database.url, queueCheckMs: 0 } });
    b = await startServer({ config: { databaseUrl: database.url, queueCheckMs: 0, dataDir: a.dataDir } });
    await a.createProject(P);
    await a.createUser('carol', 'user');
    dave = await a.createUser('dave', 'user');
    for (const path of FILES) expect((await a.admin.upload(P, path, 'G0\n')).status).toBe(201);
  });
  afterAll(async () => {
    await (b as TestServer | undefined)?.app.close();
    await (a as TestServer | undefined)?.close();
    await (database as TestDatabase | undefined)?.drop();
  });

  const db = (): Db => a.app.services.db;
  const setQueues = (waiting: string[], notifiedAt: string | null) =>
    db()
      .updateTable('files')
      .set({ waiting_json: JSON.stringify(waiting), waiting_notified_at: notifiedAt })
      .where('project', '=', P)
      .execute();
  const told = async (username: string) =>
    (
      await db()
        .selectFrom('notifications')
        .select(['path'])
        .where('username', '=', username)
        .where('kind', '=', 'file_available')
        .orderBy('path')
        .execute()
    ).map((r) => r.path);
  const sweepBoth = () => Promise.all([a.app.jobs.runNow('lock-queue'), b.app.jobs.runNow('lock-queue')]);

  it('a release nobody was told of: each first in line is told once', async () => {
    await setQueues(['carol', 'dave'], null);
    await sweepBoth();
    await sweepBoth();
    expect(await told('carol')).toEqual(FILES);
    expect(await told('dave')).toEqual([]);
  });

  it('turns that ran out: each passes once, the next is told once, one event each', async () => {
    const ws = new TestClient(`${a.url.replace('http', 'ws')}/ws`, { cookie: dave.cookie });
    await withTimeout(ws.opened, 5000, 'socket open');
    ws.send({ type: 'subscribe', project: P });
    await ws.next('subscribed', () => true, 5000);

    await setQueues(['carol', 'dave'], new Date(Date.now() - 3600_000).toISOString());
    await sweepBoth();
    await sweepBoth();
    expect(await told('dave')).toEqual(FILES);
    expect(await told('carol')).toEqual(FILES); // only the notices of the first test
    for (const path of FILES) expect((await dave.get(api.file(P, path))).body.waiting).toEqual(['dave']);
    const passed = await db()
      .selectFrom('audit')
      .select('path')
      .where('action', '=', 'file.queue_left')
      .where('username', '=', 'carol')
      .orderBy('path')
      .execute();
    expect(passed.map((r) => r.path)).toEqual(FILES);
    // The events: one per file, whichever instance published it.
    for (const path of FILES) await ws.next('file.queue_changed', (m) => m.data.path === path && m.data.actor === 'carol', 5000);
    await a.app.jobs.runNow('lock-queue');
    expect(ws.history.filter((m) => m.type === 'file.queue_changed')).toHaveLength(FILES.length);
    ws.ws.close();
  });
});
