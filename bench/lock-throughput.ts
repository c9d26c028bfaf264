import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { api } from '@lockstep/protocol';
import { ADMIN_PASSWORD, loginAs, type Client } from '../packages/server/test/harness.js';
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

export interface LockOptions {
  clients?: number;
  seconds?: number;
  /** Files the clients share: `clients` (default) means each client has its own; fewer means 409s. */
  files?: number;
  env?: NodeJS.ProcessEnv;
  /** Skip the bare-Fastify baseline (when the caller compares two servers instead). */
  noBaseline?: boolean;
  /** Watches the database while the load runs (warm-up included); its report joins the figures. */
  probe?: () => Promise<{ stop(requests: number): Promise<object> }>;
}

/**
 * Check-out + cancel cycles from 32 concurrent HTTP clients (keep-alive), each logged in as its
 * own user with its own session, against the server at its default log level (info: one line per
 * request, as in production). With `files < clients` the clients contend: a check-out that finds
 * the file taken gets 409 and the client tries again (the 409-heavy variant).
 */
export async function run(opts: LockOptions = {}) {
  const clients = opts.clients ?? 32;
  const seconds = opts.seconds ?? 5;
  const files = opts.files ?? clients;
  // The server runs in its own process, so the load generator does not steal its CPU.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-lockbench-'));
  const server = await startInstance({
    dataDir,
    databaseUrl: opts.env?.DATABASE_URL,
    env: { LOG_LEVEL: opts.env?.LOG_LEVEL ?? 'info' }, // info is the default (config.ts); startInstance would otherwise set warn
    nodeArgs: profileArgs(),
  });
  const admin = await loginAs(server.url, 'admin', ADMIN_PASSWORD);
  await admin.post(api.projects, { slug: 'bench', name: 'bench' });
  const users: Client[] = [];
  for (let i = 0; i < clients; i++) {
    await admin.post(api.users, { username: `bencher${i}`, password: 'bench-password', role: 'user' });
    users.push(await loginAs(server.url, `bencher${i}`, 'bench-password'));
  }
  for (let i = 0; i < files; i++) await users[0]!.upload('bench', `${1000000 + i}_op.nc`, `G0 X${i}`);

  const probe = await opts.probe?.();
  const lockstep = await load(clients, seconds, (i) => {
    const file = `${1000000 + (i % files)}_op.nc`;
    const headers = users[i]!.headers();
    const checkout = () => request(`${server.url}${api.fileAction('bench', file, 'checkout')}`, 'POST', headers, '{}');
    const cancel = () => request(`${server.url}${api.fileAction('bench', file, 'cancel')}`, 'POST', headers, '{}');
    // A 409 (someone else holds it) ends the cycle; a 200 is followed by the cancel.
    return async (record) => {
      const res = await record(checkout, [200, 409]);
      if (res.status === 200) await record(cancel, [200]);
    };
  });
  const database = await probe?.stop(lockstep.count + lockstep.warmupCount);
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });

  let baseline: Awaited<ReturnType<typeof load>> | null = null;
  if (!opts.noBaseline) {
    const bare = await startBare();
    const hello = () => request(bare.url, 'POST', {}, '{}');
    baseline = await load(clients, seconds, () => async (record) => {
      await record(hello, [200]);
      await record(hello, [200]);
    });
    bare.stop();
  }

  const result = {
    mode: opts.env?.DATABASE_URL ? 'postgres' : 'sqlite',
    clients,
    files,
    'ops/s (HTTP requests)': round(lockstep.opsPerSec, 0),
    'check-outs granted/s': round((lockstep.statuses[200] ?? 0) / 2 / seconds, 0),
    '409 share': round((lockstep.statuses[409] ?? 0) / lockstep.count, 2),
    'op p50 ms': round(lockstep.op.p50),
    'op p99 ms': round(lockstep.op.p99),
    'cycle p99 ms': round(lockstep.cycle.p99),
    ...(baseline
      ? {
          'bare fastify ops/s': round(baseline.opsPerSec, 0),
          'bare op p99 ms': round(baseline.op.p99),
          'ratio lockstep/bare throughput': round(lockstep.opsPerSec / baseline.opsPerSec),
        }
      : {}),
    ...(database ? { database } : {}),
  };
  printTable(
    files < clients ? `Lock contention: ${clients} clients on ${files} files` : 'Lock throughput: check-out + cancel on distinct files',
    [result],
  );
  return result;
}

/** The distinct-files run and the 409-heavy run (32 clients on 4 files). */
export async function runBoth(opts: Omit<LockOptions, 'files'> = {}) {
  return { distinct: await run(opts), contended: await run({ ...opts, files: 4 }) };
}

/** BENCH_PROFILE=<dir> writes a V8 CPU profile of the server process there (open it in Chrome DevTools). */
function profileArgs(): string[] {
  const dir = process.env.BENCH_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : [];
}

type Response = { status: number; body: string };
/** Sends one request, times it and checks its status is one of `ok`. */
type Recorder = (send: () => Promise<Response>, ok: number[]) => Promise<Response>;

/**
 * Each client repeats its cycle. The first WARMUP_MS are not counted: they hold the connection
 * set-up and the JIT's first compilations, which would otherwise set the p99.
 */
async function load(clients: number, seconds: number, cycleOf: (client: number) => (record: Recorder) => Promise<void>) {
  const start = Date.now();
  const measureFrom = start + WARMUP_MS;
  const until = measureFrom + seconds * 1000;
  const ops: number[] = [];
  const cycles: number[] = [];
  const statuses: { [status: number]: number } = {};
  let warmupCount = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const cycle = cycleOf(i);
      while (Date.now() < until) {
        const counted = Date.now() >= measureFrom;
        const t0 = performance.now();
        await cycle(async (send, ok) => {
          const t = performance.now();
          const res = await send();
          if (!ok.includes(res.status)) throw new Error(`unexpected ${res.status}: ${res.body}`);
          if (!counted) warmupCount++;
          if (counted) {
            ops.push(performance.now() - t);
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          }
          return res;
        });
        if (counted) cycles.push(performance.now() - t0);
      }
    }),
  );
  return { opsPerSec: ops.length / seconds, count: ops.length, warmupCount, statuses, op: summarize(ops), cycle: summarize(cycles) };
}

const WARMUP_MS = 2000;

/**
 * PostgreSQL against SQLite with the same client in the same run (P7: PostgreSQL ≥ 0.5× SQLite),
 * both on distinct files. A fresh database, dropped afterwards.
 */
export async function runPostgres(opts: { clients?: number; seconds?: number } = {}) {
  const { createTestDatabase } = await import('../packages/server/test/scaleout/pg.js');
  const db = await createTestDatabase();
  try {
    const { startActivityProbe } = await import('./pg-activity.js');
    const postgres = await run({ ...opts, env: { DATABASE_URL: db.url }, noBaseline: true, probe: () => startActivityProbe(db.url) });
    const sqlite = await run({ ...opts, noBaseline: true });
    const ratio = round(postgres['ops/s (HTTP requests)'] / sqlite['ops/s (HTTP requests)']);
    printTable('PostgreSQL vs SQLite lock throughput (target ≥ 0.5)', [
      { postgres: postgres['ops/s (HTTP requests)'], sqlite: sqlite['ops/s (HTTP requests)'], ratio },
    ]);
    return { postgres, sqlite, 'ratio postgres/sqlite': ratio };
  } finally {
    await db.drop();
  }
}

runIfMain(import.meta.url, () => (process.argv.includes('--pg') ? runPostgres() : runBoth()));
