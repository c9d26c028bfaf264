// Child process for bench/fanout.ts: holds a share of the WebSocket clients so their CPU and
// memory are not counted against the server process. Talks to the parent over IPC.
import { WebSocket } from 'ws';

export type ToClients =
  { cmd: 'connect'; url: string; count: number; firstId: number; users: number; subscribe: string | null } | { cmd: 'close' };
export type FromClients =
  { ev: 'connected'; ok: number; failed: number; error?: string } | { ev: 'round'; round: number; latencies: number[] } | { ev: 'closed' };

const now = () => performance.timeOrigin + performance.now(); // comparable across processes
const sockets: WebSocket[] = [];
const rounds = new Map<number, number[]>();
let expected = 0;
const reply = (message: FromClients) => process.send!(message);

function onMessage(raw: Buffer): void {
  const received = now();
  const message = JSON.parse(raw.toString()) as { data?: { round?: number; sentAt?: number } };
  const round = message.data?.round;
  if (round === undefined || message.data?.sentAt === undefined) return;
  let latencies = rounds.get(round);
  if (!latencies) rounds.set(round, (latencies = []));
  latencies.push(received - message.data.sentAt);
  if (latencies.length === expected) {
    rounds.delete(round);
    reply({ ev: 'round', round, latencies });
  }
}

function open(url: string, id: number, users: number, subscribe: string | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { 'x-bench-user': `bench-${id % users}` }, perMessageDeflate: false });
    ws.once('error', reject);
    const ready = () => {
      ws.removeListener('error', reject);
      ws.on('error', () => {});
      ws.on('message', onMessage);
      sockets.push(ws);
      resolve();
    };
    if (!subscribe) return void ws.once('open', ready);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe', project: subscribe })));
    const waitForSubscribed = (raw: Buffer) => {
      if (!raw.toString().startsWith('{"type":"subscribed"')) return;
      ws.removeListener('message', waitForSubscribed);
      ready();
    };
    ws.on('message', waitForSubscribed);
    ws.once('close', (code) => reject(new Error(`closed ${code} before subscribing`)));
  });
}

async function connect(cmd: Extract<ToClients, { cmd: 'connect' }>): Promise<void> {
  let ok = 0;
  let failed = 0;
  let error: string | undefined;
  const BATCH = 100; // stay under the listen backlog
  for (let start = 0; start < cmd.count; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, cmd.count - start) }, (_, i) =>
      open(cmd.url, cmd.firstId + start + i, cmd.users, cmd.subscribe),
    );
    for (const result of await Promise.allSettled(batch)) {
      if (result.status === 'fulfilled') ok++;
      else {
        failed++;
        const reason: unknown = (result.reason as { message?: unknown } | null | undefined)?.message ?? result.reason;
        error ??= String(reason);
      }
    }
  }
  expected = ok;
  reply({ ev: 'connected', ok, failed, error });
}

process.on('message', (cmd: ToClients) => {
  if (cmd.cmd === 'connect') void connect(cmd);
  if (cmd.cmd === 'close') {
    for (const ws of sockets) ws.terminate();
    sockets.length = 0;
    reply({ ev: 'closed' });
  }
});
