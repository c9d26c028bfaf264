// Git remotes for the sync tests: bare repositories served over file://, git:// (git daemon) and
// http:// (git http-backend behind a tiny Node server that checks the token).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import os from 'node:os';
import type { ProjectEvent } from '../../src/events/bus.js';
import { startServer, type Client, type TestServer } from '../harness.js';
import { freePort } from '../instances.js';
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';

export const git = (gitDir: string, ...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' }).trim();

export function bareRepo(dir: string): string {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
  return dir;
}

export function headOf(gitDir: string, ref = 'refs/heads/main'): string | null {
  try {
    return git(gitDir, 'rev-parse', '--verify', '--quiet', ref) || null;
  } catch {
    return null;
  }
}

/** One commit on `main` written with `git fast-import` (fast, even for thousands of files). */
export function fastImportCommit(
  gitDir: string,
  files: Record<string, string>,
  message: string,
  when = Math.floor(Date.now() / 1000),
): string {
  const parent = headOf(gitDir);
  const parts: string[] = [];
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  parts.push(
    'commit refs/heads/main\n',
    `author Remote Person <remote@example.com> ${when} +0000\n`,
    `committer Remote Person <remote@example.com> ${when} +0000\n`,
    data(message),
  );
  if (parent) parts.push(`from ${parent}\n`);
  for (const [p, content] of Object.entries(files)) parts.push(`M 100644 inline ${p}\n`, data(content));
  parts.push('\n');
  execFileSync('git', ['--git-dir', gitDir, 'fast-import', '--quiet'], { input: parts.join('') });
  return headOf(gitDir)!;
}

/** `git daemon` serving every repository under `baseDir` read-write on 127.0.0.1:<port>. */
export class Daemon {
  private proc: ChildProcess | null = null;
  constructor(
    readonly baseDir: string,
    readonly port: number,
  ) {}

  static async start(baseDir: string): Promise<Daemon> {
    const d = new Daemon(baseDir, await freePort());
    await d.up();
    return d;
  }

  url(repo: string): string {
    return `git://127.0.0.1:${this.port}/${repo}`;
  }

  async up(): Promise<void> {
    this.proc = spawn(
      'git',
      [
        'daemon',
        '--reuseaddr',
        '--enable=receive-pack',
        '--export-all',
        `--base-path=${this.baseDir}`,
        `--port=${this.port}`,
        '--listen=127.0.0.1',
        this.baseDir,
      ],
      { stdio: 'ignore' },
    );
    // Ready when the port accepts connections.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await new Promise<void>((resolve, reject) => {
          const sock = net.connect(this.port, '127.0.0.1', () => {
            sock.end();
            resolve();
          });
          sock.on('error', reject);
        });
        return;
      } catch {
        if (Date.now() > deadline) throw new Error('git daemon did not start');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async down(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  }
}

/**
 * `git http-backend` as CGI behind Node's http server. Requests must carry
 * `Authorization: Basic base64(<any user>:<token>)`, else 401. While each request is served it
 * scans every process's command line for the token (it must never be on one).
 */
export class HttpGit {
  readonly requests: Array<{ method: string; url: string; authorized: boolean }> = [];
  /** Command lines seen containing the token (should stay empty). */
  readonly leaks: string[] = [];
  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  static async start(projectRoot: string, token: string): Promise<HttpGit> {
    const port = await freePort();
    const server = http.createServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      const m = /^Basic (.+)$/.exec(auth);
      const given = m ? Buffer.from(m[1]!, 'base64').toString().split(':').slice(1).join(':') : null;
      const authorized = given === token;
      self.requests.push({ method: req.method!, url: req.url!, authorized });
      self.scanForLeaks(token);
      if (!authorized) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' });
        return res.end('unauthorized');
      }
      const url = new URL(req.url!, 'http://x');
      const cgi = spawn('git', ['http-backend'], {
        env: {
          PATH: process.env.PATH,
          GIT_PROJECT_ROOT: projectRoot,
          GIT_HTTP_EXPORT_ALL: '1',
          REMOTE_USER: 'tester', // enables receive-pack (push)
          REQUEST_METHOD: req.method,
          PATH_INFO: decodeURIComponent(url.pathname),
          QUERY_STRING: url.search.slice(1),
          CONTENT_TYPE: req.headers['content-type'] ?? '',
          ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
          ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
          GIT_PROTOCOL: req.headers['git-protocol'] as string | undefined,
        },
      });
      req.pipe(cgi.stdin);
      let buf = Buffer.alloc(0);
      let headersDone = false;
      cgi.stdout.on('data', (chunk: Buffer) => {
        if (headersDone) return void res.write(chunk);
        buf = Buffer.concat([buf, chunk]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        headersDone = true;
        let status = 200;
        const headers: Record<string, string> = {};
        for (const line of buf.subarray(0, end).toString().split('\r\n')) {
          const i = line.indexOf(':');
          const k = line.slice(0, i).trim();
          const v = line.slice(i + 1).trim();
          if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
          else headers[k] = v;
        }
        res.writeHead(status, headers);
        res.write(buf.subarray(end + 4));
      });
      cgi.on('close', () => res.end());
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    // The handler above reads `self`; no request can arrive before this line runs.
    const self = new HttpGit(server, port);
    return self;
  }

  url(repo: string): string {
    return `http://127.0.0.1:${this.port}/${repo}`;
  }

  private scanForLeaks(token: string): void {
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        if (cmdline.includes(token)) this.leaks.push(cmdline);
      } catch {
        /* gone */
      }
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface SyncContext {
  database: TestDatabase;
  server: TestServer;
  remotes: string;
  alice: Client;
  events: ProjectEvent[];
  stop(): Promise<void>;
}

/** A server on a fresh PostgreSQL database with fast sync timings, a folder for remotes, and every event recorded. */
export async function startSyncServer(): Promise<SyncContext> {
  const database = await createTestDatabase();
  const remotes = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-remotes-'));
  const server = await startServer({
    config: { databaseUrl: database.url, allowFileRemotes: true, syncDebounceMs: 20, syncRetryMs: 150, syncRetryMaxMs: 600 },
  });
  const events: ProjectEvent[] = [];
  server.app.services.bus.onEvent((e) => events.push(e));
  const alice = await server.createUser('alice', 'user');
  return {
    database,
    server,
    remotes,
    alice,
    events,
    async stop() {
      await server.close();
      await database.drop();
      fs.rmSync(remotes, { recursive: true, force: true });
    },
  };
}
