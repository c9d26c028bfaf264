import type { ProjectEventMap } from '@lockstep/protocol';
// Fan-out benchmark: one event to N subscribed WebSocket clients, through the realtime hub and
// through a bare `ws` server broadcasting the same bytes (encoded once, like the hub). Clients live in child processes so the
// server process's CPU and RSS are its own.
//   node --expose-gc --import tsx bench/fanout.ts [--clients 2000] [--rounds 20] [--procs 2]
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { WebSocketServer } from 'ws';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteBus } from '../packages/server/src/events/sqlite-bus.js';
import { openDatabase } from '../packages/server/src/store/db.js';
import { registerRealtime } from '../packages/server/src/realtime/index.js';
import type { FromClients, ToClients } from './fanout-clients.js';

export interface FanoutOptions {
  clients?: number;
  rounds?: number;
  /** Client child processes. */
  procs?: number;
  /** Distinct users among the clients (presence is per user; each join is broadcast to everyone). */
  users?: number;
  log?: (line: string) => void;
}
export interface Latency {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}
export interface FanoutResult {
  clients: number;
  rounds: number;
  hub: Latency & { publishMs: number };
  bareWs: Latency & { publishMs: number };
  /** hub ÷ bare ws. */
  ratio: { p50: number; p99: number; max: number };
  rssPerIdleConnectionBytes: number;
  connectSeconds: number;
}

const now = () => performance.timeOrigin + performance.now();
const PROJECT = 'bench';

