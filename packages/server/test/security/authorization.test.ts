/**
 * Who may call what: ONE table of every /api route × {anonymous, viewer, user, other, admin},
 * replayed against a real server. `user` holds the locks of the prepared files; `other` is a
 * second `user` who does not. The table must list exactly the routes the server registers.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { ADMIN_PASSWORD, Client, USER_PASSWORD, loginAs, send, startServer, type Response, type TestServer } from '../harness.js';

type Who = 'anonymous' | 'viewer' | 'user' | 'other' | 'admin';
const ALL: Who[] = ['anonymous', 'viewer', 'other', 'user', 'admin'];

interface Row {
  method: string;
  /** The route pattern exactly as registered (app.routes[].url). */
  url: string;
  expect: Record<Who, number>;
  /** Order the roles are tried in (state-changing rows put the winner last). */
  order?: Who[];
  /** Values for :project, :path, :id (default project "p", path "free.mcam"). */
  params?: (who: Who) => Record<string, string | number>;
  body?: (who: Who) => unknown;
  /** Use a throwaway session for this role (e.g. logout). */
  fresh?: boolean;
  /** Expected error.code per role where it is not the default for the status. */
  codes?: Partial<Record<Who, string>>;
  /** Expected error.holder per role on 409. */
  holder?: Partial<Record<Who, string>>;
  /** Checks after the whole row ran. */
  verify?: () => Promise<void>;
}

let server: TestServer;
const clients = {} as Record<Exclude<Who, 'anonymous'>, Client>;
const ids = { victimPatch: 0, victimDelete: 0 };
const tokenIds = {} as Record<Who, number>;

const form = (name: string, content: string, fields: Record<string, string> = {}) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  f.append('file', new Blob([content]), name);
  return f;
};

const R = (anonymous: number, viewer: number, other: number, user: number, admin: number): Record<Who, number> => ({
  anonymous,
  viewer,
  other,
  user,
  admin,
});
const READ = R(401, 200, 200, 200, 200);
const ADMIN_ONLY = (ok: number) => R(401, 403, 403, 403, ok);

