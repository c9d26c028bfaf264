import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { loginAs, send, startServer, USER_PASSWORD, type TestServer } from '../harness.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { LOCKSTEP_LOGIN_RATE_LIMIT: '5' } });
});
afterAll(async () => server.close());

describe('sessions', () => {
  test('login sets an HttpOnly SameSite=Lax cookie; me returns the user and CSRF token; logout ends it', async () => {
    await server.createUser('carl', 'user');
    const res = await fetch(`${server.url}${api.login}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'Carl', password: USER_PASSWORD }),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^lockstep_session=[\w-]{40,};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).not.toContain('Secure');
    const carl = await loginAs(server.url, 'carl', USER_PASSWORD);
    const me = await carl.get(api.me);
    expect(me.body).toMatchObject({ user: { username: 'carl', role: 'user', disabled: false }, csrfToken: carl.csrfToken });
    // The session tells the app what the server accepts (the upload picker filters by it).
    expect(me.body.limits.allowedExtensions).toEqual(server.app.services.config.allowedExtensions);
    expect(me.body.limits.maxUploadBytes).toBe(server.app.services.config.maxUploadBytes);
    expect((await carl.post(api.logout)).status).toBe(204);
    expect((await carl.get(api.me)).status).toBe(401);
  });

  test('wrong password → 401 with the same message as an unknown user; attempts are audited', async () => {
    const bad = await send<any>(`${server.url}${api.login}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carl', password: 'nope-nope' }),
    });
    const unknown = await send<any>(`${server.url}${api.login}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody', password: 'nope-nope' }),
    });
    expect(bad.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(bad.body.error.message).toBe(unknown.body.error.message);
    const audit = await server.admin.get(`${api.audit}?action=login_failed`);
    expect(audit.body.map((a: any) => a.user)).toEqual(expect.arrayContaining(['carl', 'nobody']));
  });

  test('login is rate-limited per address and username', async () => {
    const attempt = () =>
      send<any>(`${server.url}${api.login}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'target', password: 'guess-guess' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await attempt()).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    // another username from the same address is not affected
    expect((await loginAs(server.url, 'admin', 'admin-password-1')).username).toBe('admin');
  });
});

describe('users (admin)', () => {
  test('create, change role, reset password, disable; duplicates and the last admin are refused', async () => {
    const created = await server.admin.post(api.users, { username: 'dana', password: 'password-dana', role: 'viewer' });
    expect(created.status).toBe(201);
    expect((await server.admin.post(api.users, { username: 'DANA', password: 'password-dana', role: 'user' })).status).toBe(409);
    const dana = await loginAs(server.url, 'dana', 'password-dana');
    expect((await server.admin.request('PATCH', api.user(created.body.id), { role: 'user' })).body.role).toBe('user');
    expect((await server.admin.request('PATCH', api.user(created.body.id), { password: 'new-password-dana' })).status).toBe(200);
    expect((await dana.get(api.me)).status).toBe(401); // a new password ends sessions
    const again = await loginAs(server.url, 'dana', 'new-password-dana');
    expect((await server.admin.request('DELETE', api.user(created.body.id))).body.disabled).toBe(true);
    expect((await again.get(api.me)).status).toBe(401);
    await expect(loginAs(server.url, 'dana', 'new-password-dana')).rejects.toThrow(/401/);
    const users = await server.admin.get(api.users);
    const adminId = users.body.find((u: any) => u.username === 'admin').id;
    const demote = await server.admin.request('PATCH', api.user(adminId), { role: 'user' });
    expect(demote.status).toBe(409);
    expect(users.body.every((u: any) => !('password_hash' in u) && !('passwordHash' in u))).toBe(true);
  });
});

describe('API tokens', () => {
  test('a Bearer token works without CSRF, is shown once, and stops working when revoked', async () => {
    const erin = await server.createUser('erin', 'user');
    await server.createProject('tok');
    const created = await erin.post(api.tokens, { name: 'cnc-post script' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^lst_/);
    const list = await erin.get(api.tokens);
    expect(list.body).toEqual([expect.objectContaining({ id: created.body.id, name: 'cnc-post script' })]);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    const bearer = { authorization: `Bearer ${created.body.token}` };
    const form = new FormData();
    form.append('file', new Blob(['G0 X0']), '5555555.nc');
    const up = await send<any>(`${server.url}${api.files('tok')}`, { method: 'POST', headers: bearer, body: form });
    expect(up.status, up.text).toBe(201);
    expect(up.body.modifiedBy).toBe('erin');
    expect((await erin.request('DELETE', api.token(created.body.id))).status).toBe(204);
    expect((await send(`${server.url}${api.me}`, { headers: bearer })).status).toBe(401);
  });
});

test('first start without LOCKSTEP_ADMIN_PASSWORD generates a random admin password, once', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-first-'));
  const config = loadConfig({}, { dataDir, port: 0 });
  const first = await buildApp(config, { logger: false });
  expect(first.firstAdmin?.username).toBe('admin');
  expect(first.firstAdmin?.password).toMatch(/^[\w-]{16}$/);
  await first.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(first.app.server.address() as { port: number }).port}`;
  expect((await loginAs(url, 'admin', first.firstAdmin!.password!)).username).toBe('admin');
  await first.close();
  const second = await buildApp(config, { logger: false });
  expect(second.firstAdmin).toBeNull();
  await second.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the API is described by OpenAPI at /docs', async () => {
  const spec = await fetch(`${server.url}/docs/json`);
  expect(spec.status).toBe(200);
  const doc = (await spec.json()) as { openapi: string; paths: Record<string, unknown> };
  expect(doc.openapi).toMatch(/^3\./);
  for (const route of server.app.routes) {
    const openapiPath = route.url.replace(/:(\w+)/g, '{$1}');
    expect(doc.paths[openapiPath], `${route.method} ${route.url}`).toHaveProperty(route.method.toLowerCase());
  }
  const page = await fetch(`${server.url}/docs`, { redirect: 'follow' });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('swagger');
});
