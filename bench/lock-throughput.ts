import Fastify from 'fastify';
import { api } from '@lockstep/protocol';
import { startServer } from '../packages/server/test/harness.js';
import { printTable, request, round, summarize } from './util.js';

/**
 * Check-out + cancel cycles on distinct files from 32 concurrent HTTP clients (keep-alive),
 * against a bare Fastify "hello" route under the same load as the HTTP ceiling of this machine.
 */
export async function run(opts: { clients?: number; seconds?: number; env?: NodeJS.ProcessEnv } = {}) {
  const clients = opts.clients ?? 32;
  const seconds = opts.seconds ?? 5;
  const server = await startServer({ env: opts.env });
  await server.createProject('bench');
  const user = await server.createUser('bencher', 'user');
  for (let i = 0; i < clients; i++) await user.upload('bench', `${1000000 + i}_op.nc`, `G0 X${i}`);
  const headers = user.headers();

  const lockstep = await load(clients, seconds, async (i) => {
    const path = `${1000000 + i}_op.nc`;
    const co = await request(`${server.url}${api.fileAction('bench', path, 'checkout')}`, 'POST', headers, '{}');
    const ca = await request(`${server.url}${api.fileAction('bench', path, 'cancel')}`, 'POST', headers, '{}');
    if (co.status !== 200 || ca.status !== 200) throw new Error(`unexpected ${co.status}/${ca.status}: ${co.body}`);
  });
  await server.close();

  const bare = Fastify();
  bare.post('/hello', async () => ({ ok: true }));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/hello`;
  const baseline = await load(clients, seconds, async () => {
    await request(bareUrl, 'POST', {}, '{}');
    await request(bareUrl, 'POST', {}, '{}');
  });
  await bare.close();

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

if (import.meta.url === `file://${process.argv[1]}`) await run();
