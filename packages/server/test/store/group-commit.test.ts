import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/db.js';
import { GroupCommit } from '../../src/store/group-commit.js';

let db: Db;
let dataDir: string;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-group-'));
  db = (await openDatabase({ dataDir, databaseUrl: null })).db;
});
afterAll(async () => {
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const addAudit = (trx: Db, action: string) =>
  trx
    .insertInto('audit')
    .values({ at: new Date().toISOString(), username: 'u', action, project: null, path: null, revision: null, message: null })
    .execute();
const actions = async () =>
  (await db.selectFrom('audit').select('action').where('action', 'like', 'unit-%').orderBy('id').execute()).map((r) => r.action);

describe('group commit on SQLite', () => {
  it('runs units of one turn in one transaction; a failing unit is rolled back alone', async () => {
    const group = new GroupCommit(db);
    const seen: Db[] = [];
    const results = await Promise.allSettled([
      group.run(async (trx) => (seen.push(trx), await addAudit(trx, 'unit-1'), 'one')),
      group.run(async (trx) => {
        seen.push(trx);
        await addAudit(trx, 'unit-2');
        throw new Error('unit 2 fails');
      }),
      group.run(async (trx) => (seen.push(trx), await addAudit(trx, 'unit-3'), 'three')),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'one',
      'unit 2 fails',
      'three',
    ]);
    expect(new Set(seen).size).toBe(1); // one shared transaction
    expect(await actions()).toEqual(['unit-1', 'unit-3']);
  });

  it('units of later turns get their own commit and see the earlier ones', async () => {
    const group = new GroupCommit(db);
    await group.run((trx) => addAudit(trx, 'unit-4'));
    const count = await group.run(
      async (trx) => (await trx.selectFrom('audit').select('id').where('action', '=', 'unit-4').execute()).length,
    );
    expect(count).toBe(1);
  });
});
