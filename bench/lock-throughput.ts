import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api } from '@lockstep/protocol';
import { ADMIN_PASSWORD, loginAs } from '../packages/server/test/harness.js';
import { freePort, startInstance } from '../packages/server/test/instances.js';
import { printTable, request, round, summarize, runIfMain } from './util.js';

/** A bare Fastify server in its own process: the HTTP ceiling of this machine. */
async function startBare(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const code = `import('fastify').then(async ({ default: F }) => { const a = F(); a.post('/hello', async () => ({ ok: true })); await a.listen({ port: ${port}, host: '127.0.0.1' }); console.log('ready'); })`;
  const child = spawn(process.execPath, ['-e', code], {
    cwd: path.resolve(import.meta.dirname, '../packages/server'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((r) => child.stdout.once('data', r));
  return { url: `http://127.0.0.1:${port}/hello`, stop: () => child.kill('SIGKILL') };
}

/**
 * Check-out + cancel cycles on distinct files from 32 concurrent HTTP clients (keep-alive),
 * against a bare Fastify "hello" route under the same load as the HTTP ceiling of this machine.
 */
export async function run(opts: { clients?: number; seconds?: number; env?: NodeJS.ProcessEnv } = {}) {
  const clients = opts.clients ?? 32;
  const seconds = opts.seconds ?? 5;
  // The server runs in its own process, so the load generator does not steal its CPU.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-lockbench-'));
  const server = await startInstance({ dataDir, databaseUrl: opts.env?.DATABASE_URL, env: { LOG_LEVEL: 'warn' }, nodeArgs: profileArgs() });
  const admin = await loginAs(server.url, 'admin', ADMIN_PASSWORD);
  await admin.post(api.projects, { slug: 'bench', name: 'bench' });
  await admin.post(api.users, { username: 'bencher', password: 'bench-password', role: 'user' });
  const user = await loginAs(server.url, 'bencher', 'bench-password');
  for (let i = 0; i < clients; i++) await user.upload('bench', `${1000000 + i}_op.nc`, `G0 X${i}`);
  const headers = user.headers();

  const lockstep = await load(clients, seconds, (i) => {
    const path = `${1000000 + i}_op.nc`;
    return [
      () => request(`${server.url}${api.fileAction('bench', path, 'checkout')}`, 'POST', headers, '{}'),
      () => request(`${server.url}${api.fileAction('bench', path, 'cancel')}`, 'POST', headers, '{}'),
    ];
  });
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });

  const bare = await startBare();
  const hello = () => request(bare.url, 'POST', {}, '{}');
  const baseline = await load(clients, seconds, () => [hello, hello]);
  bare.stop();

  const result = {
    mode: opts.env?.DATABASE_URL ? 'postgres' : 'sqlite',
    clients,
    'ops/s (HTTP requests)': round(lockstep.opsPerSec, 0),
    'cycles/s': round(lockstep.opsPerSec / 2, 0),
    'op p50 ms': round(lockstep.op.p50),
    'op p99 ms': round(lockstep.op.p99),
    'cycle p99 ms': round(lockstep.cycle.p99),
    'bare fastify ops/s': round(baseline.opsPerSec, 0),
    'bare op p99 ms': round(baseline.op.p99),
    'ratio lockstep/bare throughput': round(lockstep.opsPerSec / baseline.opsPerSec),
  };
  printTable('Lock throughput: check-out + cancel on distinct files', [result]);
  return result;
}

/** BENCH_PROFILE=<dir> writes a V8 CPU profile of the server process there (open it in Chrome DevTools). */
function profileArgs(): string[] {
  const dir = process.env.BENCH_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : [];
}

type Request = () => Promise<{ status: number; body: string }>;

/**
 * Each client repeats its cycle of requests. The first WARMUP_MS are not counted: they hold the
 * connection set-up and the JIT's first compilations, which would otherwise set the p99.
 */
async function load(clients: number, seconds: number, cycleOf: (client: number) => Request[]) {
  const start = Date.now();
  const measureFrom = start + WARMUP_MS;
  const until = measureFrom + seconds * 1000;
  const ops: number[] = [];
  const cycles: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const cycle = cycleOf(i);
      while (Date.now() < until) {
        const counted = Date.now() >= measureFrom;
        const t0 = performance.now();
        for (const send of cycle) {
          const t = performance.now();
          const res = await send();
          if (res.status !== 200) throw new Error(`unexpected ${res.status}: ${res.body}`);
          if (counted) ops.push(performance.now() - t);
        }
        if (counted) cycles.push(performance.now() - t0);
      }
    }),
  );
  return { opsPerSec: ops.length / seconds, op: summarize(ops), cycle: summarize(cycles) };
}

const WARMUP_MS = 2000;

/** The same on PostgreSQL (a fresh database, dropped afterwards). */
export async function runPostgres(opts: { clients?: number; seconds?: number } = {}) {
  const { createTestDatabase } = await import('../packages/server/test/scaleout/pg.js');
  const db = await createTestDatabase();
  try {
    return await run({ ...opts, env: { DATABASE_URL: db.url } });
  } finally {
    await db.drop();
  }
}

runIfMain(import.meta.url, () => (process.argv.includes('--pg') ? runPostgres() : run()));