const TABLE: Row[] = [
  { method: 'GET', url: '/api/health', expect: R(200, 200, 200, 200, 200) },
  {
    method: 'POST',
    url: '/api/auth/login',
    expect: R(200, 200, 200, 200, 200),
    body: () => ({ username: 'viewer1', password: USER_PASSWORD }),
  },
  { method: 'POST', url: '/api/auth/logout', expect: R(401, 204, 204, 204, 204), fresh: true },
  { method: 'GET', url: '/api/auth/me', expect: READ },
  { method: 'GET', url: '/api/activity', expect: READ },
  {
    // Every signed-in role reaches it (read access); a body without the new password is a 400 that changes nothing.
    method: 'POST',
    url: '/api/auth/password',
    expect: R(401, 400, 400, 400, 400),
    body: () => ({ currentPassword: 'not-the-password' }),
    codes: { viewer: 'validation', user: 'validation', other: 'validation', admin: 'validation' },
  },
  { method: 'GET', url: '/api/tokens', expect: READ },
  { method: 'POST', url: '/api/tokens', expect: R(401, 201, 201, 201, 201), body: (w) => ({ name: `table-${w}` }) },
  {
    method: 'DELETE',
    url: '/api/tokens/:id',
    expect: R(401, 204, 204, 204, 204),
    params: (w) => ({ id: tokenIds[w === 'anonymous' ? 'user' : w] }),
  },
  { method: 'GET', url: '/api/projects', expect: READ },
  {
    method: 'POST',
    url: '/api/projects',
    expect: ADMIN_ONLY(201),
    body: (w) => ({ slug: `new-${w}`, name: `new ${w}` }),
    verify: async () => {
      const list = (await clients.admin.get(api.projects)).body as Array<{ slug: string }>;
      expect(list.map((p) => p.slug).filter((s) => s.startsWith('new-'))).toEqual(['new-admin']);
    },
  },
  { method: 'GET', url: '/api/projects/:project', expect: READ },
  {
    method: 'PATCH',
    url: '/api/projects/:project',
    expect: ADMIN_ONLY(200),
    body: (w) => ({ description: `by ${w}` }),
    verify: async () => expect((await clients.admin.get(api.project('p'))).body.description).toBe('by admin'),
  },
  {
    method: 'DELETE',
    url: '/api/projects/:project',
    expect: ADMIN_ONLY(204),
    params: () => ({ project: 'trash' }),
    verify: async () => expect((await clients.admin.get(api.project('trash'))).status).toBe(404),
  },
  {
    // Admin passes the role check; project "p" has no remote, so the service answers 409.
    method: 'POST',
    url: '/api/projects/:project/sync',
    expect: ADMIN_ONLY(409),
    codes: { admin: 'conflict' },
  },
  { method: 'GET', url: '/api/projects/:project/files', expect: READ },
  { method: 'GET', url: '/api/projects/:project/groups', expect: READ },
  {
    method: 'POST',
    url: '/api/projects/:project/files',
    expect: R(401, 403, 201, 201, 201),
    body: (w) => form(`up-${w}.mcam`, `by ${w}`),
    verify: async () => {
      expect((await clients.admin.get(api.file('p', 'up-viewer.mcam'))).status).toBe(404);
      expect((await clients.admin.get(api.file('p', 'up-other.mcam'))).body.modifiedBy).toBe('other1');
    },
  },
  { method: 'GET', url: '/api/projects/:project/files/:path', expect: READ },
  // The shop floor gets the released revision by default, and free.mcam has none.
  { method: 'GET', url: '/api/projects/:project/files/:path/content', expect: R(401, 404, 200, 200, 200) },
  { method: 'GET', url: '/api/projects/:project/files/:path/history', expect: READ },
  { method: 'GET', url: '/api/projects/:project/files/:path/diff', expect: READ },
  { method: 'GET', url: '/api/projects/:project/files/:path/preview', expect: READ, params: () => ({ project: 'p', path: 'read.nc' }) },
  {
    // An available file: the first writer wins, everyone after gets 409 naming them.
    method: 'POST',
    url: '/api/projects/:project/files/:path/checkout',
    order: ['anonymous', 'viewer', 'user', 'other', 'admin'],
    expect: R(401, 403, 409, 200, 409),
    params: () => ({ project: 'p', path: 'co.mcam' }),
    body: (w) => ({ message: `by ${w}` }),
    codes: { other: 'lock_conflict', admin: 'lock_conflict' },
    holder: { other: 'user1', admin: 'user1' },
    verify: async () => {
      const f = (await clients.other.get(api.file('p', 'co.mcam'))).body;
      expect([f.status, f.lockedBy, f.lockMessage]).toEqual(['locked', 'user1', 'by user']);
    },
  },
  {
    method: 'POST',
    url: '/api/projects/:project/files/:path/checkin',
    order: ['anonymous', 'viewer', 'other', 'admin', 'user'],
    expect: R(401, 403, 409, 200, 409),
    params: () => ({ project: 'p', path: 'held-checkin.mcam' }),
    body: (w) => form('held-checkin.mcam', `content by ${w}`, { message: `checkin by ${w}` }),
    codes: { other: 'not_lock_holder', admin: 'not_lock_holder' },
    holder: { other: 'user1', admin: 'user1' },
    verify: async () => {
      const f = (await clients.admin.get(api.file('p', 'held-checkin.mcam'))).body;
      expect([f.revision, f.status, f.modifiedBy]).toEqual(['B', 'available', 'user1']);
      const h = (await clients.admin.get(api.fileHistory('p', 'held-checkin.mcam'))).body as Array<{ author: string }>;
      expect(h.map((e) => e.author)).toEqual(['user1', 'admin']);
      expect((await clients.admin.get(api.fileContent('p', 'held-checkin.mcam'))).text).toBe('content by user');
    },
  },
  {
    method: 'POST',
    url: '/api/projects/:project/files/:path/cancel',
    order: ['anonymous', 'viewer', 'other', 'admin', 'user'],
    expect: R(401, 403, 409, 200, 409),
    params: () => ({ project: 'p', path: 'held-cancel.mcam' }),
    codes: { other: 'not_lock_holder', admin: 'not_lock_holder' },
    holder: { other: 'user1', admin: 'user1' },
    verify: async () => expect((await clients.admin.get(api.file('p', 'held-cancel.mcam'))).body.status).toBe('available'),
  },
  {
    method: 'POST',
    url: '/api/projects/:project/files/:path/override',
    order: ['anonymous', 'viewer', 'other', 'user', 'admin'],
    expect: ADMIN_ONLY(200),
    params: () => ({ project: 'p', path: 'held-override.mcam' }),
    body: (w) => ({ reason: `by ${w}` }),
    verify: async () => expect((await clients.admin.get(api.file('p', 'held-override.mcam'))).body.status).toBe('available'),
  },
  {
    // Holder or admin.
    method: 'PATCH',
    url: '/api/projects/:project/files/:path',
    order: ['anonymous', 'viewer', 'other', 'user', 'admin'],
    expect: R(401, 403, 403, 200, 200),
    params: () => ({ project: 'p', path: 'held-patch.mcam' }),
    body: (w) => ({ description: `by ${w}` }),
    verify: async () => {
      const f = (await clients.admin.get(api.file('p', 'held-patch.mcam'))).body;
      expect([f.description, f.lockedBy]).toEqual(['by admin', 'user1']);
    },
  },
  {
    method: 'DELETE',
    url: '/api/projects/:project/files/:path',
    expect: ADMIN_ONLY(204),
    params: () => ({ project: 'p', path: 'trash.mcam' }),
    verify: async () => expect((await clients.admin.get(api.file('p', 'trash.mcam'))).status).toBe(404),
  },
  {
    method: 'POST',
    url: '/api/projects/:project/links',
    expect: R(401, 403, 201, 201, 201),
    body: (w) => ({ path: `link-${w}.mcam`, target: 'free.mcam' }),
  },
  { method: 'GET', url: '/api/users', expect: ADMIN_ONLY(200) },
  {
    method: 'POST',
    url: '/api/users',
    expect: ADMIN_ONLY(201),
    body: (w) => ({ username: `new-${w}`, password: 'password-123', role: 'admin' }),
    verify: async () => {
      const users = (await clients.admin.get(api.users)).body as Array<{ username: string }>;
      expect(users.map((u) => u.username).filter((n) => n.startsWith('new-'))).toEqual(['new-admin']);
    },
  },
  {
    method: 'PATCH',
    url: '/api/users/:id',
    expect: ADMIN_ONLY(200),
    params: () => ({ id: ids.victimPatch }),
    body: (w) => ({ role: w === 'admin' ? 'user' : 'admin' }),
    verify: async () => {
      const users = (await clients.admin.get(api.users)).body as Array<{ username: string; role: string }>;
      expect(users.find((u) => u.username === 'victim-patch')?.role).toBe('user');
    },
  },
  {
    method: 'DELETE',
    url: '/api/users/:id',
    expect: ADMIN_ONLY(200),
    params: () => ({ id: ids.victimDelete }),
    verify: async () => {
      const users = (await clients.admin.get(api.users)).body as Array<{ username: string; disabled: boolean }>;
      expect(users.find((u) => u.username === 'victim-delete')?.disabled).toBe(true);
    },
  },
  { method: 'GET', url: '/api/locks', expect: READ },
  { method: 'GET', url: '/api/notifications', expect: READ },
  { method: 'POST', url: '/api/notifications/read', expect: R(401, 200, 200, 200, 200), body: () => ({ all: true }) },
  {
    method: 'PATCH',
    url: '/api/auth/me',
    expect: R(401, 200, 200, 200, 200),
    body: (w) => ({ email: `${w}@example.com` }),
    verify: async () => expect((await clients.viewer.get(api.me)).body.user.email).toBe('viewer@example.com'),
  },
  {
    // Held by user1: the holder cannot wait for it, viewers cannot check out.
    method: 'POST',
    url: '/api/projects/:project/files/:path/watch',
    order: ['anonymous', 'viewer', 'user', 'other', 'admin'],
    expect: R(401, 403, 200, 409, 200),
    params: () => ({ project: 'p', path: 'held-watch.mcam' }),
    codes: { user: 'conflict' },
    verify: async () => expect((await clients.admin.get(api.file('p', 'held-watch.mcam'))).body.waiting).toEqual(['other1', 'admin']),
  },
  {
    method: 'DELETE',
    url: '/api/projects/:project/files/:path/watch',
    expect: R(401, 403, 200, 200, 200),
    params: () => ({ project: 'p', path: 'held-watch.mcam' }),
    verify: async () => expect((await clients.admin.get(api.file('p', 'held-watch.mcam'))).body.waiting).toEqual([]),
  },
  {
    // The first writer requests the release; after it the file is in review (409 naming the state).
    method: 'POST',
    url: '/api/projects/:project/files/:path/release-request',
    expect: R(401, 403, 200, 409, 409),
    params: () => ({ project: 'p', path: 'rel-request.mcam' }),
    body: () => ({ comment: 'please' }),
    codes: { user: 'conflict', admin: 'conflict' },
    verify: async () => expect((await clients.admin.get(api.file('p', 'rel-request.mcam'))).body.review.requestedBy).toBe('other1'),
  },
  {
    // Requested by other1; user1 has no approver flag; admins always approve (their own password).
    method: 'POST',
    url: '/api/projects/:project/files/:path/approve',
    expect: R(401, 403, 403, 403, 200),
    params: () => ({ project: 'p', path: 'rel-approve.mcam' }),
    body: (w) => ({ comment: 'ok', password: w === 'admin' ? ADMIN_PASSWORD : USER_PASSWORD }),
    verify: async () => expect((await clients.admin.get(api.file('p', 'rel-approve.mcam'))).body.state).toBe('released'),
  },
  {
    method: 'POST',
    url: '/api/projects/:project/files/:path/reject',
    expect: R(401, 403, 403, 403, 200),
    params: () => ({ project: 'p', path: 'rel-reject.mcam' }),
    body: () => ({ comment: 'not yet' }),
  },
  {
    // Only the requester (other1) or an admin withdraws; after it the file is wip again.
    method: 'POST',
    url: '/api/projects/:project/files/:path/withdraw',
    order: ['anonymous', 'viewer', 'user', 'other', 'admin'],
    expect: R(401, 403, 200, 403, 409),
    params: () => ({ project: 'p', path: 'rel-withdraw.mcam' }),
    codes: { admin: 'conflict' },
  },
  {
    method: 'POST',
    url: '/api/projects/:project/files/:path/obsolete',
    expect: ADMIN_ONLY(200),
    params: () => ({ project: 'p', path: 'rel-obsolete.mcam' }),
    body: () => ({ reason: 'retired' }),
  },
  {
    method: 'POST',
    url: '/api/projects/:project/files/:path/reactivate',
    expect: ADMIN_ONLY(200),
    params: () => ({ project: 'p', path: 'rel-reactivate.mcam' }),
  },
  { method: 'GET', url: '/api/reviews', expect: READ },
  { method: 'GET', url: '/api/audit', expect: ADMIN_ONLY(200) },
  { method: 'GET', url: '/api/audit.csv', expect: ADMIN_ONLY(200) },
];

