import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { printTable, round, runIfMain } from './util.js';

const root = path.resolve(import.meta.dirname, '..');

/**
 * CPU time (user + system, all threads) the process has used so far, from /proc (Linux): on a
 * shared machine wall time mostly measures the other tenants, CPU time what start-up costs.
 */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100)
}

/** Time from spawning a process to its first 200 on the health URL, and the CPU it used until then. */
async function timeToHealthy(args: string[], env: NodeJS.ProcessEnv, port: number, url: string): Promise<{ wall: number; cpu: number }> {
  const t = performance.now();
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: String(port) }, stdio: 'ignore', cwd: root });
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}${url}`);
        if (res.status === 200) return { wall: performance.now() - t, cpu: cpuMs(child.pid!) };
      } catch {
        /* not listening yet */
      }
      if (performance.now() - t > 30_000) throw new Error(`no 200 from ${args.join(' ')} within 30 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

export async function run() {
  const main = path.join(root, 'packages/server/dist/main.js');
  const unbundledMain = path.join(root, 'packages/server/dist/main-unbundled.js');
  if (!fs.existsSync(main) || !fs.existsSync(unbundledMain)) throw new Error('build first: npm run setup');
  const runs = 7;
  // npm start runs dist/main.js, the esbuild bundle; dist/main-unbundled.js is tsc's output (one module file at a time).
  const starts: Record<'bundle' | 'unbundled' | 'bare', { wall: number[]; cpu: number[] }> = {
    bundle: { wall: [], cpu: [] },
    unbundled: { wall: [], cpu: [] },
    bare: { wall: [], cpu: [] },
  };
  const record = (into: { wall: number[]; cpu: number[] }, r: { wall: number; cpu: number }) => {
    into.wall.push(r.wall);
    into.cpu.push(r.cpu);
  };
  for (let i = 0; i < runs; i++) {
    for (const [k, file] of [
      ['bundle', main],
      ['unbundled', unbundledMain],
    ] as const) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-cold-'));
      const env = { LOCKSTEP_DATA_DIR: dataDir, LOCKSTEP_ADMIN_PASSWORD: 'cold-start-pw' };
      record(starts[k], await timeToHealthy([file], env, 39000 + i + (k === 'bundle' ? 0 : 50), '/api/health'));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    const hello = `require('http').createServer((q,s)=>s.end('ok')).listen(${39100 + i},'127.0.0.1')`;
    record(starts.bare, await timeToHealthy(['-e', hello], {}, 39100 + i, '/'));
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const wall = (k: keyof typeof starts) => median(starts[k].wall);
  const cpu = (k: keyof typeof starts) => median(starts[k].cpu);
  const result = {
    'lockstep cold start → first 200 on /api/health (median ms, first start incl. migrations)': round(wall('bundle'), 0),
    'bare node http server (median ms)': round(wall('bare'), 0),
    ratio: round(wall('bundle') / wall('bare')),
    'lockstep CPU ms to first 200 (median)': round(cpu('bundle'), 0),
    'bare node CPU ms (median)': round(cpu('bare'), 0),
    'CPU ratio': round(cpu('bundle') / cpu('bare')),
    'unbundled (dist/main-unbundled.js) median ms': round(wall('unbundled'), 0),
    'unbundled CPU ms (median)': round(cpu('unbundled'), 0),
    runs,
    loadavg: os.loadavg()[0],
  };
  printTable('Cold start', [result]);
  return result;
}

runIfMain(import.meta.url, run);
