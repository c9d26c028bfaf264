// Real Lockstep server processes (`node --import tsx packages/server/src/main.ts`): scale-out, crash and benchmark runs.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { ADMIN_PASSWORD } from './harness.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('./tsconfig.tsx.json', import.meta.url));

export interface Instance {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Everything the process printed (for failure messages). */
  output(): string;
  /** SIGKILL: no shutdown code runs. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a server process and waits for its health check. Without databaseUrl it runs on SQLite in dataDir. */
export async function startInstance(opts: {
  databaseUrl?: string;
  dataDir: string;
  port?: number;
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** The script to run instead of the sources through tsx (e.g. a bundle). */
  script?: string;
}): Promise<Instance> {
  const port = opts.port ?? (await freePort());
  const entry = opts.script ? [opts.script] : ['--import', 'tsx', 'packages/server/src/main.ts'];
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
      LOCKSTEP_DATA_DIR: opts.dataDir,
      LOCKSTEP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOCKSTEP_LOGIN_RATE_LIMIT: '10000',
      LOG_LEVEL: 'warn',
      TSX_TSCONFIG_PATH: TSCONFIG,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`instance on port ${port} exited (${proc.exitCode}) during start:\n${out}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`instance on port ${port} did not become healthy in 45 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    proc,
    output: () => out,
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}
