import { api, type FileInfo, type FileList } from '@lockstep/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Client, type TestServer } from '../harness.js';
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';

// The listing's entries are JSON made by the database; they must be exactly what the single-entry
// route (built in JavaScript by toFileInfo) says, on both stores.
describe.each(['sqlite', 'postgres'] as const)('listing entries built by %s', (dialect) => {
  let pg: TestDatabase | undefined;
  let server: TestServer;
  let other: Client;

  beforeAll(async () => {
    if (dialect === 'postgres') pg = await createTestDatabase();
    server = await startServer({ config: pg ? { databaseUrl: pg.url } : {} });
    await server.createProject('p');
    other = await server.createUser('other', 'user');
    const admin = server.admin;
    await admin.upload('p', '1000001_op1.nc', 'G0 X1');
    await admin.upload('p', 'cell/1000002_"quoted" ünïcode\\op.nc', 'G0 X2');
    await admin.upload('p', 'fixture.dxf', 'dxf');
    // Metadata: description with newline and quotes, part number, custom fields.
    expect((await admin.checkout('p', '1000001_op1.nc')).status).toBe(200);
    const edit = await admin.request('PATCH', api.file('p', '1000001_op1.nc'), {
      description: 'line 1\n"line" 2',
      partNumber: 'PN-7',
      fields: { material: '6061 "T6"', op: '10' },
    });
    expect(edit.status).toBe(200);
    expect((await other.checkout('p', 'fixture.dxf', 'on the machine')).status).toBe(200);
    expect((await admin.post(api.links('p'), { path: '1000009_link.nc', target: 'fixture.dxf' })).status).toBe(201);
  });
  afterAll(async () => {
    // Unset when beforeAll failed early; the database must still be dropped.
    await (server as TestServer | undefined)?.close();
    await pg?.drop();
  });

  it('equals the single-entry view for every entry and viewer, across sorts and pages', async () => {
    for (const viewer of [server.admin, other]) {
      for (const sort of ['group', 'name', 'path', 'modified', 'revision', 'status']) {
        const items: FileInfo[] = [];
        let cursor: string | null = null;
        do {
          const res: { status: number; body: FileList } = await viewer.get<FileList>(
            `${api.files('p')}?limit=2&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`,
          );
          expect(res.status).toBe(200);
          expect(res.body.total).toBe(4);
          items.push(...res.body.items);
          cursor = res.body.nextCursor;
        } while (cursor);
        expect(items).toHaveLength(4);
        for (const item of items) {
          const single = await viewer.get<FileInfo>(api.file('p', item.path));
          expect(item).toEqual(single.body);
          expect(Object.keys(item)).toEqual(Object.keys(single.body));
        }
      }
    }
    const mine = (await server.admin.get<FileList>(api.files('p'))).body.items;
    expect(mine.find((f) => f.path === '1000001_op1.nc')).toMatchObject({
      status: 'checked_out_by_me',
      lockMessage: '',
      partNumber: 'PN-7',
      fields: { material: '6061 "T6"', op: '10' },
    });
    expect(mine.find((f) => f.path === '1000009_link.nc')).toMatchObject({
      link: 'fixture.dxf',
      status: 'locked',
      lockedBy: 'other',
      lockMessage: 'on the machine',
    });
    expect(mine.find((f) => f.path === 'fixture.dxf')).not.toHaveProperty('link');
  });
});