export async function run(opts: FanoutOptions = {}): Promise<FanoutResult> {
  const { clients = 2000, rounds = 20, procs = 2, users = 10, log = () => {} } = opts;
  const children = startChildren(procs);
  try {
    // Realtime hub on Fastify, auth from a test header, the embedded outbox bus on a temporary SQLite file.
    const app = Fastify({ logger: false });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-fanout-'));
    const { db } = await openDatabase({ dataDir, databaseUrl: null });
    const bus = await SqliteBus.create({ db, replayBufferSize: 100 });
    await registerRealtime(app, {
      bus,
      authenticate: (req) => {
        const name = req.headers['x-bench-user'];
        return Promise.resolve(
          typeof name === 'string' ? { id: 1, username: name, role: 'user' as const, session: `s:${name}`, expiresAt: null } : null,
        );
      },
      canReadProject: () => Promise.resolve(true),
      isReady: () => true,
      heartbeatMs: 60_000,
      maxBufferedBytes: 8 * 1024 * 1024,
      maxPayloadBytes: 64 * 1024,
      allowedOrigins: [],
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const hubUrl = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/ws`;

    const rssBefore = settledRss();
    const started = now();
    await connectAll(children, hubUrl, clients, users, PROJECT);
    const connectSeconds = (now() - started) / 1000;
    const rssPerIdleConnectionBytes = (settledRss() - rssBefore) / clients;
    log(`hub: ${clients} clients connected and subscribed in ${connectSeconds.toFixed(1)} s`);

    const hub = await measure(children, rounds, (round) => {
      // A partial file view is enough for a fan-out payload; stored in the outbox, then fanned out.
      void bus.publish(PROJECT, 'file.updated', benchData(round) as unknown as ProjectEventMap['file.updated']);
    });
    await closeAll(children);
    await app.close();
    await bus.close();
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });

    // The same payload to the same number of clients from a bare ws server, encoded to UTF-8 once
    // per broadcast and sent as a text frame, exactly as the hub does (realtime/hub.ts).
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise((resolve) => wss.once('listening', resolve));
    await connectAll(children, `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, clients, users, null);
    log(`bare ws: ${clients} clients connected`);
    let seq = 0;
    const bareWs = await measure(children, rounds, (round) => {
      const text = Buffer.from(
        JSON.stringify({
          type: 'file.updated',
          ts: new Date().toISOString(),
          seq: ++seq,
          project: PROJECT,
          data: benchData(round),
        }),
      );
      for (const client of wss.clients) client.send(text, { binary: false });
    });
    await closeAll(children);
    await new Promise((resolve) => wss.close(resolve));

    return {
      clients,
      rounds,
      hub,
      bareWs,
      rssPerIdleConnectionBytes,
      connectSeconds,
      ratio: { p50: hub.p50 / bareWs.p50, p99: hub.p99 / bareWs.p99, max: hub.max / bareWs.max },
    };
  } finally {
    for (const child of children) child.kill();
  }
}

/** A realistic file event (~350 bytes) carrying the send time. */
function benchData(round: number) {
  return {
    actor: 'alice',
    path: '1234567_op1.mcam',
    message: 'roughing pass retuned',
    revision: 'C',
    file: { path: '1234567_op1.mcam', name: '1234567_op1.mcam', group: '12XXXXX', status: 'locked', lockedBy: 'alice' },
    round,
    sentAt: now(),
  };
}

async function measure(
  children: ChildProcess[],
  rounds: number,
  publish: (round: number) => void,
): Promise<Latency & { publishMs: number }> {
  const samples: number[] = [];
  let publishMs = 0;
  for (let round = -2; round < rounds; round++) {
    // two warm-up rounds
    const done = Promise.all(children.map((child) => next(child, (m) => m.ev === 'round' && m.round === round)));
    const t0 = now();
    publish(round);
    if (round >= 0) publishMs += now() - t0;
    const results = await withTimeout(done, 30_000, `round ${round}`);
    if (round >= 0) for (const r of results) if (r.ev === 'round') samples.push(...r.latencies);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { p50: at(0.5), p99: at(0.99), max: samples[samples.length - 1] ?? NaN, mean, publishMs: publishMs / rounds };
}

function startChildren(procs: number): ChildProcess[] {
  const script = fileURLToPath(new URL('./fanout-clients.ts', import.meta.url));
  return Array.from({ length: procs }, () => fork(script, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' }));
}

async function connectAll(children: ChildProcess[], url: string, clients: number, users: number, subscribe: string | null): Promise<void> {
  const share = Math.ceil(clients / children.length);
  const replies = await Promise.all(
    children.map((child, i) => {
      const count = Math.max(0, Math.min(share, clients - i * share));
      const reply = next(child, (m) => m.ev === 'connected');
      child.send({ cmd: 'connect', url, count, firstId: i * share, users, subscribe } satisfies ToClients);
      return withTimeout(reply, 120_000, 'connect');
    }),
  );
  const failed = replies.reduce((n, r) => n + (r.ev === 'connected' ? r.failed : 0), 0);
  if (failed > 0) {
    const error = replies.map((r) => (r.ev === 'connected' ? r.error : undefined)).find(Boolean) ?? '';
    const hint = /EMFILE|ENFILE|EADDRNOTAVAIL/.test(error)
      ? ' — out of file descriptors/ports: raise `ulimit -n` (e.g. ulimit -n 65536) and check net.ipv4.ip_local_port_range'
      : '';
    throw new Error(`${failed} of ${clients} clients failed to connect: ${error}${hint}`);
  }
}

async function closeAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map((child) => {
      const reply = next(child, (m) => m.ev === 'closed');
      child.send({ cmd: 'close' } satisfies ToClients);
      return reply;
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the server see the closes
}

function next(child: ChildProcess, match: (m: FromClients) => boolean): Promise<FromClients> {
  return new Promise((resolve) => {
    const onMessage = (m: FromClients) => {
      if (!match(m)) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
  });
}

function settledRss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const result = await run({
    clients: arg('clients', 2000),
    rounds: arg('rounds', 20),
    procs: arg('procs', 2),
    users: arg('users', 10),
    log: console.log,
  });
  const row = (name: string, l: Latency & { publishMs: number }) =>
    `${name.padEnd(8)} p50 ${ms(l.p50)}  p99 ${ms(l.p99)}  max ${ms(l.max)}  mean ${ms(l.mean)}  send loop ${ms(l.publishMs)}`;
  console.log(`\nfan-out of one event to ${result.clients} clients, ${result.rounds} rounds (delivery latency per client)`);
  console.log(row('hub', result.hub));
  console.log(row('bare ws', result.bareWs));
  console.log(`ratio    p50 ${result.ratio.p50.toFixed(2)}×  p99 ${result.ratio.p99.toFixed(2)}×  max ${result.ratio.max.toFixed(2)}×`);
  console.log(`RSS per idle subscribed connection (hub): ${(result.rssPerIdleConnectionBytes / 1024).toFixed(1)} KiB`);
  if (!(globalThis as { gc?: unknown }).gc) console.log('(run with node --expose-gc for a steadier RSS figure)');
}
