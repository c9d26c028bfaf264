import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCodes } from '@lockstep/protocol';
import { connectUser, fileEvent, startRealtimeServer, type TestClient, type TestServer } from './realtime-harness.js';

describe('/ws client messages and subscriptions', () => {
  let server: TestServer;
  let alice: TestClient;
  beforeAll(async () => {
    server = await startRealtimeServer({ maxPayloadBytes: 4096 });
    alice = await connectUser(server, 'sess-alice');
  });
  afterAll(() => server.close());

  it("answers subscribe with the current seq, and then only sends that project's events", async () => {
    await server.bus.publish('p1', 'file.uploaded', fileEvent('before.nc'));
    const bob = await connectUser(server, 'sess-bob');
    bob.send({ type: 'subscribe', project: 'p1' });
    expect((await bob.next('subscribed')).data).toEqual({ project: 'p1', seq: 1, epoch: expect.any(String) });

    await server.bus.publish('p2', 'file.uploaded', fileEvent('other.nc'));
    await server.bus.publish('p1', 'file.checked_out', fileEvent('a.nc'));
    await server.bus.publish('p2', 'file.deleted', fileEvent('other.nc'));
    await server.bus.publish('p1', 'file.checked_in', fileEvent('a.nc'));

    const last = await bob.next('file.checked_in');
    expect(last).toMatchObject({ project: 'p1', seq: 3, data: { path: 'a.nc', actor: 'alice' } });
    expect(bob.history.filter((m) => m.project === 'p2')).toEqual([]);
    expect(bob.events('p1').map((m) => [m.type, m.seq])).toEqual([
      ['file.checked_out', 2],
      ['file.checked_in', 3],
    ]);
    bob.ws.close();
  });

  it('refuses unknown and unreadable projects with an error, and never sends their data', async () => {
    const vic = await connectUser(server, 'sess-vic');
    vic.send({ type: 'subscribe', project: 'nope' });
    expect((await vic.next('error')).data.code).toBe('project_unavailable');
    vic.send({ type: 'resume', project: 'secret', after_seq: 0 });
    expect((await vic.next('error')).data.code).toBe('project_unavailable');
    await server.bus.publish('secret', 'file.uploaded', fileEvent('plans.step', 'carol'));
    await server.bus.publish('nope', 'file.uploaded', fileEvent('x.nc'));
    vic.send({ type: 'ping', nonce: 'barrier' });
    await vic.next('pong');
    expect(vic.history.filter((m) => m.project !== undefined)).toEqual([]);
    expect(vic.history.some((m) => m.type === 'subscribed')).toBe(false);
    vic.ws.close();
  });

  it('stops sending after unsubscribe', async () => {
    alice.send({ type: 'subscribe', project: 'p2' });
    await alice.next('subscribed');
    alice.send({ type: 'unsubscribe', project: 'p2' });
    expect((await alice.next('unsubscribed')).data).toEqual({ project: 'p2' });
    await server.bus.publish('p2', 'file.uploaded', fileEvent('late.nc'));
    alice.send({ type: 'ping' });
    await alice.next('pong');
    expect(alice.events('p2')).toEqual([]);
  });

  it('answers ping with pong, echoing the nonce', async () => {
    alice.send({ type: 'ping', nonce: 'n-42' });
    expect((await alice.next('pong')).data).toEqual({ nonce: 'n-42' });
  });

  it.each([
    ['non-JSON', 'hello {', 'invalid_json'],
    ['unknown type', { type: 'explode' }, 'unknown_type'],
    ['no type', { project: 'p1' }, 'unknown_type'],
    ['missing project', { type: 'subscribe' }, 'invalid_message'],
    ['negative after_seq', { type: 'resume', project: 'p1', after_seq: -1 }, 'invalid_message'],
    ['non-integer after_seq', { type: 'resume', project: 'p1', after_seq: 1.5 }, 'invalid_message'],
    ['empty project', { type: 'subscribe', project: '' }, 'invalid_message'],
  ])('replies error to a frame with %s and stays connected', async (_name, frame, code) => {
    alice.send(frame);
    expect((await alice.next('error')).data.code).toBe(code);
    alice.send({ type: 'ping', nonce: 'still-here' });
    expect((await alice.next('pong')).data.nonce).toBe('still-here');
  });

  it('replies error to a binary frame and stays connected', async () => {
    alice.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await alice.next('error')).data.code).toBe('binary_not_supported');
    alice.send({ type: 'ping' });
    await alice.next('pong');
  });

  it('closes with 1009 a frame over maxPayloadBytes, and only that connection', async () => {
    const bob = await connectUser(server, 'sess-bob');
    bob.send({ type: 'subscribe', project: 'x'.repeat(5000) });
    expect((await bob.closedWithin()).code).toBe(CloseCodes.tooBig);
    alice.send({ type: 'ping', nonce: 'after-1009' });
    expect((await alice.next('pong')).data.nonce).toBe('after-1009');
  });
});
