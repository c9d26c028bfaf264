// Long-lived git processes per repository, so a commit pays no spawn:
// - `cat-file --batch` reads the trees and commits the in-process writer needs (read-only);
// - `update-ref --stdin` moves main: git's own lock-file protocol (main.lock, O_EXCL, verify the
//   old value under the lock, write, rename), its reflog and fsync, so git clients pushing beside
//   us stay safe.
// Neither outlives us: both exit at end of input, which the kernel delivers when this process
// dies, even by kill -9; an update-ref transaction that was not committed is then rolled back by
// git (its lock removed). Both are unref'd while idle and closed after IDLE_MS without use.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';
import { GitError, spawnGit } from './git.js';

const IDLE_MS = 30_000;

/** One git child reading requests on stdin; subclasses parse its stdout. */
abstract class GitProcess {
  private child: ChildProcessWithoutNullStreams | null = null;
  private stderr = '';
  private idle: NodeJS.Timeout | null = null;
  private pending = 0;
  private tail: Promise<unknown> = Promise.resolve();
  protected buffer: Buffer = Buffer.alloc(0);
  protected waiter: { resolve: () => void; reject: (err: Error) => void } | null = null;

  constructor(
    protected readonly gitDir: string,
    private readonly args: string[],
  ) {}

  /** Runs `task` alone on a live process (requests are strictly one after another). */
  protected exclusive<T>(task: (child: ChildProcessWithoutNullStreams) => Promise<T>): Promise<T> {
    const run = async () => {
      this.pending++;
      const child = this.start();
      try {
        return await task(child);
      } finally {
        if (--this.pending === 0) this.rest();
      }
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => {});
    return result;
  }

  /** Waits until `ready()` (called on each stdout chunk) is true, or rejects if git exits. */
  protected async until(ready: () => boolean): Promise<void> {
    if (ready()) return;
    await new Promise<void>((resolve, reject) => {
      this.waiter = {
        resolve: () => {
          if (!ready()) return;
          this.waiter = null;
          resolve();
        },
        reject,
      };
    });
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    if (this.child) {
      this.child.ref();
      for (const s of this.streams(this.child)) s.ref();
      return this.child;
    }
    const child = spawnGit(this.args, { gitDir: this.gitDir });
    this.child = child;
    this.buffer = Buffer.alloc(0);
    this.stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.waiter?.resolve();
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (this.stderr = (this.stderr + s).slice(-4000)));
    child.stdin.on('error', () => {}); // EPIPE when git died: reported through 'close'
    child.on('error', () => {});
    child.on('close', (code) => {
      if (this.child === child) this.child = null;
      const waiter = this.waiter;
      this.waiter = null;
      waiter?.reject(new GitError(this.args, code, this.stderr));
    });
    return child;
  }

  /** Idle: let the event loop exit without us, and close after a while. */
  private rest(): void {
    const child = this.child;
    if (!child) return;
    child.unref();
    for (const s of this.streams(child)) s.unref();
    this.idle = setTimeout(() => this.close(), IDLE_MS);
    this.idle.unref();
  }

  private streams(child: ChildProcessWithoutNullStreams): Socket[] {
    return [child.stdin, child.stdout, child.stderr] as unknown as Socket[];
  }

  /** Ends the process (end of input, as on our own death). */
  close(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const child = this.child;
    this.child = null;
    child?.stdin.end();
  }
}

export interface GitObject {
  type: string;
  body: Buffer;
}

/** `git cat-file --batch`: whole objects by id (small ones: trees and commits). */
export class ObjectReader extends GitProcess {
  constructor(gitDir: string) {
    super(gitDir, ['cat-file', '--batch']);
  }

  read(sha: string): Promise<GitObject | null> {
    return this.exclusive(async (child) => {
      child.stdin.write(`${sha}\n`);
      let header: RegExpExecArray | null = null;
      let end = -1;
      await this.until(() => {
        const nl = this.buffer.indexOf(0x0a);
        if (nl < 0) return false;
        const line = this.buffer.toString('latin1', 0, nl);
        header = /^[0-9a-f]+ (\w+) (\d+)$/.exec(line);
        end = header ? nl + 1 + Number(header[2]) + 1 : nl + 1; // content plus its LF; `<sha> missing` alone
        return this.buffer.length >= end;
      });
      const found = header as RegExpExecArray | null;
      const start = this.buffer.indexOf(0x0a) + 1;
      const object = found ? { type: found[1]!, body: Buffer.from(this.buffer.subarray(start, end - 1)) } : null;
      this.buffer = this.buffer.subarray(end);
      return object;
    });
  }
}

/** The outcome of a compare-and-swap on a ref. */
export type RefUpdate = 'ok' | { failed: string };

/** `git update-ref --stdin`: one transaction per call, `update <ref> <new> <old>` (old all zeros: must not exist). */
export class RefUpdater extends GitProcess {
  constructor(gitDir: string, reason: string) {
    super(gitDir, ['update-ref', '-m', reason, '--stdin']);
  }

  update(ref: string, next: string, expected: string): Promise<RefUpdate> {
    return this.exclusive(async (child) => {
      // In one write: if `prepare` fails (lock taken, old value moved) git exits before `commit`.
      child.stdin.write(`start\nupdate ${ref} ${next} ${expected}\nprepare\ncommit\n`);
      try {
        await this.until(() => this.buffer.includes('commit: ok\n'));
      } catch (err) {
        if (err instanceof GitError) return { failed: err.stderr };
        throw err;
      }
      this.buffer = this.buffer.subarray(this.buffer.indexOf('commit: ok\n') + 'commit: ok\n'.length);
      return 'ok';
    });
  }
}
