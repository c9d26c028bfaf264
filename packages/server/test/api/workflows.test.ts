import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { startServer, type Client, type TestServer } from '../harness.js';

let server: TestServer;
let alice: Client;
let bob: Client;
let viewer: Client;
const P = 'shop';
const F = 'mill/1234567_op1.mcam';

beforeAll(async () => {
  server = await startServer();
  alice = await server.createUser('alice', 'user');
  bob = await server.createUser('bob', 'user');
  viewer = await server.createUser('vera', 'viewer');
  await server.createProject(P, 'Shop floor');
});
afterAll(async () => server.close());

const git = (...args: string[]) => execFileSync('git', ['--git-dir', path.join(server.dataDir, 'repos', `${P}.git`), ...args]).toString();

describe('upload', () => {
  test('creates revision A in group 12XXXXX with description and part number', async () => {
    const res = await alice.upload(P, '1234567_op1.mcam', Buffer.from([0, 1, 2, 255]), { path: F, description: 'First op' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      path: F,
      name: '1234567_op1.mcam',
      group: '12XXXXX',
      revision: 'A',
      description: 'First op',
      partNumber: '1234567',
      size: 4,
      status: 'available',
      modifiedBy: 'alice',
      lockedBy: null,
    });
    expect(res.body.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  test('path defaults to the file name; other names go to Miscellaneous', async () => {
    const res = await alice.upload(P, 'fixture plate.dxf', 'dxf');
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ path: 'fixture plate.dxf', group: 'Miscellaneous', partNumber: null });
  });

  test('a viewer may not upload', async () => {
    const res = await viewer.upload(P, '7654321.nc', 'x');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});

describe('listing', () => {
  test('groups, search, status filter, sort and paging', async () => {
    for (let i = 0; i < 5; i++) expect((await alice.upload(P, `99000${i}0_part.nc`, `n${i}`)).status).toBe(201);
    const all = await bob.get(`${api.files(P)}?limit=3`);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(7);
    expect(all.body.items).toHaveLength(3);
    expect(all.body.items[0].group).toBe('12XXXXX'); // default sort: group, then path
    const page2 = await bob.get(`${api.files(P)}?limit=3&cursor=${all.body.nextCursor}`);
    const page3 = await bob.get(`${api.files(P)}?limit=3&cursor=${page2.body.nextCursor}`);
    expect(page3.body.items).toHaveLength(1);
    expect(page3.body.nextCursor).toBeNull();
    const paths = [...all.body.items, ...page2.body.items, ...page3.body.items].map((f: any) => f.path);
    expect(new Set(paths).size).toBe(7);

    const groups = await bob.get(api.groups(P));
    expect(groups.body).toEqual([
      { group: '12XXXXX', count: 1, locked: 0 },
      { group: '99XXXXX', count: 5, locked: 0 },
      { group: 'Miscellaneous', count: 1, locked: 0 },
    ]);
    const search = await bob.get(`${api.files(P)}?q=FIRST%20op`);
    expect(search.body.items.map((f: any) => f.path)).toEqual([F]);
    // every sort pages through all entries exactly once (keyset for group/name/path, offset for the rest)
    for (const sort of ['name', 'path', 'modified', '-modified', 'revision', 'status']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await bob.get(`${api.files(P)}?sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status, res.text).toBe(200);
        expect(res.body.total).toBe(7);
        seen.push(...res.body.items.map((f: any) => f.path));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen, sort).toHaveLength(7);
      expect(new Set(seen).size, sort).toBe(7);
    }
    const nameSorted = await bob.get(`${api.files(P)}?sort=name&limit=100`);
    const names = nameSorted.body.items.map((f: any) => f.name);
    expect(names).toEqual([...names].sort());
    // a cursor from one sort is refused by another
    expect((await bob.get(`${api.files(P)}?sort=modified&cursor=${all.body.nextCursor}`)).status).toBe(400);
    const byGroup = await bob.get(`${api.files(P)}?group=99XXXXX&sort=-modified`);
    expect(byGroup.body.total).toBe(5);
    expect(byGroup.body.items[0].path).toBe('9900040_part.nc');
  });
});

describe('check-out / check-in', () => {
  test('check-out locks; others get 409 naming the holder and see status locked', async () => {
    const co = await alice.checkout(P, F, 'changing feeds');
    expect(co.status, co.text).toBe(200);
    expect(co.body).toMatchObject({ status: 'checked_out_by_me', lockedBy: 'alice', lockMessage: 'changing feeds' });
    const again = await bob.checkout(P, F);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'lock_conflict', holder: 'alice' });
    expect(again.body.error.message).toContain('alice');
    const seen = await bob.get(api.file(P, F));
    expect(seen.body).toMatchObject({ status: 'locked', lockedBy: 'alice', lockMessage: 'changing feeds' });
    const mine = await alice.get(`${api.files(P)}?status=checked_out_by_me`);
    expect(mine.body.items.map((f: any) => f.path)).toEqual([F]);
    const locks = await bob.get(`${api.locks}?project=${P}`);
    expect(locks.body).toEqual([expect.objectContaining({ project: P, path: F, user: 'alice', message: 'changing feeds' })]);
  });

  test('only the holder checks in; a message is required', async () => {
    const notHolder = await bob.checkin(P, F, 'evil', { message: 'mine now' });
    expect(notHolder.status).toBe(409);
    expect(notHolder.body.error).toMatchObject({ code: 'not_lock_holder', holder: 'alice' });
    const noMessage = await alice.checkin(P, F, 'v2', { message: '  ' });
    expect(noMessage.status).toBe(400);
    expect(git('rev-list', '--count', 'main').trim()).toBe('8'); // 7 uploads + the .gitattributes set-up
  });

  test('check-in bumps the revision, keeps the lock when asked, and is one commit by the user', async () => {
    const kept = await alice.checkin(P, F, Buffer.from('revision B content'), { message: 'Feed rate 1200', keep: true });
    expect(kept.status, kept.text).toBe(200);
    expect(kept.body).toMatchObject({ revision: 'B', status: 'checked_out_by_me', size: 18 });
    const small = await alice.checkin(P, F, 'revision B, small fix', { message: 'typo', bump: false });
    expect(small.status, small.text).toBe(200);
    expect(small.body).toMatchObject({ revision: 'B', status: 'available', lockedBy: null });
    const log = git(
      'log',
      '-2',
      '--format=%an <%ae>|%s|%(trailers:key=Revision,valueonly,separator=)|%(trailers:key=Lockstep-Action,valueonly,separator=)',
      'main',
    );
    expect(
      log
        .split('\n')
        .filter(Boolean)
        .map((l) => l.trim()),
    ).toEqual(['alice <alice@lockstep.local>|typo|B|checkin', 'alice <alice@lockstep.local>|Feed rate 1200|B|checkin']);
  });

  test('cancel: holder only', async () => {
    expect((await bob.checkout(P, F)).status).toBe(200);
    const byAlice = await alice.post(api.fileAction(P, F, 'cancel'));
    expect(byAlice.status).toBe(409);
    expect(byAlice.body.error.holder).toBe('bob');
    const byBob = await bob.post(api.fileAction(P, F, 'cancel'));
    expect(byBob.status).toBe(200);
    expect(byBob.body.status).toBe('available');
  });

  test('override: admin only, reason required, lock released', async () => {
    expect((await bob.checkout(P, F, 'lunch')).status).toBe(200);
    expect((await alice.post(api.fileAction(P, F, 'override'), { reason: 'x' })).status).toBe(403);
    expect((await server.admin.post(api.fileAction(P, F, 'override'), {})).status).toBe(400);
    const res = await server.admin.post(api.fileAction(P, F, 'override'), { reason: 'bob is on holiday' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.lockedBy).toBeNull();
    const audit = await server.admin.get(`${api.audit}?action=file.lock_overridden`);
    expect(audit.body[0]).toMatchObject({ user: 'admin', path: F, message: 'lock of bob overridden: bob is on holiday' });
  });
});

describe('history and downloads', () => {
  test('history lists every revision; any revision downloads byte-for-byte', async () => {
    const hist = await viewer.get(api.fileHistory(P, F));
    expect(hist.status).toBe(200);
    expect(hist.body.map((h: any) => [h.revision, h.action, h.author])).toEqual([
      ['B', 'checkin', 'alice'],
      ['B', 'checkin', 'alice'],
      ['A', 'upload', 'alice'],
    ]);
    const a = await fetch(`${server.url}${api.fileContent(P, F, 'A')}`, { headers: viewer.headers() });
    expect(Buffer.from(await a.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(a.headers.get('content-disposition')).toContain('filename="1234567_op1.A.mcam"');
    expect(a.headers.get('content-type')).toBe('application/octet-stream');
    const byCommit = await fetch(`${server.url}${api.fileContent(P, F, hist.body[1].commit)}`, { headers: viewer.headers() });
    expect(await byCommit.text()).toBe('revision B content');
    const current = await fetch(`${server.url}${api.fileContent(P, F)}`, { headers: alice.headers() });
    expect(await current.text()).toBe('revision B, small fix');
    // The shop floor gets the released revision by default, and there is none yet.
    const floor = await viewer.get(api.fileContent(P, F));
    expect(floor.status).toBe(404);
    expect(floor.body.error.message).toMatch(/no released revision/);
    expect((await viewer.get(api.fileContent(P, F, 'Q'))).status).toBe(404);
  });
});

describe('metadata, links, delete', () => {
  test('metadata edit: holder or admin, one commit, revision unchanged', async () => {
    const notHolder = await alice.request('PATCH', api.file(P, F), { description: 'x' });
    expect(notHolder.status).toBe(403);
    expect((await alice.checkout(P, F)).status).toBe(200);
    const edit = await alice.request('PATCH', api.file(P, F), { description: 'Op 1, soft jaws', fields: { machine: 'Haas VF2' } });
    expect(edit.status, edit.text).toBe(200);
    expect(edit.body).toMatchObject({
      description: 'Op 1, soft jaws',
      fields: { machine: 'Haas VF2' },
      revision: 'B',
      status: 'checked_out_by_me',
    });
    const meta = JSON.parse(git('show', `main:.lockstep/${F}.json`));
    expect(meta).toMatchObject({ description: 'Op 1, soft jaws', fields: { machine: 'Haas VF2' }, revision: 'B' });
    const admin = await server.admin.request('PATCH', api.file(P, F), { partNumber: '1234567-B' });
    expect(admin.status).toBe(200);
    expect((await alice.post(api.fileAction(P, F, 'cancel'))).status).toBe(200);
  });

  test('a link lists with its target status; checking out the link locks the target', async () => {
    const link = await alice.post(api.links(P), { path: '7777777_op1.mcam', target: F });
    expect(link.status, link.text).toBe(201);
    expect(link.body).toMatchObject({ path: '7777777_op1.mcam', link: F, revision: 'B', group: '77XXXXX' });
    const co = await bob.checkout(P, '7777777_op1.mcam', 'via link');
    expect(co.status, co.text).toBe(200);
    expect(co.body).toMatchObject({ status: 'checked_out_by_me', lockedBy: 'bob' });
    const target = await alice.get(api.file(P, F));
    expect(target.body).toMatchObject({ status: 'locked', lockedBy: 'bob' });
    expect((await alice.checkout(P, F)).body.error.holder).toBe('bob');
    const content = await fetch(`${server.url}${api.fileContent(P, '7777777_op1.mcam')}`, { headers: alice.headers() });
    expect(await content.text()).toBe('revision B, small fix');
    expect((await bob.post(api.fileAction(P, '7777777_op1.mcam', 'cancel'))).status).toBe(200);
    const toLink = await alice.post(api.links(P), { path: '8888888.mcam', target: '7777777_op1.mcam' });
    expect(toLink.status).toBe(400);
  });

  test('delete: admin only; a commit removes it and history is kept', async () => {
    expect((await alice.request('DELETE', api.file(P, 'fixture plate.dxf'))).status).toBe(403);
    expect((await server.admin.request('DELETE', api.file(P, F))).status).toBe(409); // a link points at it
    const res = await server.admin.request('DELETE', api.file(P, 'fixture plate.dxf'));
    expect(res.status).toBe(204);
    expect((await alice.get(api.file(P, 'fixture plate.dxf'))).status).toBe(404);
    expect(git('ls-tree', '--name-only', 'main')).not.toContain('fixture plate.dxf');
    const hist = await alice.get(api.fileHistory(P, 'fixture plate.dxf'));
    expect(hist.body.map((h: any) => h.action)).toEqual(['delete', 'upload']);
    const old = await fetch(`${server.url}${api.fileContent(P, 'fixture plate.dxf', 'A')}`, { headers: alice.headers() });
    expect(await old.text()).toBe('dxf');
  });
});

describe('git repository', () => {
  test('a clone shows one commit per change, authored by the user', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-clone-'));
    execFileSync('git', ['clone', '-q', path.join(server.dataDir, 'repos', `${P}.git`), dir]);
    const authors = execFileSync('git', ['-C', dir, 'log', '--format=%an|%(trailers:key=Lockstep-Action,valueonly,separator=)'])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean);
    // the .gitattributes set-up, 7 uploads, 2 check-ins, 2 metadata edits, 1 link, 1 delete
    expect(authors).toHaveLength(14);
    expect(authors.filter((a) => a.startsWith('alice|')).length).toBe(11);
    expect(authors[0]).toBe('admin|delete');
    expect(fs.readFileSync(path.join(dir, F), 'utf8')).toBe('revision B, small fix');
    expect(execFileSync('git', ['-C', dir, 'fsck', '--no-progress', '--no-dangling']).toString()).toBe('');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('audit', () => {
  test('every state change is audited; filters and CSV export for admins only', async () => {
    const res = await server.admin.get(`${api.audit}?project=${P}&user=alice`);
    const actions = res.body.map((r: any) => r.action);
    for (const a of ['file.uploaded', 'file.checked_out', 'file.checked_in', 'file.checkout_cancelled', 'file.updated', 'file.linked'])
      expect(actions).toContain(a);
    expect((await alice.get(api.audit)).status).toBe(403);
    const csv = await server.admin.get(`${api.auditCsv}?action=file.deleted`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,at,user,action,project,path,revision,message');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"file.deleted","shop","fixture plate.dxf"');
  });
});
