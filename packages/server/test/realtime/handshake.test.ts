import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCodes } from '@lockstep/protocol';
import { TestClient, connectUser, eventually, startRealtimeServer, withTimeout, type TestServer } from './realtime-harness.js';

describe('/ws handshake', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startRealtimeServer();
  });
  afterAll(() => server.close());

  it('closes 1008 without a session cookie', async () => {
    const client = new TestClient(server.url);
    expect((await client.closedWithin()).code).toBe(CloseCodes.policyViolation);
    expect(client.history).toEqual([]);
  });

  it('closes 1008 with an unknown session', async () => {
    const client = new TestClient(server.url, { session: 'forged' });
    expect((await client.closedWithin()).code).toBe(CloseCodes.policyViolation);
  });

  it('closes 1008 for a foreign Origin even with a valid session', async () => {
    const client = new TestClient(server.url, { session: 'sess-alice', origin: 'https://evil.example.net' });
    expect(await client.closedWithin()).toEqual({ code: CloseCodes.policyViolation, reason: 'origin not allowed' });
    expect(server.hub.onlineUsers()).not.toContain('alice');
  });

  it("accepts the page's own origin and the configured ones", async () => {
    for (const origin of [server.origin, 'https://pdm.example.com']) {
      const client = new TestClient(server.url, { session: 'sess-alice', origin });
      await withTimeout(client.opened, 2000, 'open');
      expect((await client.next('connection.established')).data.user).toBe('alice');
      client.ws.close();
      await client.closedWithin();
    }
  });

  it('closes 1011 while the server is not ready', async () => {
    server.setReady(false);
    try {
      const client = new TestClient(server.url, { session: 'sess-alice' });
      expect(await client.closedWithin()).toEqual({ code: CloseCodes.serverError, reason: 'server not ready' });
    } finally {
      server.setReady(true);
    }
  });

  it('sends connection.established first, with user, role, heartbeat and who is online', async () => {
    const bob = await connectUser(server, 'sess-bob');
    const alice = await connectUser(server, 'sess-alice');
    const first = alice.history[0]!;
    expect(first.type).toBe('connection.established');
    expect(first.data).toMatchObject({ user: 'alice', role: 'user', heartbeatMs: 10_000, online: ['alice', 'bob'] });
    expect(typeof first.ts).toBe('string');
    expect(Number.isNaN(Date.parse(first.ts))).toBe(false);
    await eventually(() => server.hub.connectionCount() === 2, 2000, 'exactly the two live connections');
    alice.ws.close();
    bob.ws.close();
    await Promise.all([alice.closedWithin(), bob.closedWithin()]);
  });
});
