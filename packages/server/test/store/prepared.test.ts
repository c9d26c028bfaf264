import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/db.js';
import { prepared } from '../../src/store/prepared.js';
import { NEW_PROJECT } from '../../src/store/projects.js';
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';

// One definition, compiled once per dialect, bound anew on each call.
const insertProject = prepared((db, p: { slug: string; name: string; at: string }) =>
  db
    .insertInto('projects')
    .values({ ...NEW_PROJECT, slug: p.slug, name: p.name, created_at: p.at }) // the constants spread; the placeholders are named
    .onConflict((oc) => oc.column('slug').doNothing()),
);
const projectNamed = prepared((db, p: { slug: string }) => db.selectFrom('projects').select(['slug', 'name']).where('slug', '=', p.slug));
const renameProject = prepared((db, p: { slug: string; name: string }) =>
  db.updateTable('projects').set({ name: p.name }).where('slug', '=', p.slug),
);

let pgDb: TestDatabase;
const dbs: Record<string, Db> = {};
beforeAll(async () => {
  pgDb = await createTestDatabase();
  dbs.sqlite = (await openDatabase({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-prepared-')), databaseUrl: null })).db;
  dbs.postgres = (await openDatabase({ dataDir: '', databaseUrl: pgDb.url })).db;
});
afterAll(async () => {
  for (const db of Object.values(dbs)) await db.destroy();
  await pgDb.drop();
});

describe.each(['sqlite', 'postgres'])('prepared queries on %s', (dialect) => {
  it('binds each call its own values, in and out of transactions', async () => {
    const db = dbs[dialect]!;
    const at = new Date().toISOString();
    expect(await insertProject.run(db, { slug: 'alpha', name: 'Alpha', at })).toBe(1);
    expect(await insertProject.run(db, { slug: 'beta', name: "O'Brien; drop table projects", at })).toBe(1);
    expect(await insertProject.run(db, { slug: 'alpha', name: 'again', at })).toBe(0); // conflict: nothing changed
    expect(await projectNamed.first(db, { slug: 'alpha' })).toEqual({ slug: 'alpha', name: 'Alpha' });
    expect(await projectNamed.first(db, { slug: 'beta' })).toEqual({ slug: 'beta', name: "O'Brien; drop table projects" });
    expect(await projectNamed.first(db, { slug: 'gamma' })).toBeUndefined();

    await expect(
      db.transaction().execute(async (trx) => {
        expect(await renameProject.run(trx, { slug: 'alpha', name: 'Renamed' })).toBe(1);
        expect(await projectNamed.all(trx, { slug: 'alpha' })).toEqual([{ slug: 'alpha', name: 'Renamed' }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await projectNamed.first(db, { slug: 'alpha' })).toEqual({ slug: 'alpha', name: 'Alpha' });
  });
});
