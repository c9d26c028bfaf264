/** Server parts of the web app's shop-day fixes (issue 15): accounts, identical check-ins, revision-named downloads, activity, audit filters. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { loginAs, startServer, USER_PASSWORD, type Client, type TestServer } from '../harness.js';

let server: TestServer;
let maria: Client;
let victor: Client;
const P = 'shop';
const F = '1234567_op2.nc';

beforeAll(async () => {
  server = await startServer();
  maria = await server.createUser('Maria', 'user');
  victor = await server.createUser('victor', 'viewer');
  await server.createProject(P);
  expect((await maria.upload(P, F, 'G0 X0\n')).status).toBe(201);
});
afterAll(async () => server.close());

describe('identical check-in', () => {
  test('409 unchanged unless allowUnchanged=true; nothing changes on refusal', async () => {
    expect((await maria.checkout(P, F)).status).toBe(200);
    const refused = await maria.checkin(P, F, 'G0 X0\n', { message: 'same' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('unchanged');
    expect(refused.body.error.message).toContain('identical to revision A');
    expect((await maria.get(api.file(P, F))).body).toMatchObject({ revision: 'A', lockedBy: 'Maria' });

    const form = new FormData();
    form.append('message', 'same on purpose');
    form.append('allowUnchanged', 'true');
    form.append('file', new Blob(['G0 X0\n']), F);
    const forced = await maria.request('POST', api.fileAction(P, F, 'checkin'), form);
    expect(forced.status, forced.text).toBe(200);
    expect(forced.body.revision).toBe('B');
  });
});

describe('downloads', () => {
  test('an old revision is named with its revision; the current one keeps the plain name', async () => {
    expect((await maria.checkout(P, F)).status).toBe(200);
    expect((await maria.checkin(P, F, 'G0 X1\n', { message: 'moved' })).status).toBe(200);
    const byLabel = await maria.get(api.fileContent(P, F, 'A'));
    expect(byLabel.headers.get('content-disposition')).toContain('filename="1234567_op2.A.nc"');
    const history = (await maria.get(api.fileHistory(P, F))).body as Array<{ commit: string; revision: string }>;
    const b = history.find((h) => h.revision === 'B')!;
    const byCommit = await maria.get(api.fileContent(P, F, b.commit.slice(0, 10)));
    expect(byCommit.headers.get('content-disposition')).toContain('filename="1234567_op2.B.nc"');
    const current = await maria.get(api.fileContent(P, F));
    expect(current.headers.get('content-disposition')).toContain('filename="1234567_op2.nc"');
  });
});

describe('recent activity', () => {
  test('readable by a viewer, project actions only, newest first', async () => {
    const res = await victor.get(`${api.activity}?limit=5`);
    expect(res.status, res.text).toBe(200);
    const rows = res.body as Array<{ action: string; project: string | null; user: string }>;
    expect(rows.length).toBe(5);
    expect(rows.every((r) => r.project === P)).toBe(true);
    expect(rows[0]).toMatchObject({ action: 'file.checked_in', user: 'Maria' });
    expect(rows.some((r) => r.action === 'login')).toBe(false);
  });
});

describe('audit user filter', () => {
  test('partial and case-insensitive; LIKE wildcards are literal', async () => {
    const res = await server.admin.get(`${api.audit}?user=ARI`);
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThan(0);
    expect((res.body as Array<{ user: string }>).every((r) => r.user === 'Maria')).toBe(true);
    expect((await server.admin.get(`${api.audit}?user=%25`)).body).toEqual([]);
  });
});

describe('metadata edit audit', () => {
  test('says what changed', async () => {
    const res = await server.admin.request('PATCH', api.file(P, F), { description: 'Op 2 finishing' });
    expect(res.status, res.text).toBe(200);
    const rows = (await server.admin.get(`${api.audit}?action=file.updated`)).body as Array<{ message: string }>;
    expect(rows[0]?.message).toBe('metadata edited: description: — → “Op 2 finishing”');
  });
});

describe('change password', () => {
  test('needs the current password; ends the other sessions, keeps this one', async () => {
    const other = await server.login('Maria');
    const wrong = await maria.post(api.password, { currentPassword: 'nope-nope', newPassword: 'a-new-password-2' });
    expect(wrong.status).toBe(403);
    const short = await maria.post(api.password, { currentPassword: USER_PASSWORD, newPassword: 'short' });
    expect(short.status).toBe(400);

    const ok = await maria.post(api.password, { currentPassword: USER_PASSWORD, newPassword: 'a-new-password-2' });
    expect(ok.status, ok.text).toBe(204);
    expect((await maria.get(api.me)).status).toBe(200);
    expect((await other.get(api.me)).status).toBe(401);
    await expect(loginAs(server.url, 'Maria', USER_PASSWORD)).rejects.toThrow(/401/);
    expect((await loginAs(server.url, 'Maria', 'a-new-password-2')).username).toBe('Maria');
    const audit = (await server.admin.get(`${api.audit}?action=password_changed`)).body as unknown[];
    expect(audit.length).toBe(1);
  });
});
