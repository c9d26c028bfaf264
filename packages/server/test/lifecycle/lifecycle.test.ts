// The release lifecycle (SPEC "Release lifecycle") against real servers: one process on SQLite,
// two processes sharing PostgreSQL. Every transition and refusal, the tag in git, the shop floor's
// default download, live events, rebuild-index restoring states and approvals from git, and a
// release request racing a check-out at varied offsets.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { frameText } from '../../src/realtime/client-messages.js';
import { ADMIN_PASSWORD, loginAs, until, type Client } from '../harness.js';
import { startInstance, type Instance } from '../instances.js';
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';

const P = 'floor';
const PASSWORD = 'lifecycle-pass-1';
const ROOT = path.resolve(import.meta.dirname, '../../../..');

describe.each(['sqlite', 'postgres'] as const)('release lifecycle on %s', (store) => {
  let database: TestDatabase | null = null;
  let dataDir: string;
  let instances: Instance[] = [];
  let admin: Client, maria: Client, quinn: Client, tom: Client, val: Client;
  /** tom's live view, on the other instance when there are two. */
  const seen: any[] = [];
  let socket: WebSocket;

  const git = (...args: string[]) =>
    execFileSync('git', ['--git-dir', path.join(dataDir, 'repos', `${P}.git`), ...args])
      .toString()
      .trim();
  const step = (c: Client, file: string, name: Parameters<typeof api.fileLifecycle>[2], body: object = {}) =>
    c.post(api.fileLifecycle(P, file, name), body);
  const info = async (file: string) => (await maria.get(api.file(P, file))).body;
  const urls = () => [instances[0]!.url, instances[instances.length - 1]!.url] as const;

  async function start() {
    if (store === 'postgres') {
      instances = [
        await startInstance({ dataDir, databaseUrl: database!.url }),
        await startInstance({ dataDir, databaseUrl: database!.url }),
      ];
    } else instances = [await startInstance({ dataDir })];
  }

  async function logins() {
    const [a, b] = urls();
    admin = await loginAs(a, 'admin', ADMIN_PASSWORD);
    maria = await loginAs(a, 'maria', PASSWORD);
    quinn = await loginAs(b, 'quinn', PASSWORD);
    tom = await loginAs(b, 'tom', PASSWORD);
    val = await loginAs(a, 'val', PASSWORD);
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `lockstep-lifecycle-${store}-`));
    if (store === 'postgres') database = await createTestDatabase();
    await start();
    admin = await loginAs(instances[0]!.url, 'admin', ADMIN_PASSWORD);
    expect((await admin.post(api.projects, { slug: P, name: 'Floor' })).status).toBe(201);
    for (const [username, role, approver] of [
      ['maria', 'user', false],
      ['quinn', 'user', true],
      ['tom', 'user', false],
      ['val', 'viewer', false],
    ] as const)
      expect((await admin.post(api.users, { username, password: PASSWORD, role, approver })).status).toBe(201);
    await logins();
    for (const name of ['1000001_op1.nc', '1000002_op2.nc', '1000003_op3.nc', '1000004_race.nc'])
      expect((await maria.upload(P, name, `O1000 (${name} rev A)\nG0 X0 Y0\n`)).status).toBe(201);
    socket = new WebSocket(`${urls()[1].replace('http', 'ws')}${api.ws}`, { headers: { cookie: tom.cookie } });
    socket.on('message', (raw) => seen.push(JSON.parse(frameText(raw))));
    await new Promise((r) => socket.once('open', r));
    socket.send(JSON.stringify({ type: 'subscribe', project: P }));
    await until('subscribed', () => seen.some((m) => m.type === 'subscribed'));
  }, 180_000);

  afterAll(async () => {
    socket.terminate();
    await Promise.all(instances.map((i) => i.stop()));
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('request → approve with an e-signature → released, tagged, what the floor gets', async () => {
    const F = '1000001_op1.nc';
    let res = await val.get(api.fileContent(P, F));
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/no released revision/);

    res = await step(maria, F, 'release-request', { comment: 'proven on the Haas' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'in_review', releasedRevision: null });
    expect(res.body.review).toMatchObject({
      requestedBy: 'maria',
      comment: 'proven on the Haas',
      revision: 'A',
      required: 1,
      approvals: [],
    });
    await until('tom sees it in review', () =>
      seen.some(
        (m) => m.type === 'file.state_changed' && m.data.path === F && m.data.to === 'in_review' && m.data.file.state === 'in_review',
      ),
    );

    // What a review forbids, and who may not approve.
    expect((await tom.checkout(P, F)).status).toBe(409);
    res = await admin.request('PATCH', api.file(P, F), { description: 'sneaky' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/in review/);
    res = await step(maria, F, 'approve', { comment: 'mine', password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/approver/); // maria has no approver flag
    expect((await step(tom, F, 'approve', { comment: 'ok', password: PASSWORD })).status).toBe(403);
    res = await step(quinn, F, 'approve', { comment: 'ok', password: 'wrong-password' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/wrong password/);
    expect((await step(quinn, F, 'approve', { comment: 'ok' })).status).toBe(400);
    expect((await step(quinn, F, 'reject', {})).status).toBe(400);
    expect((await step(quinn, F, 'reject', { comment: '' })).status).toBe(400);
    expect((await step(tom, F, 'withdraw')).status).toBe(403);
    expect((await step(quinn, F, 'release-request', { comment: 'again' })).status).toBe(409);
    const audit = (await admin.get(`${api.audit}?limit=50`)).body as Array<{ action: string; user: string }>;
    expect(audit.some((a) => a.action === 'signature_failed' && a.user === 'quinn')).toBe(true);
    expect((await info(F)).state).toBe('in_review'); // the refusals changed nothing

    res = await step(quinn, F, 'approve', { comment: 'checked the offsets', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'released', releasedRevision: 'A', releasedBy: 'quinn', review: null });
    await until('tom sees it released', () =>
      seen.some(
        (m) => m.type === 'file.state_changed' && m.data.path === F && m.data.to === 'released' && m.data.action === 'file.released',
      ),
    );

    // A tag per released revision, on the commit whose tree holds it.
    const tags = git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/tags');
    const [ref, tagged] = tags
      .split('\n')
      .find((l) => l.includes('op1'))!
      .split(' ');
    expect(ref).toBe(`refs/tags/released/${F}/A`);
    expect(git('show', `${tagged}:${F}`)).toContain('rev A');
    const history = (await maria.get(api.fileHistory(P, F))).body;
    expect(history[0]).toMatchObject({ action: 'release', state: 'released', revision: 'A', commit: tagged });
    expect(history[0].approvals).toEqual([expect.objectContaining({ user: 'quinn', comment: 'checked the offsets' })]);
    expect(history.map((h: any) => h.action)).toEqual(['release', 'release-request', 'upload']);

    res = await val.get(api.fileContent(P, F));
    expect(res.status).toBe(200);
    expect(res.text).toContain('rev A');
  });

  test('checking out a released file starts the next revision; production keeps the released one', async () => {
    const F = '1000001_op1.nc';
    expect((await maria.checkout(P, F, 'next op')).status).toBe(200);
    expect((await maria.checkin(P, F, 'O1000 (rev B, faster)\nG0 X1 Y1\n', { message: 'faster', bump: false })).status).toBe(200);
    const now = await info(F);
    expect(now).toMatchObject({ state: 'wip', revision: 'B', releasedRevision: 'A', status: 'available' });
    expect((await val.get(api.fileContent(P, F))).text).toContain('rev A');
    expect((await maria.get(api.fileContent(P, F))).text).toContain('rev B');
    expect((await maria.get(api.fileContent(P, F, 'released'))).text).toContain('rev A');
    expect((await val.get(api.fileContent(P, F, 'B'))).text).toContain('rev B'); // the floor may ask for another one
    expect((await maria.get(api.fileContent(P, F, 'A'))).text).toContain('rev A');
    const states = (await maria.get(`${api.files(P)}?state=released`)).body.items.map((f: any) => f.path);
    expect(states).toEqual([]); // op1 is wip now (rev B); A stays released
    expect((await maria.get(`${api.files(P)}?state=wip`)).body.items.map((f: any) => f.path)).toContain(F);
  });

  test('reject and withdraw return to wip; the requester may withdraw, nobody approves twice', async () => {
    const F = '1000002_op2.nc';
    expect((await step(maria, F, 'release-request', { comment: 'please' })).status).toBe(200);
    let res = await step(quinn, F, 'reject', { comment: 'feed too high at N40' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'wip', review: null });
    expect((await step(quinn, F, 'approve', { comment: 'x', password: PASSWORD })).status).toBe(409);
    expect((await step(maria, F, 'release-request', { comment: 'fixed' })).status).toBe(200);
    res = await step(maria, F, 'withdraw');
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('wip');
    const actions = (await maria.get(api.fileHistory(P, F))).body.map((h: any) => h.action);
    expect(actions).toEqual(['withdraw', 'release-request', 'reject', 'release-request', 'upload']);
  });

  test('two approvals required: the first is file.approved, the second releases', async () => {
    expect((await admin.request('PATCH', api.project(P), { approvalsRequired: 2 })).body.approvalsRequired).toBe(2);
    expect((await admin.request('PATCH', api.project(P), { approvalsRequired: 9 })).status).toBe(400);
    const F = '1000003_op3.nc';
    expect((await step(maria, F, 'release-request', { comment: 'two please' })).body.review.required).toBe(2);
    let res = await step(quinn, F, 'approve', { comment: 'one', password: PASSWORD });
    expect(res.body).toMatchObject({ state: 'in_review' });
    expect(res.body.review.approvals).toHaveLength(1);
    await until('file.approved', () => seen.some((m) => m.type === 'file.approved' && m.data.path === F && m.data.required === 2));
    expect((await step(quinn, F, 'approve', { comment: 'again', password: PASSWORD })).status).toBe(409);
    const reviews = (await admin.get(api.reviews)).body.items.map((i: any) => i.file.path);
    expect(reviews).toContain(F);
    expect((await quinn.get(api.reviews)).body.items.map((i: any) => i.file.path)).not.toContain(F); // quinn has approved
    expect((await tom.get(api.reviews)).body.items).toEqual([]); // not an approver
    res = await step(admin, F, 'approve', { comment: 'two', password: ADMIN_PASSWORD });
    expect(res.body).toMatchObject({ state: 'released', releasedRevision: 'A' });
    const release = (await maria.get(api.fileHistory(P, F))).body[0];
    expect(release.approvals.map((a: any) => a.user)).toEqual(['quinn', 'admin']);
    await admin.request('PATCH', api.project(P), { approvalsRequired: 1 });
  });

  test('obsolete and reactivate are for admins; an obsolete file is read-only and not for production', async () => {
    const F = '1000003_op3.nc';
    expect((await step(maria, F, 'obsolete', { reason: 'old machine' })).status).toBe(403);
    expect((await step(admin, F, 'obsolete', {})).status).toBe(400);
    let res = await step(admin, F, 'obsolete', { reason: 'machine scrapped' });
    expect(res.body).toMatchObject({ state: 'obsolete', releasedRevision: null });
    expect((await maria.checkout(P, F)).status).toBe(409);
    expect((await val.get(api.fileContent(P, F))).status).toBe(404);
    expect((await step(admin, F, 'obsolete', { reason: 'twice' })).status).toBe(409);
    res = await step(admin, F, 'reactivate');
    expect(res.body.state).toBe('wip');
    expect((await maria.checkout(P, F)).status).toBe(200);
    res = await step(maria, F, 'release-request', { comment: 'while checked out' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/wip|work in progress|checked out/);
    expect((await maria.post(api.fileAction(P, F, 'cancel'))).status).toBe(200);
  });

  test('a release request racing a check-out: never in review while checked out', async () => {
    const F = '1000004_race.nc';
    for (let round = 0; round < 12; round++) {
      const offset = (round % 6) * 4;
      const requester = round % 2 ? maria : quinn;
      const [req, co] = await Promise.all([
        step(requester, F, 'release-request', { comment: `round ${round}` }),
        new Promise((r) => setTimeout(r, offset)).then(() => tom.checkout(P, F)),
      ]);
      const now = await info(F);
      expect(now.state === 'in_review' && now.lockedBy !== null, `round ${round}: in review and locked`).toBe(false);
      expect(req.status === 200 && co.status === 200, `round ${round}: both succeeded`).toBe(false);
      expect([req.status, co.status].every((s) => s === 200 || s === 409)).toBe(true);
      // Back to the start: wip and free.
      if (now.state === 'in_review') expect((await step(requester, F, 'withdraw')).status).toBe(200);
      if (now.lockedBy) expect((await tom.post(api.fileAction(P, F, 'cancel'))).status).toBe(200);
    }
  });

  test('rebuild-index restores states, reviews, releases and history from git (tags and trailers)', async () => {
    expect((await step(maria, '1000002_op2.nc', 'release-request', { comment: 'pending at rebuild' })).status).toBe(200);
    const files = async () => (await maria.get(`${api.files(P)}?limit=100`)).body.items;
    const histories = async () =>
      Promise.all(['1000001_op1.nc', '1000002_op2.nc', '1000003_op3.nc'].map(async (f) => (await maria.get(api.fileHistory(P, f))).body));
    const before = { files: await files(), histories: await histories() };
    await Promise.all(instances.map((i) => i.stop()));
    if (store === 'sqlite') {
      const db = new SQLite(path.join(dataDir, 'lockstep.db'));
      db.exec('DELETE FROM files; DELETE FROM revisions;');
      db.close();
    } else {
      const client = new pg.Client({ connectionString: database!.url });
      await client.connect();
      await client.query('DELETE FROM files; DELETE FROM revisions;');
      await client.end();
    }
    execFileSync(process.execPath, ['--import', 'tsx', 'packages/server/src/cli/rebuild-index.ts', P], {
      cwd: ROOT,
      env: { ...process.env, LOCKSTEP_DATA_DIR: dataDir, ...(database ? { DATABASE_URL: database.url } : {}) },
    });
    await start();
    await logins();
    expect(await files()).toEqual(before.files);
    expect(await histories()).toEqual(before.histories);
    expect((await val.get(api.fileContent(P, '1000001_op1.nc'))).text).toContain('rev A');
  }, 120_000);
});
