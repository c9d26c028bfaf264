// GET /api/reviews's listing (services/reviews.ts) on both stores: files in review across every
// project, the caller's own requests and approvals left out, in one query however many files wait.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Review } from '@lockstep/protocol';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collisionKey } from '../../src/domain/paths.js';
import type { Actor, Services } from '../../src/services/context.js';
import { reviewsFor } from '../../src/services/reviews.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { getFileInfo, NEW_ENTRY, type FileRow } from '../../src/store/files.js';
import { insertProject, NEW_PROJECT } from '../../src/store/projects.js';
import { insertUser } from '../../src/store/users.js';
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';

const AT = '2024-05-01T08:00:00.000Z';

const review = (requestedBy: string, approvals: string[] = [], required = 1): string =>
  JSON.stringify({
    requestedBy,
    requestedAt: AT,
    comment: `from ${requestedBy}`,
    revision: 'A',
    required,
    approvals: approvals.map((user) => ({ user, at: AT, comment: 'ok' })),
  } satisfies Review);

function fileRow(project: string, p: string, extra: Partial<FileRow> = {}): FileRow {
  return {
    ...NEW_ENTRY,
    project,
    path: p,
    path_key: collisionKey(p),
    name: p.split('/').pop()!,
    grp: p.slice(0, 2),
    revision: 'A',
    description: `${p} in ${project}`,
    part_number: null,
    fields_json: '{}',
    size: 42,
    blob_sha: 'b'.repeat(40),
    commit_sha: 'c'.repeat(40),
    modified_at: AT,
    modified_by: 'maria',
    link_target: null,
    ...extra,
  };
}

/** Counts the statements a database handle runs (prepared ones too: every result passes here). */
function counting(db: Db): { db: Db; count: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: (args) => {
      n++;
      return Promise.resolve(args.result);
    },
  };
  return { db: db.withPlugin(plugin), count: () => n };
}

let pgDb: TestDatabase;
const dbs: Record<string, Db> = {};
const dirs: string[] = [];
beforeAll(async () => {
  pgDb = await createTestDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-reviews-'));
  dirs.push(dir);
  dbs.sqlite = (await openDatabase({ dataDir: dir, databaseUrl: null })).db;
  dbs.postgres = (await openDatabase({ dataDir: '', databaseUrl: pgDb.url })).db;
}, 60_000);
afterAll(async () => {
  for (const db of Object.values(dbs)) await db.destroy();
  await pgDb.drop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe.each(['sqlite', 'postgres'])('reviews awaiting approval on %s', (dialect) => {
  const actors: Record<string, Actor> = {};

  beforeAll(async () => {
    const db = dbs[dialect]!;
    for (const [username, role, approver] of [
      ['quinn', 'user', true],
      ['maria', 'user', false],
      ['boss', 'admin', false],
      ['val', 'viewer', true],
    ] as const) {
      const u = await insertUser(db, { username, passwordHash: 'x', role, approver });
      actors[username] = { id: u.id, username, role };
    }
    for (const slug of ['alpha', 'beta', 'gamma']) await insertProject(db, { ...NEW_PROJECT, slug, name: slug, created_at: AT });
    const rows = [
      fileRow('alpha', '10_a1.nc', { state: 'in_review', review_json: review('maria'), fields_json: '{"machine":"Haas"}' }),
      fileRow('alpha', '10_a2.nc', { state: 'in_review', review_json: review('quinn') }), // quinn's own request
      fileRow('alpha', '10_a3.nc', { state: 'in_review', review_json: review('maria', ['quinn'], 2) }), // quinn approved it
      fileRow('alpha', '10_a4.nc'), // work in progress
      fileRow('alpha', '10_link.nc', { state: 'in_review', link_target: '10_a1.nc', review_json: review('maria') }), // a link
      fileRow('beta', '20_b1.nc', { state: 'in_review', review_json: review('maria', ['boss'], 2), part_number: '20-1' }),
      fileRow('beta', 'sub/20_b2.nc', { state: 'in_review', review_json: review('boss'), waiting_json: '["maria"]' }),
      fileRow('beta', '20_b3.nc', { state: 'released', released_revision: 'A', released_at: AT, released_by: 'quinn' }),
    ];
    await db.insertInto('files').values(rows).execute();
    await db
      .insertInto('locks')
      .values({ project: 'alpha', path_key: collisionKey('10_a1.nc'), path: '10_a1.nc', username: 'maria', locked_at: AT, message: 'hm' })
      .execute();
  });

  const listed = async (who: string) => {
    const { db, count } = counting(dbs[dialect]!);
    const list = await reviewsFor({ db } as unknown as Services, actors[who]!);
    return { paths: list.items.map((i) => `${i.project}/${i.file.path}`), items: list.items, queries: count() };
  };

  it('lists every project’s files in review but the caller’s own requests and approvals', async () => {
    const quinn = await listed('quinn');
    expect(quinn.paths).toEqual(['alpha/10_a1.nc', 'beta/20_b1.nc', 'beta/sub/20_b2.nc']);
    const boss = await listed('boss'); // admins approve always; boss requested b2 and approved b1
    expect(boss.paths).toEqual(['alpha/10_a1.nc', 'alpha/10_a2.nc', 'alpha/10_a3.nc']);
    expect((await listed('maria')).items).toEqual([]); // not an approver
    expect((await listed('val')).items).toEqual([]); // a viewer, whatever the flag says
  });

  it('answers each file as GET …/files/:path shows it to the caller', async () => {
    const db = dbs[dialect]!;
    for (const who of ['quinn', 'boss']) {
      const { items } = await listed(who);
      for (const item of items) expect(item.file).toEqual(await getFileInfo(db, item.project, item.file.path, who));
    }
    const a1 = (await listed('quinn')).items[0]!.file;
    expect(a1).toMatchObject({ status: 'locked', lockedBy: 'maria', lockMessage: 'hm', fields: { machine: 'Haas' } });
  });

  it('takes one listing query, not one per file', async () => {
    expect((await listed('quinn')).queries).toBe(2); // the caller, then the listing
    expect((await listed('boss')).queries).toBe(2);
  });
});
