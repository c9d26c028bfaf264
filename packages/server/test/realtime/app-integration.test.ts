import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCodes } from '@lockstep/protocol';
import { startServer, type Client, type TestServer } from '../harness.js';
import { TestClient, withTimeout } from './realtime-harness.js';

// The hub inside the real app: real login, real services, the app's own bus.
describe('realtime in the real app', () => {
  let server: TestServer;
  let alice: Client;
  let bob: Client;
  const wsUrl = () => `${server.url.replace('http', 'ws')}/ws`;

  beforeAll(async () => {
    server = await startServer();
    alice = await server.createUser('alice', 'user');
    bob = await server.createUser('bob', 'user');
    await server.createProject('shop');
    expect((await alice.upload('shop', '1234567_op1.mcam', 'G0 X0')).status).toBe(201);
  });
  afterAll(() => server.close());

  it("delivers A's checkout to B, live", async () => {
    const ws = new TestClient(wsUrl(), { cookie: bob.cookie });
    await withTimeout(ws.opened, 2000, 'open');
    expect((await ws.next('connection.established')).data.user).toBe('bob');
    ws.send({ type: 'subscribe', project: 'shop' });
    const { seq } = (await ws.next('subscribed')).data;

    expect((await alice.checkout('shop', '1234567_op1.mcam', 'fixing the roughing pass')).status).toBe(200);
    const event = await ws.next('file.checked_out', () => true, 5000);
    expect(event).toMatchObject({ project: 'shop', data: { path: '1234567_op1.mcam', actor: 'alice' } });
    expect(event.seq).toBeGreaterThan(seq);
    ws.ws.close();
  });

  it('refuses the socket with 1008 without a session', async () => {
    const ws = new TestClient(wsUrl());
    expect((await ws.closedWithin()).code).toBe(CloseCodes.policyViolation);
  });

  it('refuses a subscription to a project that does not exist', async () => {
    const ws = new TestClient(wsUrl(), { cookie: alice.cookie });
    await withTimeout(ws.opened, 2000, 'open');
    ws.send({ type: 'subscribe', project: 'no-such-project' });
    expect((await ws.next('error')).data.code).toBe('project_unavailable');
    ws.ws.close();
  });
});
