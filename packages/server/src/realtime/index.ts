import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WebSocket } from 'ws';
import { checkHandshake, type HandshakeResult } from './handshake.js';
import { Hub } from './hub.js';
import type { RealtimeHub, RealtimeOptions } from './types.js';

export type { RealtimeHub, RealtimeOptions, RealtimeUser } from './types.js';

/**
 * Registers @fastify/websocket and GET /ws. Auth, origin and readiness are decided in a
 * preValidation hook, before the 101, so the socket handler itself is synchronous and cannot miss
 * a client's first frames while an await is pending.
 */
export async function registerRealtime(app: FastifyInstance, opts: RealtimeOptions): Promise<RealtimeHub> {
  const hub = new Hub(opts, app.log);
  const handshakes = new WeakMap<FastifyRequest, HandshakeResult>();

  await app.register(websocket, {
    // No per-message deflate: each broadcast string is sent as-is to every subscriber.
    options: { maxPayload: opts.maxPayloadBytes, perMessageDeflate: false },
    // ws has already sent the right close code (e.g. 1009) for protocol errors; don't terminate over it.
    errorHandler(error, socket, request) {
      request.log.info({ err: error }, 'websocket error');
      if (socket.readyState === WebSocket.OPEN) socket.close(1011, 'internal error');
    },
    preClose: async () => {
      await hub.close();
      app.websocketServer.close();
    },
  });

  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (request) => {
        if (request.ws) handshakes.set(request, await checkHandshake(request, opts));
      },
    },
    (socket, request) => {
      const handshake = handshakes.get(request);
      handshakes.delete(request);
      if (!handshake) {
        socket.close(1011, 'handshake missing');
        return;
      }
      if (!handshake.ok) {
        socket.close(handshake.code, handshake.reason);
        return;
      }
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- a real ws socket; @types/ws names the class through an interface alias
      hub.accept(socket, handshake.user);
    },
  );

  return hub;
}
