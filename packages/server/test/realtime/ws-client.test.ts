import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { LockstepSocket, backoffDelay, type LockstepSocketState, type WebSocketConstructor } from '@lockstep/protocol';
import { eventually, fileEvent, startRealtimeServer, type TestServer } from './realtime-harness.js';

let server: TestServer | undefined;
let client: LockstepSocket | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  client = server = undefined;
});

describe('backoffDelay', () => {
  it('doubles from 1 s to a 30 s cap', () => {
    const schedule = Array.from({ length: 8 }, (_, attempt) => backoffDelay(attempt, {}, () => 0));
    expect(schedule).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('jitter takes up to 30 % off, never adds past the cap', () => {
    expect(backoffDelay(0, {}, () => 1)).toBe(700);
    expect(backoffDelay(10, {}, () => 1)).toBe(21000);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(3, {});
      expect(delay).toBeGreaterThanOrEqual(5600);
      expect(delay).toBeLessThanOrEqual(8000);
    }
    expect(backoffDelay(2, { initialMs: 10, maxMs: 25, jitter: 0 })).toBe(25);
  });
});

function newClient(
  s: TestServer,
  session: string,
  initialMs = 40,
): { socket: LockstepSocket; states: LockstepSocketState[]; delays: number[] } {
  const states: LockstepSocketState[] = [];
  const delays: number[] = [];
  const socket = new LockstepSocket({
    url: s.url,
    WebSocketImpl: WebSocket as unknown as WebSocketConstructor,
    headers: { cookie: `session=${session}` },
    backoff: { initialMs, maxMs: 1000, jitter: 0 },
  });
  socket.onState((state) => {
    states.push(state);
    if (state === 'reconnecting' && socket.nextRetryAt) delays.push(socket.nextRetryAt - Date.now());
  });
  return { socket, states, delays };
}

const dropAllServerSide = (s: TestServer) => {
  for (const ws of s.app.websocketServer.clients) ws.terminate();
};

describe('LockstepSocket against a real server', () => {
  it('reconnects after the server drops it and resumes: every event exactly once, in order', async () => {
    server = await startRealtimeServer();
    const { socket, states } = newClient(server, 'sess-alice');
    client = socket;
    const seqs: number[] = [];
    socket.on('file.updated', (m) => seqs.push(m.seq!));
    let subscribedCount = 0;
    socket.on('subscribed', () => subscribedCount++);
    socket.subscribe('p1');
    socket.connect();
    expect(socket.state).toBe('connecting');
    await eventually(() => subscribedCount === 1, 2000, 'first subscribe');

    for (let i = 0; i < 2; i++) await server.bus.publish('p1', 'file.updated', fileEvent(`a${i}`));
    await eventually(() => seqs.length === 2, 2000, 'live events');
    dropAllServerSide(server);
    await eventually(() => socket.state === 'reconnecting', 2000, 'reconnecting');
    for (let i = 0; i < 2; i++) await server.bus.publish('p1', 'file.updated', fileEvent(`missed${i}`));

    await eventually(() => subscribedCount === 2, 2000, 'resumed');
    expect(socket.lastSeq('p1')).toBe(4);
    await server.bus.publish('p1', 'file.updated', fileEvent('live'));
    await eventually(() => seqs.length === 5, 2000, 'live after resume');
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open']); // one retry was enough
  });

  it('backs off exponentially while the server refuses, and resets after a successful open', async () => {
    server = await startRealtimeServer();
    server.setReady(false); // every attempt: accepted, then closed 1011
    const { socket, delays } = newClient(server, 'sess-bob', 100);
    client = socket;
    socket.connect();
    await eventually(() => delays.length >= 4, 5000, 'four refused attempts');
    server.setReady(true);
    await eventually(() => socket.state === 'open', 5000, 'open once ready');
    // 100, 200, 400, 800 nominal (jitter 0); the tolerance only absorbs event-loop stalls.
    delays.slice(0, 4).forEach((delay, i) => expect(Math.abs(delay - 100 * 2 ** i)).toBeLessThan(30));

    const attemptsBefore = delays.length;
    dropAllServerSide(server);
    await eventually(() => delays.length > attemptsBefore, 3000, 'a retry scheduled');
    expect(Math.abs(delays[attemptsBefore]! - 100)).toBeLessThan(30); // back to the first step
    await eventually(() => socket.state === 'open', 3000, 'reconnected');
  });

  it('goes offline, without retrying, when the server rejects the session (1008)', async () => {
    server = await startRealtimeServer();
    const { socket, states } = newClient(server, 'expired');
    client = socket;
    socket.connect();
    await eventually(() => socket.state === 'offline', 2000, 'offline');
    await new Promise((resolve) => setTimeout(resolve, 150)); // several backoff steps' worth
    expect(states).toEqual(['connecting', 'offline']);
    expect(socket.nextRetryAt).toBeNull();
  });

  it('reconnects at once, without a back-off, when its access changed (4001: role changed); 1008 stays offline', async () => {
    server = await startRealtimeServer();
    const { socket, states } = newClient(server, 'sess-alice', 5_000); // a back-off would take 5 s
    client = socket;
    socket.connect();
    await eventually(() => socket.state === 'open', 2000, 'open');
    const connections = server.hub.connectionCount();
    await server.bus.revoke({ userId: 1, reason: 'role changed', reconnect: true });
    await eventually(() => states.filter((st) => st === 'open').length === 2, 2000, 'reconnected');
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(server.hub.connectionCount()).toBe(connections);
    await server.bus.revoke({ userId: 1, reason: 'account disabled' });
    await eventually(() => socket.state === 'offline', 2000, 'offline after a real revocation');
  });

  it('close() stays closed', async () => {
    server = await startRealtimeServer();
    const { socket } = newClient(server, 'sess-bob');
    socket.connect();
    await eventually(() => socket.state === 'open', 2000, 'open');
    socket.close();
    expect(socket.state).toBe('offline');
    await eventually(() => server!.hub.connectionCount() === 0, 2000, 'server saw the close');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.hub.connectionCount()).toBe(0);
  });
});
