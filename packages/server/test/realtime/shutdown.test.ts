import { describe, expect, it } from 'vitest';
import { CloseCodes } from '@lockstep/protocol';
import { connectUser, startRealtimeServer } from './realtime-harness.js';

describe('shutdown', () => {
  it('closes every connection with 1001 when the app closes, and stops listening to the bus', async () => {
    const server = await startRealtimeServer();
    const clients = [
      await connectUser(server, 'sess-alice'),
      await connectUser(server, 'sess-alice-2'),
      await connectUser(server, 'sess-bob'),
    ];
    await server.app.close();
    for (const client of clients) expect((await client.closedWithin()).code).toBe(CloseCodes.goingAway);
    expect(server.hub.connectionCount()).toBe(0);
    expect(server.hub.onlineUsers()).toEqual([]);
    // Nobody said goodbye with presence.left during shutdown.
    expect(clients.flatMap((c) => c.history).filter((m) => m.type === 'presence.left')).toEqual([]);
    await server.hub.close(); // idempotent
    await server.bus.close();
  });
});
