import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Role } from '@lockstep/protocol';
import { api } from '@lockstep/protocol';
import { buildApp, type App } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';

/** A real Lockstep server on a real port with a temporary data folder, for tests and E2E runs. */
export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  config: Config;
  app: App;
  admin: Client;
  login(username: string, password?: string): Promise<Client>;
  /** Creates a user through the admin API and logs them in. */
  createUser(username: string, role: Role, password?: string): Promise<Client>;
  /** Creates a project through the admin API. */
  createProject(slug: string, name?: string): Promise<void>;
  /** Stops and starts again on the same port and data folder (sessions survive: they are in the database). */
  restart(): Promise<void>;
  close: () => Promise<void>;
}

export interface Response<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export const ADMIN_PASSWORD = 'admin-password-1';
export const USER_PASSWORD = 'user-password-1';

/** An HTTP client holding one user's session cookie and CSRF token. */
export class Client {
  constructor(
    readonly baseUrl: string,
    readonly username: string,
    readonly cookie: string,
    readonly csrfToken: string,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { cookie: this.cookie, 'x-csrf-token': this.csrfToken, ...extra };
  }

  request<T = any>(method: string, url: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Response<T>> {
    const init: RequestInit = { method, headers: this.headers(extraHeaders) };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    return send<T>(`${this.baseUrl}${url}`, init);
  }

  get<T = any>(url: string) {
    return this.request<T>('GET', url);
  }
  post<T = any>(url: string, body?: unknown) {
    return this.request<T>('POST', url, body);
  }

  /** Multipart upload of a new file. */
  upload(project: string, name: string, content: Buffer | string, fields: Record<string, string> = {}) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([content as BlobPart]), name);
    return this.request('POST', api.files(project), form);
  }

  checkout(project: string, path: string, message?: string) {
    return this.post(api.fileAction(project, path, 'checkout'), message === undefined ? {} : { message });
  }

  checkin(project: string, path: string, content: Buffer | string, fields: { message?: string; bump?: boolean; keep?: boolean } = {}) {
    const form = new FormData();
    if (fields.message !== undefined) form.append('message', fields.message);
    if (fields.bump !== undefined) form.append('bump', String(fields.bump));
    if (fields.keep !== undefined) form.append('keep', String(fields.keep));
    form.append('file', new Blob([content as BlobPart]), path.split('/').pop());
    return this.request('POST', api.fileAction(project, path, 'checkin'), form);
  }
}

export async function send<T>(url: string, init: RequestInit): Promise<Response<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: any = text;
  if (res.headers.get('content-type')?.includes('application/json')) body = text ? JSON.parse(text) : null;
  return { status: res.status, body, headers: res.headers, text };
}

export async function loginAs(baseUrl: string, username: string, password: string): Promise<Client> {
  const res = await fetch(`${baseUrl}${api.login}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return new Client(baseUrl, username, cookie, csrfToken);
}

export async function startServer(opts: { config?: Partial<Config>; env?: NodeJS.ProcessEnv } = {}): Promise<TestServer> {
  const dataDir = opts.config?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-test-'));
  const config = loadConfig(
    { LOCKSTEP_ADMIN_PASSWORD: ADMIN_PASSWORD, LOCKSTEP_LOGIN_RATE_LIMIT: '1000', ...opts.env },
    { dataDir, port: 0, host: '127.0.0.1', ...opts.config },
  );
  let app = await buildApp(config, { logger: process.env.TEST_LOG ? { level: 'error' } : false });
  await app.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.app.server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  const server: TestServer = {
    url,
    port,
    dataDir,
    config,
    app,
    admin: await loginAs(url, 'admin', ADMIN_PASSWORD),
    login: (username, password = USER_PASSWORD) => loginAs(url, username, password),
    async createUser(username, role, password = USER_PASSWORD) {
      const res = await server.admin.post(api.users, { username, password, role });
      if (res.status !== 201) throw new Error(`create user ${username}: ${res.status} ${res.text}`);
      return loginAs(url, username, password);
    },
    async createProject(slug, name = slug) {
      const res = await server.admin.post(api.projects, { slug, name });
      if (res.status !== 201) throw new Error(`create project ${slug}: ${res.status} ${res.text}`);
    },
    async restart() {
      await server.app.close();
      app = await buildApp(config, { logger: false });
      await app.app.listen({ port, host: '127.0.0.1' });
      server.app = app;
    },
    async close() {
      await server.app.close();
      fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 }); // a late WAL write can race the first pass
    },
  };
  return server;
}

/** Polls `probe` until it returns something truthy (bounded). */
export async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
