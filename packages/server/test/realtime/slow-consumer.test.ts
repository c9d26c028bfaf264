/**
 * Slow consumer under load: one client that never reads must not slow the 200 that do.
 * The server (realtime harness: real hub, real MemoryBus, maxBufferedBytes 256 KB) runs in its own
 * process (child-server.ts), so its RSS is the server's alone and the 200 clients here do not
 * compete with it for the same event loop. The same paced burst (300 × ~8 KB events) is sent
 * twice: once without and once with the paused client, and the p99 delivery latency is compared.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { CloseCodes } from '@lockstep/protocol';
import { startServerProcess, type ServerProcess } from './child-process.js';

const CLIENTS = 200;
const SESSIONS = ['sess-alice', 'sess-alice-2', 'sess-bob', 'sess-carol', 'sess-vic'];
const EVENTS = 300;
const EVENT_BYTES = 8 * 1024;
const INTERVAL_MS = 5;
/** Measurement pairs (without, with) tried before giving up; see the comment at the assertion. */
const ATTEMPTS = 3;
const PROJECT = 'p1';
const MAX_RSS_GROWTH = 64 * 1024 * 1024;

const now = () => performance.timeOrigin + performance.now();
// Both processes stamp with timeOrigin + now(): wall-clock based, sub-millisecond, same machine.
const FILL_PREFIX = /^\{"type":"file\.updated","ts":"[^"]+","seq":\d+,"project":"p2","data":\{"actor":"fill"/;
const EVENT_PREFIX =
  /^\{"type":"file\.updated","ts":"[^"]+","seq":(\d+),"project":"p1","data":\{"actor":"bench","path":"burst\/\d+\.nc","revision":"([\d.]+)"/;

