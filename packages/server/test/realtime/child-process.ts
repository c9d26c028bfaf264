// TEST-ONLY: starts child-server.ts in its own Node process and talks to it over IPC, every wait bounded.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildHello, ChildRequest, ChildStats } from './child-server.js';

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly hello: ChildHello;
  /** stderr so far (a crash's stack trace ends up here). */
  stderr(): string;
  /** Exit code once the process has exited, else null. */
  exitCode(): number | null;
  request<T = unknown>(req: ChildRequest, timeoutMs?: number): Promise<T>;
  stats(): Promise<ChildStats>;
  /** Asks it to close cleanly, then kills it (by its own pid) if it has not exited in time. */
  stop(): Promise<void>;
}

export async function startServerProcess(
  mode: 'realtime' | 'app',
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<ServerProcess> {
  const script = fileURLToPath(new URL('./child-server.ts', import.meta.url));
  const child = fork(script, [mode], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  let exited: number | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = code ?? (signal ? 128 : -1);
      resolve();
    }),
  );
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  child.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error !== undefined) p.reject(new Error(`child: ${msg.error}`));
    else p.resolve(msg.result);
  });
  void exit.then(() => {
    for (const p of pending.values()) p.reject(new Error(`server process exited (${exited}): ${stderr.slice(-2000)}`));
    pending.clear();
  });

  const call = <T>(id: number, send: boolean, req: ChildRequest | null, ms: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited !== null) {
        reject(new Error(`server process exited (${exited}): ${stderr.slice(-2000)}`));
        return;
      }
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`server process did not answer ${req?.cmd ?? 'hello'} within ${ms} ms; stderr: ${stderr.slice(-2000)}`));
      }, ms);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      if (send) child.send({ id, req });
    });

  const hello = await call<ChildHello>(0, false, null, timeoutMs);
  const proc: ServerProcess = {
    child,
    hello,
    stderr: () => stderr,
    exitCode: () => exited,
    request: (req, ms = 30_000) => call(nextId++, true, req, ms),
    stats: () => proc.request<ChildStats>({ cmd: 'stats' }, 5_000),
    async stop() {
      if (exited !== null) return;
      await proc.request({ cmd: 'exit' }, 5_000).catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
  return proc;
}
