// Real git and git-lfs clients for the git-native tests: a clean HOME, no system config.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client, TestServer } from '../harness.js';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One desktop user: their own HOME (git config, identity) and work folders. */
export class GitUser {
  readonly home: string;

  constructor(
    readonly username: string,
    readonly token: string,
    readonly server: TestServer,
  ) {
    this.home = fs.mkdtempSync(path.join(os.tmpdir(), `lockstep-git-${username}-`));
    fs.writeFileSync(
      path.join(this.home, '.gitconfig'),
      `[user]\n\tname = ${username}\n\temail = ${username}@example.com\n[init]\n\tdefaultBranch = main\n`,
    );
  }

  /** `http://user:token@host/git/<p>.git` */
  remote(project: string, token = this.token): string {
    return `http://${encodeURIComponent(this.username)}:${encodeURIComponent(token)}@127.0.0.1:${this.server.port}/git/${project}.git`;
  }

  run(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}): Promise<GitResult> {
    return new Promise((resolve) => {
      const child = execFile(
        'git',
        args,
        {
          cwd: opts.cwd ?? this.home,
          env: {
            PATH: process.env.PATH,
            HOME: this.home,
            GIT_CONFIG_NOSYSTEM: '1',
            GIT_TERMINAL_PROMPT: '0',
            LC_ALL: 'C',
            ...opts.env,
          },
          maxBuffer: 64 * 1024 * 1024,
        },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (opts.input !== undefined) child.stdin!.end(opts.input);
    });
  }

  /** Runs and fails the test with git's output when git fails. */
  async ok(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  /** Clones into a fresh folder and returns it. */
  async clone(project: string): Promise<string> {
    const dir = path.join(fs.mkdtempSync(path.join(this.home, 'work-')), project);
    await this.ok(['clone', '--quiet', this.remote(project), dir]);
    return dir;
  }

  cleanup(): void {
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}

/** A personal API token for `client`'s user. */
export async function tokenFor(client: Client): Promise<string> {
  const res = await client.post('/api/tokens', { name: 'git' });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${res.text}`);
  return (res.body as { token: string }).token;
}

export async function gitUser(server: TestServer, client: Client): Promise<GitUser> {
  return new GitUser(client.username, await tokenFor(client), server);
}
