import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api } from '@lockstep/protocol';
import { ADMIN_PASSWORD, loginAs } from '../packages/server/test/harness.js';
import { freePort, startInstance } from '../packages/server/test/instances.js';
import { printTable, request, round, summarize } from './util.js';

/** A bare Fastify server in its own process: the HTTP ceiling of this machine. */
async function startBare(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const code = `import('fastify').then(async ({ default: F }) => { const a = F(); a.post('/hello', async () => ({ ok: true })); await a.listen({ port: ${port}, host: '127.0.0.1' }); console.log('ready'); })`;
  const child = spawn(process.execPath, ['-e', code], { cwd: path.resolve(import.meta.dirname, '../packages/server'), stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout!.once('data', r));
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
  const server = await startInstance({ dataDir, databaseUrl: opts.env?.DATABASE_URL, env: { LOG_LEVEL: 'warn' } });
  const admin = await loginAs(server.url, 'admin', ADMIN_PASSWORD);
  await admin.post(api.projects, { slug: 'bench', name: 'bench' });
  await admin.post(api.users, { username: 'bencher', password: 'bench-password', role: 'user' });
  const user = await loginAs(server.url, 'bencher', 'bench-password');
  for (let i = 0; i < clients; i++) await user.upload('bench', `${1000000 + i}_op.nc`, `G0 X${i}`);
  const headers = user.headers();

  const lockstep = await load(clients, seconds, async (i) => {
    const path = `${1000000 + i}_op.nc`;
    const co = await request(`${server.url}${api.fileAction('bench', path, 'checkout')}`, 'POST', headers, '{}');
    const ca = await request(`${server.url}${api.fileAction('bench', path, 'cancel')}`, 'POST', headers, '{}');
    if (co.status !== 200 || ca.status !== 200) throw new Error(`unexpected ${co.status}/${ca.status}: ${co.body}`);
  });
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });

  const bare = await startBare();
  const baseline = await load(clients, seconds, async () => {
    await request(bare.url, 'POST', {}, '{}');
    await request(bare.url, 'POST', {}, '{}');
  });
  bare.stop();

  const result = {
    mode: opts.env?.DATABASE_URL ? 'postgres' : 'sqlite',
    clients,
    'lockstep cycles/s': round(lockstep.opsPerSec, 0),
    'lockstep HTTP req/s': round(lockstep.opsPerSec * 2, 0),
    'cycle p50 ms': round(lockstep.p50),
    'cycle p99 ms': round(lockstep.p99),
    'bare fastify cycles/s (2 req)': round(baseline.opsPerSec, 0),
    'bare p99 ms': round(baseline.p99),
    'ratio lockstep/bare throughput': round(lockstep.opsPerSec / baseline.opsPerSec),
  };
  printTable('Lock throughput: check-out + cancel on distinct files', [result]);
  return result;
}

async function load(clients: number, seconds: number, op: (client: number) => Promise<void>) {
  const until = Date.now() + seconds * 1000;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      while (Date.now() < until) {
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { opsPerSec: latencies.length / seconds, ...summarize(latencies) };
}

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

if (import.meta.url === `file://${process.argv[1]}`) await (process.argv.includes('--pg') ? runPostgres() : run());
