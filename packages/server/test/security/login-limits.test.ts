// The login limits: X-Forwarded-For counts only behind LOCKSTEP_TRUST_PROXY, and failures are
// counted per username whatever the address.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { ConfigError, loadConfig, parseTrustProxy } from '../../src/config.js';
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';
import { send, startServer, USER_PASSWORD, type TestServer } from '../harness.js';

const attempt = (server: TestServer, username: string, password: string, forwardedFor?: string) =>
  send<any>(`${server.url}${api.login}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ username, password }),
  });

let n = 0;
const forged = () => `203.0.113.${++n % 250}`;

describe('LOCKSTEP_TRUST_PROXY', () => {
  test('parsed and validated at start', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('')).toBe(false);
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy('10.0.0.0/8, 127.0.0.1,::1, fd00::/8, loopback')).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
    for (const bad of ['true', 'proxy.local', '10.0.0.0/33', '10.0.0.0/8/1', '::1/129', '1.2.3'])
      expect(() => parseTrustProxy(bad), bad).toThrow(ConfigError);
    expect(() => loadConfig({ LOCKSTEP_TRUST_PROXY: 'yes' })).toThrow(/LOCKSTEP_TRUST_PROXY/);
    // Secure cookies alone trust nothing.
    expect(loadConfig({ LOCKSTEP_SECURE_COOKIES: 'true' }).trustProxy).toBe(false);
  });

  describe('secure cookies on, no trusted proxy', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({
        env: { LOCKSTEP_SECURE_COOKIES: 'true', LOCKSTEP_LOGIN_RATE_LIMIT: '5', LOCKSTEP_LOGIN_USER_FAILURES: '1000' },
      });
    });
    afterAll(() => server.close());

    test('a rotating forged X-Forwarded-For still gets 429 within the per-address limit', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await attempt(server, 'victim', 'guess-guess', forged())).status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toEqual([429, 429]);
    });
  });
});

describe('LOCKSTEP_TRUST_PROXY as a hop count', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      env: { LOCKSTEP_TRUST_PROXY: '1', LOCKSTEP_LOGIN_RATE_LIMIT: '5', LOCKSTEP_LOGIN_USER_FAILURES: '1000' },
    });
  });
  afterAll(() => server.close());

  test('one trusted hop: the address it forwards is the client, so each gets its own budget; a repeated one is limited', async () => {
    for (let i = 0; i < 8; i++) expect((await attempt(server, 'gina', 'wrong-wrong', forged())).status).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt(server, 'gina', 'wrong-wrong', '198.51.100.7')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe.each(['sqlite', 'postgres'] as const)('failures per username, whatever the address (behind a trusted proxy), %s', (store) => {
  let server: TestServer;
  let database: TestDatabase | null = null;
  beforeAll(async () => {
    if (store === 'postgres') database = await createTestDatabase();
    server = await startServer({
      config: database ? { databaseUrl: database.url } : {},
      env: { LOCKSTEP_TRUST_PROXY: '127.0.0.1', LOCKSTEP_LOGIN_RATE_LIMIT: '5', LOCKSTEP_LOGIN_USER_FAILURES: '10' },
    });
    await server.createUser('erin', 'user');
    await server.createUser('frank', 'user');
  });
  afterAll(async () => {
    await server.close();
    await database?.drop();
  });

  test('the trusted proxy X-Forwarded-For is the client address: each forged address gets its own per-address budget', async () => {
    // 8 failures of one username from 8 addresses: past the per-address limit (5) of one address, below the per-username one.
    for (let i = 0; i < 8; i++) expect((await attempt(server, 'frank', 'wrong-wrong', forged())).status).toBe(401);
    expect((await attempt(server, 'frank', USER_PASSWORD, forged())).status).toBe(200); // and a success resets the count
  });

  test('10 failures from rotating addresses → 429 for that username, even with the right password; others are unaffected', async () => {
    for (let i = 0; i < 10; i++) expect((await attempt(server, 'erin', 'wrong-wrong', forged())).status).toBe(401);
    const limited = await attempt(server, 'Erin', USER_PASSWORD, forged());
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(limited.body.error.message).toMatch(/this username/);
    expect((await attempt(server, 'frank', USER_PASSWORD, forged())).status).toBe(200);
    // Once the window is over, erin may log in again.
    const past = new Date(Date.now() - 16 * 60_000).toISOString();
    await server.app.services.db.updateTable('login_failures').set({ window_start: past }).where('username_key', '=', 'erin').execute();
    expect((await attempt(server, 'erin', USER_PASSWORD, forged())).status).toBe(200);
  });

  test('a success resets the count', async () => {
    for (let i = 0; i < 9; i++) expect((await attempt(server, 'frank', 'wrong-wrong', forged())).status).toBe(401);
    expect((await attempt(server, 'frank', USER_PASSWORD, forged())).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await attempt(server, 'frank', 'wrong-wrong', forged())).status).toBe(401);
    expect((await attempt(server, 'frank', USER_PASSWORD, forged())).status).toBe(200);
  });

  test('unknown usernames are counted too (no hint whether the account exists)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await attempt(server, 'nobody-here', 'wrong-wrong', forged())).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses[10]).toBe(429);
  });
});
