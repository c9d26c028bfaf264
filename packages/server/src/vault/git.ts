// The one place that runs the git binary. Everything else builds argument arrays.
// Every child gets an allow-listed environment (gitEnv), never a copy of ours.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim() || '(no stderr)'}`);
    this.name = 'GitError';
  }
}

export class GitMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitMissingError';
  }
}

// A HOME that does not exist, so no ~/.gitconfig or XDG config can change behaviour.
const NO_HOME = path.join(os.tmpdir(), 'lockstep-git-no-home');

/** What git may see of our own environment: nothing secret (DATABASE_URL, LOCKSTEP_*), nothing that steers git (GIT_*). */
const INHERITED = ['PATH', 'TZ'] as const;

/**
 * An allow-listed environment for a git child: PATH and TZ from ours, a fixed HOME/XDG with no
 * system or global config, no prompts, the C locale, and whatever this call needs (`extra`:
 * GIT_INDEX_FILE, author identity, remote credentials). Hooks and aliases run by git see the same.
 */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name];
  return {
    ...env,
    HOME: NO_HOME,
    XDG_CONFIG_HOME: NO_HOME,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_LITERAL_PATHSPECS: '1', // a path like `a*.mcam` means itself, never a glob
    LANG: 'C',
    LC_ALL: 'C',
    ...extra,
  };
}

/** Names from our environment a remote operation may need (proxies, CA bundles, the ssh agent), when set. */
export function inheritedForRemote(): Record<string, string> {
  const names = [
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'ALL_PROXY',
    'http_proxy',
    'https_proxy',
    'no_proxy',
    'all_proxy',
    'SSL_CERT_FILE',
    'SSL_CERT_DIR',
    'SSH_AUTH_SOCK',
  ];
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export interface GitOptions {
  gitDir?: string;
  env?: Record<string, string>;
  input?: Buffer | string;
  /** Exit codes that are answers, not failures (e.g. 1 for `rev-parse --verify --quiet`). */
  okCodes?: number[] | 'any';
}

function fullArgs(args: readonly string[], gitDir?: string): string[] {
  const head = gitDir ? [`--git-dir=${gitDir}`] : [];
  return [...head, '-c', 'core.quotepath=off', ...args];
}

/** Spawn git for streaming use; the caller owns stdin/stdout. */
export function spawnGit(args: readonly string[], opts: GitOptions = {}): ChildProcessWithoutNullStreams {
  const env = gitEnv(opts.env);
  return spawn('git', fullArgs(args, opts.gitDir), { env, stdio: 'pipe' });
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/** Run git to completion, collecting output; rejects with GitError (incl. stderr) on failure. */
export function runGit(args: readonly string[], opts: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawnGit(args, opts);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new GitMissingError('git was not found on PATH; Lockstep needs git >= 2.30') : e),
    );
    // Ignore EPIPE: git may exit before reading all input; the exit code tells the story.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      const exit = code ?? -1;
      if (exit === 0 || opts.okCodes === 'any' || opts.okCodes?.includes(exit)) resolve({ stdout: Buffer.concat(out), stderr, code: exit });
      else reject(new GitError(args, code, stderr));
    });
  });
}

/** Run git and return trimmed stdout as text. */
export async function gitText(args: readonly string[], opts: GitOptions = {}): Promise<string> {
  return (await runGit(args, opts)).stdout.toString('utf8').trim();
}
