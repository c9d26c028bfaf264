import { afterEach, describe, expect, it } from 'vitest';
import { connectUser, eventually, startRealtimeServer, type TestServer } from './realtime-harness.js';

let server: TestServer;
afterEach(() => server.close());

describe('presence', () => {
  it('counts two tabs of one user once: joined on the first, left on the last', async () => {
    server = await startRealtimeServer();
    const bob = await connectUser(server, 'sess-bob');
    // Presence goes to every connection, the joining one included.
    expect((await bob.next('presence.joined')).data).toEqual({ user: 'bob', online: ['bob'] });
    const tab1 = await connectUser(server, 'sess-alice');
    expect((await bob.next('presence.joined')).data).toEqual({ user: 'alice', online: ['alice', 'bob'] });

    const tab2 = await connectUser(server, 'sess-alice-2');
    expect(tab2.history[0]!.data).toMatchObject({ online: ['alice', 'bob'] });
    tab1.ws.close();
    await tab1.closedWithin();
    await eventually(() => server.hub.connectionCount() === 2, 2000, 'tab1 gone');
    expect(server.hub.onlineUsers()).toEqual(['alice', 'bob']);

    tab2.ws.close();
    expect((await bob.next('presence.left')).data).toEqual({ user: 'alice', online: ['bob'] });
    expect(server.hub.onlineUsers()).toEqual(['bob']);
    // Exactly one join and one leave for alice, although she had two tabs.
    expect(bob.history.filter((m) => m.type === 'presence.joined' && (m.data as { user: string }).user === 'alice')).toHaveLength(1);
    expect(bob.history.filter((m) => m.type === 'presence.left')).toHaveLength(1);
  });
});

describe('heartbeat', () => {
  it('sends system.heartbeat and terminates a client that stops answering pings, not the others', async () => {
    server = await startRealtimeServer({ heartbeatMs: 50 });
    const healthy = await connectUser(server, 'sess-bob');
    const silent = await connectUser(server, 'sess-alice', { autoPong: false });

    expect((await healthy.next('system.heartbeat')).data.serverTime).toMatch(/^\d{4}-/);
    await silent.next('system.heartbeat');
    // Round 1 pings, round 2 finds no pong and terminates: well within 10 rounds.
    const closed = await silent.closedWithin(500);
    expect(closed.code).toBe(1006); // terminated, no close frame
    await eventually(() => server.hub.onlineUsers().join() === 'bob', 1000, 'alice dropped from presence');

    // The healthy client survives several more rounds.
    const heartbeats = () => healthy.history.filter((m) => m.type === 'system.heartbeat').length;
    const before = heartbeats();
    await eventually(() => heartbeats() >= before + 4, 3000, 'four more heartbeats');
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
  });
});

describe('personal notices', () => {
  it('go to every tab of the target user and nobody else', async () => {
    server = await startRealtimeServer();
    const tab1 = await connectUser(server, 'sess-alice');
    const tab2 = await connectUser(server, 'sess-alice-2');
    const bob = await connectUser(server, 'sess-bob');
    const notice = { level: 'warning' as const, message: 'carol overrode your lock on a.nc', project: 'p1', path: 'a.nc' };
    await server.bus.notifyUser('alice', notice);
    expect((await tab1.next('notice')).data).toEqual(notice);
    expect((await tab2.next('notice')).data).toEqual(notice);
    bob.send({ type: 'ping' });
    await bob.next('pong');
    expect(bob.history.filter((m) => m.type === 'notice')).toEqual([]);
  });
});
