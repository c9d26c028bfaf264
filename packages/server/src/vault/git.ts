// The one place that runs the git binary. Everything else builds argument arrays.
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

/** Inherited env minus every GIT_* variable (GIT_DIR, GIT_INDEX_FILE... from a hook would redirect us). */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return {
    ...env,
    HOME: NO_HOME,
    XDG_CONFIG_HOME: NO_HOME,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_LITERAL_PATHSPECS: '1', // a path like `a*.mcam` means itself, never a glob
    LC_ALL: 'C',
    ...extra,
  };
}

/**
 * Only what git needs to run, for children serving outside clients (upload-pack, receive-pack and
 * their hooks): none of the server's secrets (DATABASE_URL, LOCKSTEP_SECRET_KEY...) reach them.
 */
const ALLOWED_ENV = ['PATH', 'TMPDIR', 'TMP', 'TEMP', 'SYSTEMROOT', 'WINDIR', 'COMSPEC', 'PATHEXT'];

export function minimalGitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ALLOWED_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
  return {
    ...env,
    HOME: NO_HOME,
    XDG_CONFIG_HOME: NO_HOME,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

export interface GitOptions {
  gitDir?: string;
  /** Allow-listed environment instead of the inherited one (see minimalGitEnv). */
  minimalEnv?: boolean;
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
  const env = opts.minimalEnv ? minimalGitEnv(opts.env) : gitEnv(opts.env);
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
