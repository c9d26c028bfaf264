// PgBus against a real PostgreSQL: two buses on one database stand for two instances.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase, type Db } from '../../src/store/db.js';
import { PgBus } from '../../src/events/pg-bus.js';
import type { Notice, ProjectEvent } from '../../src/events/bus.js';
import { until as pollUntil } from '../harness.js';
import { createTestDatabase, type TestDatabase } from './pg.js';

let database: TestDatabase;
let dbA: Db;
let dbB: Db;
let a: PgBus;
let b: PgBus;

const REPLAY = 50;
const data = (n: number) => ({ processId: `p${n}`, kind: 'test', label: `event ${n}`, progress: n });

function collect(bus: PgBus, project: string): ProjectEvent[] {
  const seen: ProjectEvent[] = [];
  bus.onEvent((e) => {
    if (e.project === project) seen.push(e);
  });
  return seen;
}

/** This file's bound for waiting on the other instance. */
const until = (what: string, check: () => boolean) => pollUntil(what, check, 10_000);

beforeAll(async () => {
  database = await createTestDatabase();
  // openDatabase runs the migrations (0002_events included) on PostgreSQL.
  dbA = (await openDatabase({ dataDir: '/nonexistent', databaseUrl: database.url })).db;
  dbB = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 5 }) }) });
  a = await PgBus.create({ db: dbA, connectionString: database.url, replayBufferSize: REPLAY, reconnectMs: 50 });
  b = await PgBus.create({ db: dbB, connectionString: database.url, replayBufferSize: REPLAY, reconnectMs: 50 });
});

// Each step may be unset when beforeAll failed part-way; the rest must still be cleaned up.
afterAll(async () => {
  await (a as PgBus | undefined)?.close();
  await (b as PgBus | undefined)?.close();
  await (dbA as Db | undefined)?.destroy();
  await (dbB as Db | undefined)?.destroy();
  await (database as TestDatabase | undefined)?.drop();
});

