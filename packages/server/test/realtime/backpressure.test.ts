import { afterEach, describe, expect, it } from 'vitest';
import { CloseCodes } from '@lockstep/protocol';
import { connectUser, eventually, fileEvent, startRealtimeServer, type TestClient, type TestServer } from './realtime-harness.js';

let server: TestServer;
afterEach(() => server.close());

const big = (i: number) => ({ ...fileEvent(`big${i}.nc`), message: 'x'.repeat(64 * 1024) });
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** `ws._socket.pause()`: the client stops reading, so the server's send buffer fills up. */
function stopReading(client: TestClient): void {
  (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
}
function resumeReading(client: TestClient): void {
  (client.ws as unknown as { _socket: { resume(): void } })._socket.resume();
}
/** The server side of a client's connection, matched by TCP port. */
function serverSocketOf(client: TestClient) {
  const port = (client.ws as unknown as { _socket: { localPort: number } })._socket.localPort;
  const found = [...server.app.websocketServer.clients].find(
    (ws) => (ws as unknown as { _socket: { remotePort: number } })._socket.remotePort === port,
  );
  if (!found) throw new Error('server socket not found');
  return found;
}

describe('slow consumers', () => {
  it('closes a client that never reads with 1013, while others (its own other tab too) receive everything', async () => {
    server = await startRealtimeServer({ maxBufferedBytes: 1024 * 1024 });
    const slow = await connectUser(server, 'sess-alice');
    const otherTab = await connectUser(server, 'sess-alice-2');
    const bob = await connectUser(server, 'sess-bob');
    for (const c of [slow, otherTab, bob]) {
      c.send({ type: 'subscribe', project: 'p1' });
      await c.next('subscribed');
    }
    stopReading(slow);
    const slowSide = serverSocketOf(slow);

    let published = 0;
    while (slowSide.readyState === slowSide.OPEN && published < 2000) {
      await server.bus.publish('p1', 'file.updated', big(published++));
      if (published % 4 === 0) await tick(); // let the fast clients read
    }
    expect(slowSide.readyState).toBe(slowSide.CLOSING);
    for (let i = 0; i < 5; i++) await server.bus.publish('p1', 'file.updated', big(published++));

    for (const fast of [otherTab, bob]) {
      await fast.next('file.updated', (m) => m.seq === published, 5000);
      expect(fast.events('p1').map((m) => m.seq)).toEqual(Array.from({ length: published }, (_, i) => i + 1));
      expect(fast.ws.readyState).toBe(fast.ws.OPEN);
    }
    resumeReading(slow);
    expect((await slow.closedWithin(3000)).code).toBe(CloseCodes.tryAgainLater);
    // What it did get is a gap-free prefix: nothing was skipped silently before the drop.
    const got = slow.events('p1').map((m) => m.seq);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
    expect(got.length).toBeLessThan(published);
    await eventually(() => server.hub.connectionCount() === 2, 1000, 'slow socket removed');
    expect(server.hub.onlineUsers()).toEqual(['alice', 'bob']);
  });

  it('coalesces process.progress for a backed-up client to the latest per process, in order with other events', async () => {
    server = await startRealtimeServer({ maxBufferedBytes: 256 * 1024 * 1024 });
    const slow = await connectUser(server, 'sess-alice');
    const fast = await connectUser(server, 'sess-bob');
    for (const c of [slow, fast]) {
      c.send({ type: 'subscribe', project: 'p1' });
      await c.next('subscribed');
    }
    stopReading(slow);
    const slowSide = serverSocketOf(slow);
    for (let i = 0; slowSide.bufferedAmount < 1024 * 1024; i++) {
      if (i > 5000) throw new Error('send buffer never filled');
      await server.bus.publish('p1', 'file.updated', big(i));
      if (i % 4 === 0) await tick();
    }
    const progress = (processId: string, value: number) =>
      server.bus.publish('p1', 'process.progress', { processId, kind: 'sync', label: 'push', progress: value });
    for (let value = 1; value <= 100; value++) {
      await progress('job1', value);
      if (value <= 50) await progress('job2', value);
    }
    await server.bus.publish('p1', 'process.completed', { processId: 'job1', kind: 'sync', label: 'push', progress: 100 });

    resumeReading(slow);
    await slow.next('process.completed', () => true, 10_000);
    const tail = slow.history
      .filter((m) => m.type.startsWith('process.'))
      .map((m) => `${m.type}:${(m.data as { processId: string }).processId}:${(m.data as { progress: number }).progress}`);
    // job2 reached 50 before job1 went on from 51 to 100, so that is the order of the latest updates.
    expect(tail).toEqual(['process.progress:job2:50', 'process.progress:job1:100', 'process.completed:job1:100']);
    const allSeqs = slow.events('p1').map((m) => m.seq!);
    expect(allSeqs).toEqual([...allSeqs].sort((a, b) => a - b)); // never out of order
    // No file event was dropped for it; the fast client got every progress update.
    const fileSeqs = slow
      .events('p1')
      .filter((m) => m.type === 'file.updated')
      .map((m) => m.seq);
    expect(fileSeqs).toEqual(Array.from({ length: fileSeqs.length }, (_, i) => i + 1));
    await fast.next('process.completed');
    expect(fast.history.filter((m) => m.type === 'process.progress')).toHaveLength(150);
  });
});
