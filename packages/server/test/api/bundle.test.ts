// The esbuild bundle that `npm start` runs (dist/main.js): built afresh here, started as a real
// process, and checked where bundling could break what worked module by module — files a package
// finds by __dirname (swagger-ui's assets), packages loaded at run time (ajv on the first
// validation, argon2 on the first login), the route table and its OpenAPI description.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ADMIN_PASSWORD } from '../harness.js';
import { startInstance, type Instance } from '../instances.js';

const SERVER = fileURLToPath(new URL('../../', import.meta.url));
// Same depth below packages/server as dist/main.js, so its relative paths (node_modules, web/dist) hold.
const BUNDLE = path.join(SERVER, 'dist/test-bundle/main.js');

let instance: Instance;
let dataDir: string;

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(SERVER, 'scripts/bundle.mjs'), BUNDLE], { stdio: 'pipe' });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bundle-'));
  instance = await startInstance({ dataDir, script: BUNDLE });
}, 120_000);

afterAll(async () => {
  await instance.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(path.dirname(BUNDLE), { recursive: true, force: true });
});

const post = (url: string, body: unknown) =>
  fetch(`${instance.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('the bundle is one file that loads no module of our own from dist/', () => {
  const source = fs.readFileSync(BUNDLE, 'utf8');
  expect(source).not.toMatch(/from ['"]\.\.?\//);
  expect(source).toContain('lockstep bundle');
});

test('health, the OpenAPI description and the API docs page with its assets', async () => {
  expect(await (await fetch(`${instance.url}/api/health`)).json()).toEqual({ status: 'ok' });
  const spec = (await (await fetch(`${instance.url}/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
  expect(spec.openapi).toMatch(/^3\./);
  expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/projects/{project}/files/{path}/checkout']));
  const page = await fetch(`${instance.url}/docs`, { redirect: 'follow' });
  expect(page.status).toBe(200);
  const css = await fetch(`${instance.url}/docs/static/swagger-ui.css`);
  expect([css.status, css.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
});

test('bodies are validated strictly and the first admin logs in', async () => {
  const bad = await post('/api/auth/login', { username: 42, password: ADMIN_PASSWORD });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('validation');
  const wrong = await post('/api/auth/login', { username: 'admin', password: 'not-the-password' });
  expect(wrong.status).toBe(401);
  const ok = await post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
  expect(ok.status).toBe(200);
  expect(((await ok.json()) as { user: { username: string } }).user.username).toBe('admin');
});