const DEFAULT_CODE: Record<number, string> = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found' };

function concreteUrl(pattern: string, params: Record<string, string | number>): string {
  return pattern.replace(/:(\w+)/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for :${name} in ${pattern}`);
    return encodeURIComponent(String(v));
  });
}

async function call(who: Who, row: Row): Promise<Response> {
  const url = concreteUrl(row.url, { project: 'p', path: 'free.mcam', ...row.params?.(who) });
  const body = row.body?.(who);
  if (who === 'anonymous') {
    const init: RequestInit = { method: row.method, headers: {} };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    return send(`${server.url}${url}`, init);
  }
  const client = row.fresh ? await server.login(clients[who].username, who === 'admin' ? ADMIN_PASSWORD : USER_PASSWORD) : clients[who];
  return client.request(row.method, url, body);
}

beforeAll(async () => {
  server = await startServer();
  clients.admin = server.admin;
  clients.viewer = await server.createUser('viewer1', 'viewer');
  clients.user = await server.createUser('user1', 'user');
  clients.other = await server.createUser('other1', 'user');
  await server.createUser('victim-patch', 'viewer');
  await server.createUser('victim-delete', 'viewer');
  const users = (await server.admin.get(api.users)).body as Array<{ id: number; username: string }>;
  ids.victimPatch = users.find((u) => u.username === 'victim-patch')!.id;
  ids.victimDelete = users.find((u) => u.username === 'victim-delete')!.id;
  await server.createProject('p');
  await server.createProject('trash');
  for (const name of [
    'free.mcam',
    'co.mcam',
    'held-checkin.mcam',
    'held-cancel.mcam',
    'held-patch.mcam',
    'held-override.mcam',
    'held-watch.mcam',
    'trash.mcam',
    'csrf.mcam',
    'read.nc',
    'rel-request.mcam',
    'rel-approve.mcam',
    'rel-reject.mcam',
    'rel-withdraw.mcam',
    'rel-obsolete.mcam',
    'rel-reactivate.mcam',
  ]) {
    const r = await server.admin.upload('p', name, `content of ${name}`);
    if (r.status !== 201) throw new Error(`upload ${name}: ${r.status} ${r.text}`);
  }
  for (const name of ['held-checkin.mcam', 'held-cancel.mcam', 'held-patch.mcam', 'held-override.mcam', 'held-watch.mcam']) {
    const r = await clients.user.checkout('p', name);
    if (r.status !== 200) throw new Error(`checkout ${name}: ${r.status} ${r.text}`);
  }
  for (const name of ['rel-approve.mcam', 'rel-reject.mcam', 'rel-withdraw.mcam']) {
    const r = await clients.other.post(api.fileLifecycle('p', name, 'release-request'), { comment: 'ready' });
    if (r.status !== 200) throw new Error(`release-request ${name}: ${r.status} ${r.text}`);
  }
  const obsoleted = await server.admin.post(api.fileLifecycle('p', 'rel-reactivate.mcam', 'obsolete'), { reason: 'for the test' });
  if (obsoleted.status !== 200) throw new Error(`obsolete: ${obsoleted.status} ${obsoleted.text}`);
  for (const who of ['viewer', 'user', 'other', 'admin'] as const) {
    const r = await clients[who].post(api.tokens, { name: `for-delete-${who}` });
    if (r.status !== 201) throw new Error(`token ${who}: ${r.status} ${r.text}`);
    tokenIds[who] = r.body.id;
  }
});
afterAll(async () => server.close());

describe('route table', () => {
  const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

  test('lists exactly the routes the server registers', () => {
    const registered = server.app.routes.map(key).sort();
    const listed = TABLE.map(key).sort();
    expect(new Set(listed).size, 'duplicate rows in the table').toBe(listed.length);
    expect(
      registered.filter((k) => !listed.includes(k)),
      'routes missing from the authorization table',
    ).toEqual([]);
    expect(
      listed.filter((k) => !registered.includes(k)),
      'table rows for routes the server does not have',
    ).toEqual([]);
  });

  test("agrees with each route's declared access rule", () => {
    for (const route of server.app.routes) {
      const row = TABLE.find((r) => key(r) === key(route))!;
      const e = row.expect;
      if (route.access === 'public') {
        expect(e.anonymous, key(route)).not.toBe(401);
        continue;
      }
      expect(e.anonymous, key(route)).toBe(401);
      expect(e.viewer === 403, key(route)).toBe(route.access !== 'read');
      expect(e.user === 403 && e.other === 403, key(route)).toBe(route.access === 'admin');
      expect([401, 403], key(route)).not.toContain(e.admin);
    }
  });
});

describe.each(TABLE.map((row) => [`${row.method} ${row.url}`, row] as const))('%s', (_name, row) => {
  test('each role gets its expected status', async () => {
    const order = row.order ?? ALL;
    expect([...order].sort()).toEqual([...ALL].sort());
    const got: Partial<Record<Who, number>> = {};
    for (const who of order) {
      const res = await call(who, row);
      got[who] = res.status;
      const want = row.expect[who];
      expect(res.status, `${who}: ${res.text.slice(0, 300)}`).toBe(want);
      if (want >= 400) {
        expect(res.body?.error?.message, `${who} error body`).toEqual(expect.any(String));
        const code = row.codes?.[who] ?? DEFAULT_CODE[want];
        if (code) expect(res.body.error.code, who).toBe(code);
        if (row.holder?.[who]) expect(res.body.error.holder, who).toBe(row.holder[who]);
      }
    }
    expect(got).toEqual(row.expect);
    await row.verify?.();
  });
});

describe('CSRF and credentials', () => {
  const fileUrl = () => `${server.url}${api.fileAction('p', 'csrf.mcam', 'checkout')}`;
  const lockOf = async (path: string) => (await clients.admin.get(api.file('p', path))).body.lockedBy as string | null;

  test('a cookie-authenticated POST without X-CSRF-Token is refused with 403 csrf', async () => {
    const res = await send<any>(fileUrl(), {
      method: 'POST',
      headers: { cookie: clients.user.cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf');
    expect(await lockOf('csrf.mcam')).toBeNull();
  });

  test("a wrong, empty or another session's CSRF token is refused", async () => {
    for (const token of ['wrong', '', clients.other.csrfToken, clients.user.csrfToken.toUpperCase(), `${clients.user.csrfToken}x`]) {
      const res = await send<any>(fileUrl(), {
        method: 'POST',
        headers: { cookie: clients.user.cookie, 'x-csrf-token': token, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status, token).toBe(403);
      expect(res.body.error.code).toBe('csrf');
    }
    // DELETE and PATCH are protected too.
    const del = await send<any>(`${server.url}${api.file('p', 'csrf.mcam')}`, {
      method: 'DELETE',
      headers: { cookie: clients.admin.cookie },
    });
    expect([del.status, del.body.error.code]).toEqual([403, 'csrf']);
    const patch = await send<any>(`${server.url}${api.project('p')}`, {
      method: 'PATCH',
      headers: { cookie: clients.admin.cookie, 'content-type': 'application/json' },
      body: '{"name":"pwned"}',
    });
    expect([patch.status, patch.body.error.code]).toEqual([403, 'csrf']);
    expect(await lockOf('csrf.mcam')).toBeNull();
    expect((await clients.admin.get(api.project('p'))).body.name).toBe('p');
  });

  test('GET needs no CSRF token', async () => {
    const res = await send<any>(`${server.url}${api.me}`, { headers: { cookie: clients.user.cookie } });
    expect(res.status).toBe(200);
    expect(res.body.user.username).toBe('user1');
  });

  test('a Bearer API token needs no CSRF token, and keeps its role', async () => {
    const created = await clients.user.post(api.tokens, { name: 'script' });
    expect(created.status).toBe(201);
    const auth = { authorization: `Bearer ${created.body.token}` };
    const co = await send<any>(fileUrl(), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"message":"from a script"}',
    });
    expect(co.status, co.text).toBe(200);
    expect(co.body.status).toBe('checked_out_by_me');
    expect(await lockOf('csrf.mcam')).toBe('user1');
    const cancel = await send<any>(`${server.url}${api.fileAction('p', 'csrf.mcam', 'cancel')}`, { method: 'POST', headers: auth });
    expect(cancel.status, cancel.text).toBe(200);
    expect(await lockOf('csrf.mcam')).toBeNull();
    // A user's token cannot do admin things.
    const admin = await send<any>(`${server.url}${api.projects}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"slug":"by-token","name":"x"}',
    });
    expect([admin.status, admin.body.error.code]).toEqual([403, 'forbidden']);
    // A viewer's token cannot write.
    const vt = await clients.viewer.post(api.tokens, { name: 'viewer script' });
    const vco = await send<any>(fileUrl(), {
      method: 'POST',
      headers: { authorization: `Bearer ${vt.body.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect([vco.status, vco.body.error.code]).toEqual([403, 'forbidden']);
    // Another user cannot revoke it; the owner can, and then it stops working.
    expect((await clients.other.request('DELETE', api.token(created.body.id))).status).toBe(404);
    expect((await send(`${server.url}${api.me}`, { headers: auth })).status).toBe(200);
    expect((await clients.user.request('DELETE', api.token(created.body.id))).status).toBe(204);
    const after = await send<any>(`${server.url}${api.me}`, { headers: auth });
    expect([after.status, after.body.error.code]).toEqual([401, 'unauthenticated']);
  });

  test('a cross-site HTML form post (no CSRF header, with the cookie) is refused and changes nothing', async () => {
    const projectsBefore = (await clients.admin.get(api.projects)).text;
    const filesBefore = (await clients.admin.get(`${api.files('p')}?limit=5000`)).body.items.map((f: any) => [
      f.path,
      f.revision,
      f.lockedBy,
    ]);
    const attempts: Array<[string, string, string, BodyInit]> = [
      [api.fileAction('p', 'csrf.mcam', 'checkout'), clients.user.cookie, 'application/x-www-form-urlencoded', 'message=pwned'],
      [api.projects, clients.admin.cookie, 'application/x-www-form-urlencoded', 'slug=evil&name=evil'],
      [api.users, clients.admin.cookie, 'application/x-www-form-urlencoded', 'username=evil&password=password-123&role=admin'],
      [api.projects, clients.admin.cookie, 'text/plain', '{"slug":"evil","name":"evil"}'],
      [api.fileAction('p', 'held-patch.mcam', 'override'), clients.admin.cookie, 'application/x-www-form-urlencoded', 'reason=pwned'],
    ];
    for (const [url, cookie, type, body] of attempts) {
      const res = await send<any>(`${server.url}${url}`, {
        method: 'POST',
        headers: { cookie, 'content-type': type, origin: 'https://evil.example', referer: 'https://evil.example/' },
        body,
      });
      expect(res.status, `${url} ${type}`).toBe(403);
      expect(res.body.error.code).toBe('csrf');
    }
    // A multipart form (what <form enctype="multipart/form-data"> sends) cannot upload either.
    const up = await fetch(`${server.url}${api.files('p')}`, {
      method: 'POST',
      headers: { cookie: clients.user.cookie },
      body: form('evil.mcam', 'evil'),
    });
    expect(up.status).toBe(403);
    expect((await up.json()).error.code).toBe('csrf');

    expect((await clients.admin.get(api.projects)).text).toBe(projectsBefore);
    const filesAfter = (await clients.admin.get(`${api.files('p')}?limit=5000`)).body.items.map((f: any) => [
      f.path,
      f.revision,
      f.lockedBy,
    ]);
    expect(filesAfter).toEqual(filesBefore);
    const users = (await clients.admin.get(api.users)).body as Array<{ username: string }>;
    expect(users.map((u) => u.username)).not.toContain('evil');
  });

  test("a disabled user's session and tokens stop working at once", async () => {
    const temp = await server.createUser('temp1', 'user');
    const tok = (await temp.post(api.tokens, { name: 't' })).body.token as string;
    expect((await temp.get(api.me)).status).toBe(200);
    const id = ((await clients.admin.get(api.users)).body as Array<{ id: number; username: string }>).find(
      (u) => u.username === 'temp1',
    )!.id;
    const dis = await clients.admin.request('DELETE', api.user(id));
    expect([dis.status, dis.body.disabled]).toEqual([200, true]);
    for (const res of [
      await temp.get(api.me),
      await temp.checkout('p', 'csrf.mcam'),
      await send<any>(`${server.url}${api.me}`, { headers: { authorization: `Bearer ${tok}` } }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    }
    await expect(loginAs(server.url, 'temp1', USER_PASSWORD)).rejects.toThrow(/401/);
    expect(await lockOf('csrf.mcam')).toBeNull();
    // Re-enabling lets them log in again, but the old session stays dead.
    expect((await clients.admin.request('PATCH', api.user(id), { disabled: false })).status).toBe(200);
    const again = await loginAs(server.url, 'temp1', USER_PASSWORD);
    expect((await again.get(api.me)).status).toBe(200);
    expect((await temp.get(api.me)).status).toBe(401);
  });

  test('a role change applies to a live (cached) session at its next request', async () => {
    const temp = await server.createUser('temp3', 'user');
    // Two requests: the second is answered from the session cache.
    expect((await temp.get(api.me)).body.user.role).toBe('user');
    expect((await temp.checkout('p', 'csrf.mcam')).status).toBe(200);
    expect((await temp.request('POST', api.fileAction('p', 'csrf.mcam', 'cancel'), {})).status).toBe(200);
    const id = ((await clients.admin.get(api.users)).body as Array<{ id: number; username: string }>).find(
      (u) => u.username === 'temp3',
    )!.id;
    expect((await clients.admin.request('PATCH', api.user(id), { role: 'viewer' })).status).toBe(200);
    const refused = await temp.checkout('p', 'csrf.mcam');
    expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
    expect((await temp.get(api.me)).body.user.role).toBe('viewer');
    expect((await clients.admin.request('PATCH', api.user(id), { role: 'user' })).status).toBe(200);
    expect((await temp.checkout('p', 'csrf.mcam')).status).toBe(200);
    expect((await temp.request('POST', api.fileAction('p', 'csrf.mcam', 'cancel'), {})).status).toBe(200);
  });

  test('logout ends the session on the server; a password change ends all sessions', async () => {
    const s1 = await server.login('other1');
    expect((await s1.post(api.logout)).status).toBe(204);
    expect((await s1.get(api.me)).status).toBe(401);

    const t = await server.createUser('temp2', 'viewer');
    const t2 = await server.login('temp2');
    const id = ((await clients.admin.get(api.users)).body as Array<{ id: number; username: string }>).find(
      (u) => u.username === 'temp2',
    )!.id;
    expect((await clients.admin.request('PATCH', api.user(id), { password: 'a-new-password' })).status).toBe(200);
    expect((await t.get(api.me)).status).toBe(401);
    expect((await t2.get(api.me)).status).toBe(401);
    await expect(loginAs(server.url, 'temp2', USER_PASSWORD)).rejects.toThrow(/401/);
    expect((await loginAs(server.url, 'temp2', 'a-new-password')).username).toBe('temp2');
  });

  test('the session cookie is HttpOnly and SameSite', async () => {
    const res = await fetch(`${server.url}${api.login}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'viewer1', password: USER_PASSWORD }),
    });
    const cookie = res.headers.getSetCookie().join('\n');
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=(Lax|Strict)/i);
  });
});
