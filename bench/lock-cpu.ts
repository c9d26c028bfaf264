/**
 * CPU time per lock request (check-out + cancel cycles by 16 users on their own files), server and
 * HTTP client in one process: `process.cpuUsage()` counts this process only, so the figure holds on
 * a machine that other work keeps busy, where throughput does not. The client code is the same in
 * any tree: for an A/B against an older commit, copy this file into a worktree of it and run
 * `node --import tsx bench/lock-cpu.ts` in both, alternately.
 */
import { api } from '@lockstep/protocol';
import { startServer, type Client } from '../packages/server/test/harness.js';
import { request, round, runIfMain } from './util.js';

export async function run(opts: { users?: number; cycles?: number; rounds?: number } = {}) {
  const n = opts.users ?? 16;
  const count = opts.cycles ?? 100;
  const server = await startServer();
  const users: Client[] = [];
  for (let i = 0; i < n; i++) users.push(await server.createUser(`u${i}`, 'user'));
  await server.createProject('b');
  for (let i = 0; i < n; i++) await users[0]!.upload('b', `${1000000 + i}_op.nc`, `G0 X${i}`);
  const cycles = () =>
    Promise.all(
      users.map(async (u, i) => {
        const file = `${1000000 + i}_op.nc`;
        const headers = { ...u.headers(), 'content-type': 'application/json' };
        for (let k = 0; k < count; k++)
          for (const action of ['checkout', 'cancel'] as const) {
            const res = await request(`${server.url}${api.fileAction('b', file, action)}`, 'POST', headers, '{}');
            if (res.status !== 200) throw new Error(res.body);
          }
      }),
    );
  await cycles(); // warm-up: JIT and caches
  const perRequest: number[] = [];
  for (let r = 0; r < (opts.rounds ?? 5); r++) {
    const before = process.cpuUsage();
    await cycles();
    const used = process.cpuUsage(before);
    perRequest.push((used.user + used.system) / (n * count * 2));
  }
  await server.close();
  perRequest.sort((a, b) => a - b);
  const result = {
    'cpu µs per request (median)': round(perRequest[Math.floor(perRequest.length / 2)]!, 0),
    rounds: perRequest.map((v) => round(v, 0)),
  };
  console.log('RESULT', JSON.stringify(result));
  return result;
}

runIfMain(import.meta.url, run);