describe('PgBus', () => {
  test('concurrent publishers on two instances: gap-free seqs, every instance delivers all in order', async () => {
    const seenA = collect(a, 'race');
    const seenB = collect(b, 'race');
    const published = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).publish('race', 'process.progress', data(i))),
    );
    expect(published.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await until('200 events on both instances', () => seenA.length === 200 && seenB.length === 200);
    for (const seen of [seenA, seenB]) expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // The same content everywhere.
    expect(seenB.map((e) => e.data)).toEqual(seenA.map((e) => e.data));
    expect((await a.head('race')).seq).toBe(200);
    expect((await b.head('nothing-here')).seq).toBe(0);
    // isLocal: each instance knows which events it published.
    expect(seenA.filter((e) => a.isLocal(e)).length).toBe(100);
    expect(seenB.filter((e) => b.isLocal(e)).length).toBe(100);
  });

  test('payloads too large for NOTIFY travel by reference and still arrive in order', async () => {
    const seenB = collect(b, 'big');
    const big = 'x'.repeat(20_000);
    await a.publish('big', 'process.started', { ...data(1), label: big });
    await a.publish('big', 'process.progress', data(2));
    await a.publish('big', 'process.completed', { ...data(3), label: big });
    await until('3 events', () => seenB.length === 3);
    expect(seenB.map((e) => [e.seq, e.type])).toEqual([
      [1, 'process.started'],
      [2, 'process.progress'],
      [3, 'process.completed'],
    ]);
    expect((seenB[0]!.data as { label: string }).label).toHaveLength(20_000);
  });

  test('events published in one turn go out together, in call order, inline or by reference', async () => {
    const seenA = collect(a, 'burst');
    const seenB = collect(b, 'burst');
    const big = 'y'.repeat(9_000);
    const published = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        a.publish('burst', 'process.progress', { ...data(i + 1), label: i % 7 === 3 ? big : `step ${i + 1}` }),
      ),
    );
    expect(published.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    await until('30 events', () => seenB.length === 30);
    expect(seenB.map((e) => e.seq)).toEqual(published.map((e) => e.seq));
    expect(seenB.map((e) => (e.data as { label: string }).label)).toEqual(published.map((e) => (e.data as { label: string }).label));
    expect(seenB.filter((e) => (e.data as { label: string }).label === big)).toHaveLength(4);
    await until('30 events on a', () => seenA.length === 30);
    expect(seenA.every((e) => a.isLocal(e))).toBe(true); // a's own: the sync service pushes for them
    expect(seenB.some((e) => b.isLocal(e))).toBe(false);
    expect(await a.replay('burst', 28)).toEqual(published.slice(28));
  });

  test('replay reads the table; the table is trimmed to the last N (null beyond)', async () => {
    for (let i = 1; i <= 230; i++) await b.publish('trim', 'process.progress', data(i));
    const replayed = await a.replay('trim', 225);
    expect(replayed!.map((e) => e.seq)).toEqual([226, 227, 228, 229, 230]);
    expect(await a.replay('trim', 230)).toEqual([]);
    expect(await a.replay('trim', 231)).toBeNull(); // from another lifetime: resync
    expect(await a.replay('trim', 5)).toBeNull(); // trimmed: resync
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from project_events where project = 'trim'`.execute(dbA);
    expect(rows[0]!.n).toBeLessThanOrEqual(REPLAY + 100);
    expect(rows[0]!.n).toBeGreaterThanOrEqual(REPLAY);
    expect((await a.replay('trim', 230 - REPLAY))!.length).toBe(REPLAY);
  });

  test('a gap (a notification that never came) is filled from the table', async () => {
    const seenA = collect(a, 'gap');
    // Written behind the bus's back, as if its notification had been lost.
    await sql`insert into project_event_seq (project, seq) values ('gap', 1)`.execute(dbB);
    await sql`insert into project_events (project, seq, payload) values ('gap', 1, ${JSON.stringify({ type: 'process.started', ts: new Date().toISOString(), seq: 1, project: 'gap', data: data(1) })})`.execute(
      dbB,
    );
    await b.publish('gap', 'process.completed', data(2));
    await until('both events', () => seenA.length === 2);
    expect(seenA.map((e) => e.seq)).toEqual([1, 2]);
  });

  test('a lost LISTEN connection is re-established and what was missed meanwhile is delivered in order', async () => {
    const seenA = collect(a, 'reconnect');
    const seenB = collect(b, 'reconnect');
    await b.publish('reconnect', 'process.started', data(1));
    await until('first event', () => seenA.length === 1);
    // Kill every LISTEN session (both buses'); the publishers' pooled connections are untouched.
    const killed = await sql<{ ok: boolean }>`
      select pg_terminate_backend(pid) as ok from pg_stat_activity
      where datname = current_database() and query like 'LISTEN%'`.execute(dbA);
    expect(killed.rows.length).toBe(2);
    for (let i = 2; i <= 6; i++) await b.publish('reconnect', 'process.progress', data(i));
    await until('all six events after the reconnect', () => seenA.length === 6);
    expect(seenA.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    // And live delivery works again.
    await b.publish('reconnect', 'process.completed', data(7));
    await until('the seventh', () => seenA.length === 7);
    expect(seenA[6]!.type).toBe('process.completed');
    // b listens again too (it hears a): later tests rely on both listeners.
    await a.publish('reconnect', 'process.progress', data(8));
    await until('b hears a again', () => seenB.length === 8);
  });

  test("personal notices reach the other instance's listeners", async () => {
    const got: Array<[string, Notice]> = [];
    b.onNotice((user, notice) => got.push([user, notice]));
    await a.notifyUser('alice', { level: 'warning', message: 'your lock was overridden', project: 'race', path: 'x.nc' });
    await until('the notice', () => got.length === 1);
    expect(got[0]).toEqual(['alice', { level: 'warning', message: 'your lock was overridden', project: 'race', path: 'x.nc' }]);
  });
});
