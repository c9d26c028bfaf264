// TEST-ONLY: runs a Lockstep server in a child process (started by child-process.ts with `node --import tsx`),
// driven over IPC. Two reasons to leave the test process:
//  - the slow-consumer test measures the *server's* RSS and latency; 200 clients in the same process
//    would dominate both (their parse garbage, their share of the CPU);
//  - the hostile-frames test must survive a server crash (an uncaught exception in a ws 'message'
//    handler kills the process) and report it as a failed assertion rather than take vitest down.
// Modes (argv[2]): `realtime` = realtime-harness server (MemoryBus, test sessions), `app` = the real app.
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import type { EventBus } from '../../src/events/bus.js';
import type { RealtimeHub } from '../../src/realtime/index.js';

export type ChildRequest =
  | { cmd: 'burst'; project: string; events: number; bytes: number; intervalMs: number }
  | { cmd: 'publish'; project: string; count: number }
  /** Publishes big events to `project` until the server socket of client `port` has bufferedAmount ≥ `atLeast`. */
  | { cmd: 'fill'; project: string; port: string; atLeast: number; bytes: number }
  | { cmd: 'stats' }
  | { cmd: 'exit' };

export interface ChildStats {
  connections: number;
  rss: number;
  /** Highest RSS sampled (every 5 ms) since the previous `stats` request. */
  peakRss: number;
  /** Every close(code) the server called on one of its sockets, keyed by the client's TCP port. */
  closeCodes: Record<string, number[]>;
  /** Server-side readyState of each still-known socket, keyed by the client's TCP port. */
  readyStates: Record<string, number>;
  bufferedAmounts: Record<string, number>;
}

export interface ChildHello {
  url: string;
  dataDir?: string;
  cookies?: Record<string, string>;
}

const closeCodes: Record<string, number[]> = {};
const sockets = new Map<string, WebSocket>();
// A server-side hook: record the code of every close() the server initiates (this process runs no clients).
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with .call(this)
const originalClose = WebSocket.prototype.close;
WebSocket.prototype.close = function patchedClose(this: WebSocket, code?: number, reason?: string | Buffer) {
  const port = String((this as unknown as { _socket?: { remotePort?: number } })._socket?.remotePort);
  (closeCodes[port] ??= []).push(code ?? 1005);
  originalClose.call(this, code, reason);
};

let peakRss = process.memoryUsage().rss;
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5).unref();

const now = () => performance.timeOrigin + performance.now();
const sleepUntil = (t: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, t - now())));

async function main(): Promise<void> {
  const mode = process.argv[2];
  let bus: EventBus;
  let hub: RealtimeHub;
  let wss: { clients: Set<WebSocket>; on(event: 'connection', cb: (ws: WebSocket) => void): void };
  let close: () => Promise<void>;
  let hello: ChildHello;
  if (mode === 'realtime') {
    const { startRealtimeServer } = await import('./realtime-harness.js');
    const server = await startRealtimeServer({
      maxBufferedBytes: Number(process.env.MAX_BUFFERED_BYTES ?? 256 * 1024),
      heartbeatMs: 60_000,
    });
    ({ bus, hub } = server);
    wss = server.app.websocketServer;
    close = server.close;
    hello = { url: server.url };
  } else if (mode === 'app') {
    const { startServer } = await import('../harness.js');
    const server = await startServer({ config: { wsMaxPayloadBytes: 64 * 1024, heartbeatMs: 60_000 } });
    const mallory = await server.createUser('mallory', 'viewer');
    await server.createProject('shop');
    await server.createProject('other');
    const up = await server.admin.upload('shop', 'part.mcam', 'G0 X0');
    if (up.status !== 201) throw new Error(`upload: ${up.status} ${up.text}`);
    bus = server.app.services.bus;
    hub = server.app.hub;
    wss = server.app.app.websocketServer;
    close = server.close;
    hello = { url: server.url, dataDir: server.dataDir, cookies: { mallory: mallory.cookie, admin: server.admin.cookie } };
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  wss.on('connection', (ws) => {
    const port = String((ws as unknown as { _socket: { remotePort: number } })._socket.remotePort);
    sockets.set(port, ws);
  });

  const handle = async (req: ChildRequest): Promise<unknown> => {
    switch (req.cmd) {
      case 'burst': {
        // Paced: one event every intervalMs on a fixed schedule (not "interval after the last one"),
        // stamped with the publish time (epoch ms, sub-ms precision) so clients can compute latency.
        const pad = 'x'.repeat(req.bytes);
        const start = now();
        let first = 0;
        let last = 0;
        for (let i = 0; i < req.events; i++) {
          await sleepUntil(start + i * req.intervalMs);
          const data = { actor: 'bench', path: `burst/${i}.nc`, revision: now().toFixed(3), file: null, message: pad };
          const event = await bus.publish(req.project, 'file.updated', data);
          if (i === 0) first = event.seq;
          last = event.seq;
        }
        return { first, last };
      }
      case 'publish': {
        const seqs: number[] = [];
        for (let i = 0; i < req.count; i++) {
          seqs.push((await bus.publish(req.project, 'file.updated', { actor: 'admin', path: `secret-${i}.nc`, file: null })).seq);
        }
        return seqs;
      }
      case 'fill': {
        const ws = sockets.get(req.port);
        if (!ws) throw new Error(`no server socket for client port ${req.port}`);
        const pad = 'f'.repeat(req.bytes);
        let published = 0;
        while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount < req.atLeast) {
          if (published >= 2000) throw new Error(`send buffer never filled: ${ws.bufferedAmount}`);
          await bus.publish(req.project, 'file.updated', { actor: 'fill', path: `fill/${published++}.nc`, file: null, message: pad });
          await new Promise((resolve) => setImmediate(resolve)); // let the kernel take what it will
        }
        return { published, bufferedAmount: ws.bufferedAmount, open: ws.readyState === WebSocket.OPEN };
      }
      case 'stats': {
        const readyStates: Record<string, number> = {};
        const bufferedAmounts: Record<string, number> = {};
        for (const [port, ws] of sockets) {
          readyStates[port] = ws.readyState;
          bufferedAmounts[port] = ws.bufferedAmount;
        }
        const stats: ChildStats = {
          connections: hub.connectionCount(),
          rss: process.memoryUsage().rss,
          peakRss,
          closeCodes,
          readyStates,
          bufferedAmounts,
        };
        peakRss = process.memoryUsage().rss;
        return stats;
      }
      case 'exit':
        await close();
        setImmediate(() => process.exit(0));
        return null;
    }
  };

  process.on('message', (msg: { id: number; req: ChildRequest }) => {
    handle(msg.req).then(
      (result) => process.send!({ id: msg.id, result }),
      (error: unknown) => process.send!({ id: msg.id, error: String((error as { stack?: unknown } | null | undefined)?.stack ?? error) }),
    );
  });
  process.send!({ id: 0, result: hello });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