interface Probe {
  ws: WebSocket;
  seqs: number[];
  latencies: number[];
  /** Every small (non-burst) message, parsed. */
  control: Array<{ type: string; data?: any }>;
  malformed: string[];
  /** Prefill events (project p2) received. */
  fills: number;
  closed: Promise<{ code: number }>;
  closeCode: number | null;
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function openProbe(url: string, session: string, projects = [PROJECT]): Promise<Probe> {
  const ws = new WebSocket(url, { headers: { cookie: `session=${session}` }, perMessageDeflate: false });
  const probe: Probe = { ws, seqs: [], latencies: [], control: [], malformed: [], fills: 0, closed: null!, closeCode: null };
  probe.closed = new Promise((resolve) =>
    ws.once('close', (code) => {
      probe.closeCode = code;
      resolve({ code });
    }),
  );
  ws.on('message', (data: RawData) => {
    const buf = data as Buffer;
    if (buf.length > 1024) {
      // Burst events: only the prefix is decoded (key order is the bus's wire order), so 60,000
      // full JSON.parse calls here do not become the thing being measured.
      const head = buf.toString('latin1', 0, 300);
      if (FILL_PREFIX.test(head)) {
        probe.fills++;
        return;
      }
      const m = EVENT_PREFIX.exec(head);
      if (!m) return void probe.malformed.push(head.slice(0, 120));
      probe.latencies.push(now() - Number(m[2]));
      probe.seqs.push(Number(m[1]));
    } else {
      probe.control.push(JSON.parse(buf.toString()));
    }
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket did not open within 5000 ms')), 5000);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  for (const project of projects) ws.send(JSON.stringify({ type: 'subscribe', project }));
  await waitFor(() => probe.control.filter((m) => m.type === 'subscribed').length === projects.length, 5000, 'subscribed');
  return probe;
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}
const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const range = (first: number, last: number) => Array.from({ length: last - first + 1 }, (_, i) => first + i);

describe('a slow consumer among 200 clients', () => {
  let server: ServerProcess;
  const clients: Probe[] = [];
  const slowOnes: Probe[] = [];
  const slowPorts: string[] = [];
  afterAll(async () => {
    for (const c of [...clients, ...slowOnes]) c.ws.terminate();
    await server.stop();
  });

  beforeAll(async () => {
    server = await startServerProcess('realtime', { MAX_BUFFERED_BYTES: String(256 * 1024) });
    for (let i = 0; i < CLIENTS; i += 50) {
      clients.push(...(await Promise.all(range(i, i + 49).map((n) => openProbe(server.hello.url, SESSIONS[n % SESSIONS.length]!)))));
    }
    expect((await server.stats()).connections).toBe(CLIENTS);
  });

  /** Sends one paced burst and waits (bounded) until every normal client has it all. */
  async function burst(events = EVENTS): Promise<{ first: number; last: number; latencies: number[] }> {
    for (const c of clients) {
      c.seqs = [];
      c.latencies = [];
    }
    // Start every run from the same idle state (the "with" run otherwise follows the slow client's set-up pause).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { first, last } = await server.request<{ first: number; last: number }>(
      { cmd: 'burst', project: PROJECT, events, bytes: EVENT_BYTES, intervalMs: INTERVAL_MS },
      15_000,
    );
    await waitFor(() => clients.every((c) => c.seqs.length >= events || c.closeCode !== null), 10_000, 'every client got the burst');
    for (const [i, c] of clients.entries()) {
      expect(c.closeCode, `client ${i} was closed`).toBeNull();
      expect(c.malformed, `client ${i} got malformed events`).toEqual([]);
      // Every event, in seq order, nothing twice.
      expect(c.seqs, `client ${i} seqs`).toEqual(range(first, last));
    }
    expect(last - first + 1).toBe(events);
    return { first, last, latencies: clients.flatMap((c) => c.latencies) };
  }

  it('drops the paused client with 1013 without slowing the other 200, and stays bounded in memory', async () => {
    await burst(); // warm-up (JIT, TCP windows, heap sizes), the same burst; not measured

    const before = await server.stats(); // also restarts the server's peak-RSS sampler
    let peakRss = before.rss;
    const stats = async () => {
      const s = await server.stats();
      peakRss = Math.max(peakRss, s.peakRss);
      return s;
    };
    const attempts: Array<{ without: number; with: number }> = [];
    const passes = (a: { without: number; with: number }) => a.with <= 1.2 * a.without + 15;

    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const without = await burst();

      // A second tab of a user already online (no presence noise), subscribed to p1 and to p2, which only it follows.
      const slow = await openProbe(server.hello.url, 'sess-alice-2', [PROJECT, 'p2']);
      slowOnes.push(slow);
      const slowSocket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void; localPort: number } })._socket;
      const slowPort = String(slowSocket.localPort);
      slowPorts.push(slowPort);
      expect((await stats()).connections).toBe(CLIENTS + 1);
      slowSocket.pause(); // never reads again: its server-side send buffer can only grow
      // On loopback the kernel buffers of a stalled connection hold megabytes (tcp_wmem max 4 MB here),
      // more than the whole 2.4 MB burst: fill them first, through p2 (the normal clients do not follow it),
      // until the server has some bytes queued in user space, but well under the 256 KB cap. This is the
      // state of any client that has stopped reading for a while; the burst then pushes it over the cap.
      const fill = await server.request<{ published: number; bufferedAmount: number; open: boolean }>(
        { cmd: 'fill', project: 'p2', port: slowPort, atLeast: 32 * 1024, bytes: 64 * 1024 },
        10_000,
      );
      expect(fill.open, 'the slow client survived the prefill').toBe(true);
      expect(fill.bufferedAmount).toBeLessThan(256 * 1024);

      const withSlow = await burst();
      const after = await stats();

      // The slow client was dropped with 1013, server side (its close frame sits behind the full buffer).
      expect(after.closeCodes[slowPort], 'server-side close codes of the paused client').toEqual([CloseCodes.tryAgainLater]);
      // ... and forgotten by the hub: the drop grace (2 s) ends in terminate → 'close' → removed.
      const deadline = Date.now() + 5000;
      let now_ = after;
      while (now_.connections !== CLIENTS && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        now_ = await stats();
      }
      expect(now_.connections, 'hub connections once the slow client is gone').toBe(CLIENTS);
      expect(now_.readyStates[slowPort], 'server side of the slow client').toBe(WebSocket.CLOSED);
      // No socket but the slow ones was ever closed by the server.
      expect(Object.keys(now_.closeCodes).sort()).toEqual([...slowPorts].sort());

      // The paused client, once it reads again, finds its socket closed: with 1013 if the close frame
      // got out before the grace period ended, else 1006 (the server destroyed the TCP socket).
      slowSocket.resume();
      const { code } = await Promise.race([
        slow.closed,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('paused client never saw its socket close')), 5000)),
      ]);
      expect([CloseCodes.tryAgainLater, 1006]).toContain(code);
      // What it got of the burst before the drop is a gap-free prefix, and not all of it.
      expect(slow.malformed).toEqual([]);
      expect(slow.seqs).toEqual(range(withSlow.first, withSlow.first + slow.seqs.length - 1));
      expect(slow.seqs.length).toBeLessThan(EVENTS);

      expect(without.latencies).toHaveLength(CLIENTS * EVENTS);
      expect(withSlow.latencies).toHaveLength(CLIENTS * EVENTS);
      const result = { without: p99(without.latencies), with: p99(withSlow.latencies) };
      attempts.push(result);
      console.log(
        `attempt ${attempt}: p99 delivery latency over ${CLIENTS} clients x ${EVENTS} events: ` +
          `without slow client ${result.without.toFixed(1)} ms, with ${result.with.toFixed(1)} ms ` +
          `(p50 ${p50(without.latencies).toFixed(1)} / ${p50(withSlow.latencies).toFixed(1)} ms); slow client got ${slow.seqs.length} events`,
      );
      if (passes(result)) break;
    }

    // 20 % relative headroom, plus 15 ms absolute: on 2 cores the server process, these 200 clients,
    // vitest's other worker (and, on a shared box, other processes: load average was ~8 while this was
    // written) share the CPUs, so one descheduling or GC pause shifts a p99 by tens of ms in either run,
    // whatever the server does. For the same reason a pair may be measured up to ATTEMPTS times; a hub
    // that waited on the slow socket (or queued behind it) would fail every pair, since every "with" run
    // contains the stall. Figures for each attempt are printed above.
    expect(attempts.some(passes), `p99 with/without per attempt: ${JSON.stringify(attempts)}`).toBe(true);

    // Server memory stayed bounded: each paused client costs at most its 256 KB cap (+ kernel buffers).
    // RSS of the server process alone: it runs in a child process, not in this one with the 200 clients.
    const growth = peakRss - before.rss;
    console.log(`server RSS ${(before.rss / 2 ** 20).toFixed(0)} MB -> peak ${(peakRss / 2 ** 20).toFixed(0)} MB`);
    expect(growth, `server RSS growth ${(growth / 2 ** 20).toFixed(1)} MB`).toBeLessThan(MAX_RSS_GROWTH);
    // The normal clients are all still connected.
    expect(clients.every((c) => c.ws.readyState === WebSocket.OPEN)).toBe(true);
  }, 40_000);
});
