import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Dialect } from '../../src/store/db.js';
import { GroupCommit } from '../../src/store/group-commit.js';
import type { Db } from '../../src/store/db.js';
import * as locks from '../../src/store/locks.js';
import { findLock } from '../../src/store/locks.js';
import { NEW_PROJECT } from '../../src/store/projects.js';

/** What a service gives a lock change: a transaction (group-committed on SQLite, as recordChange does). */
interface LockWriter {
  db: Db;
  dialect: Dialect;
  groupCommit: GroupCommit;
}
const inTransaction = <T>(w: LockWriter, work: (trx: Db) => Promise<T>) =>
  w.dialect === 'sqlite' ? w.groupCommit.run(work) : w.db.transaction().execute(work);
const takeLockAudited = (w: LockWriter, ...args: Parameters<typeof locks.takeLockAudited> extends [Db, Dialect, ...infer R] ? R : never) =>
  inTransaction(w, (trx) => locks.takeLockAudited(trx, w.dialect, ...args));
const releaseLockAudited = (
  w: LockWriter,
  ...args: Parameters<typeof locks.releaseLockAudited> extends [Db, Dialect, ...infer R] ? R : never
) => inTransaction(w, (trx) => locks.releaseLockAudited(trx, w.dialect, ...args));
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';

let pgDb: TestDatabase;
const writers: Partial<Record<Dialect, LockWriter>> = {};
beforeAll(async () => {
  pgDb = await createTestDatabase();
  for (const [dialect, opts] of [
    ['sqlite', { dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-locks-')), databaseUrl: null }],
    ['postgres', { dataDir: '', databaseUrl: pgDb.url }],
  ] as const) {
    const { db } = await openDatabase(opts);
    await db
      .insertInto('projects')
      .values({ ...NEW_PROJECT, slug: 'p', name: 'p', created_at: new Date().toISOString() })
      .execute();
    writers[dialect] = { db, dialect, groupCommit: new GroupCommit(db) };
  }
});
afterAll(async () => {
  for (const w of Object.values(writers)) await w.db.destroy();
  await pgDb.drop();
});

describe.each(['sqlite', 'postgres'] as const)('lock changes with their audit rows on %s', (dialect) => {
  it('a lock change and its audit row happen together or not at all', async () => {
    const w = writers[dialect]!;
    const audits = async () =>
      await w.db
        .selectFrom('audit')
        .select(['username', 'action', 'path', 'revision', 'message'])
        .where('project', '=', 'p')
        .orderBy('id')
        .execute();
    const lock = { project: 'p', pathKey: 'a.nc', path: 'A.nc', message: 'on the mill' };
    const audit = (username: string, action: string) => ({ username, action, project: 'p', path: 'A.nc', revision: 'B', message: 'why' });

    const first = await takeLockAudited(w, { ...lock, username: 'ann' }, audit('ann', 'file.checked_out'));
    expect(first.acquired).toBe(true);
    const second = await takeLockAudited(w, { ...lock, username: 'bob' }, audit('bob', 'file.checked_out'));
    expect(second).toMatchObject({ acquired: false, holder: { username: 'ann', path: 'A.nc', message: 'on the mill' } });
    expect(await releaseLockAudited(w, { project: 'p', pathKey: 'a.nc', holder: 'bob' }, audit('bob', 'file.checkout_cancelled'))).toBe(
      false,
    );
    expect(await audits()).toEqual([{ username: 'ann', action: 'file.checked_out', path: 'A.nc', revision: 'B', message: 'why' }]);

    expect(await releaseLockAudited(w, { project: 'p', pathKey: 'a.nc', holder: 'ann' }, audit('ann', 'file.checkout_cancelled'))).toBe(
      true,
    );
    expect(await findLock(w.db, 'p', 'a.nc')).toBeUndefined();
    expect((await audits()).map((a) => `${a.username} ${a.action}`)).toEqual(['ann file.checked_out', 'ann file.checkout_cancelled']);
  });

  it('racing check-outs of one file: exactly one wins, with exactly one audit row', async () => {
    const w = writers[dialect]!;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        takeLockAudited(
          w,
          { project: 'p', pathKey: 'race.nc', path: 'race.nc', username: `u${i}`, message: '' },
          { username: `u${i}`, action: 'race', project: 'p' },
        ),
      ),
    );
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const rows = await w.db.selectFrom('audit').select('username').where('action', '=', 'race').execute();
    expect(rows).toEqual([{ username: winners[0]!.lock.username }]);
  });
});
