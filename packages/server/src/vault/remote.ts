// Git commands that talk to a project's remote (push, fetch, ls-remote). Credentials never appear
// on a command line (visible in `ps`): an HTTP token travels as an `http.extraHeader` set through
// GIT_CONFIG_COUNT/KEY/VALUE in the child's environment.
import { Buffer } from 'node:buffer';
import { inheritedForRemote, runGit, spawnGit } from './git.js';
import { isValidBranchName } from './validate.js';

export interface RemoteAuth {
  /** Remote URL without credentials (http(s)://, git://, ssh:// or file://). */
  url: string;
  /** Access token for http(s) remotes (sent as Basic auth, user `oauth2`, as GitLab and GitHub accept). */
  token: string | null;
  /** file:// may be used (LOCKSTEP_ALLOW_FILE_REMOTES); otherwise git itself refuses the transport too. */
  allowFile?: boolean;
}

export type RemoteFailure = 'unreachable' | 'auth' | 'rejected' | 'not-found' | 'timeout' | 'failed';

/** A remote operation failed; `message` is safe to show and store (no credentials). */
export class RemoteError extends Error {
  constructor(
    readonly kind: RemoteFailure,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export interface RemoteOptions {
  timeoutMs: number;
  /** Percent (0–100) parsed from git's progress output. */
  onProgress?: (percent: number, phase: string) => void;
}

const BRANCH = 'main';
/** Where a fetched remote branch is kept (outside refs/heads: never served as the project's history). */
export const REMOTE_REF = 'refs/lockstep/remote/main';

/** Environment for a git child talking to the remote: credentials, no prompts, no exotic transports. */
export function remoteEnv(auth: RemoteAuth): Record<string, string> {
  const env: Record<string, string> = {
    ...inheritedForRemote(),
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true', // never ask: an empty answer, then the server's 401 ends the attempt
    SSH_ASKPASS: 'true',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
    GIT_ALLOW_PROTOCOL: auth.allowFile ? 'file:git:http:https:ssh' : 'git:http:https:ssh',
    GIT_HTTP_LOW_SPEED_LIMIT: '1000',
    GIT_HTTP_LOW_SPEED_TIME: '60',
  };
  if (auth.token && /^https?:\/\//i.test(auth.url)) {
    const basic = Buffer.from(`oauth2:${auth.token}`).toString('base64');
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  }
  return env;
}

/** Removes anything token-like from git's stderr before it is stored or logged. */
function scrub(text: string, auth: RemoteAuth): string {
  let out = text.replace(/(https?:\/\/)[^/@\s]*@/gi, '$1');
  if (auth.token) out = out.split(auth.token).join('***');
  return out;
}

function classify(stderr: string): RemoteFailure {
  if (/Authentication failed|401|403|could not read Username|terminal prompts disabled|Permission denied/i.test(stderr)) return 'auth';
  if (/\[rejected\]|non-fast-forward|fetch first|\[remote rejected\]/i.test(stderr)) return 'rejected';
  if (
    /Connection refused|Could not resolve host|unable to connect|Connection timed out|Failed to connect|unable to access|not appear to be a git repository|No such file or directory|does not exist/i.test(
      stderr,
    )
  ) {
    return /not appear to be a git repository|No such file or directory|does not exist|not found/i.test(stderr)
      ? 'not-found'
      : 'unreachable';
  }
  return 'failed';
}

/** Runs a git command against the remote with a time limit, reporting progress lines. */
async function remoteGit(
  gitDir: string,
  args: string[],
  auth: RemoteAuth,
  opts: RemoteOptions,
): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = spawnGit(args, { gitDir, env: remoteEnv(auth) });
    const out: Buffer[] = [];
    let err = '';
    let partial = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      const text = b.toString('utf8');
      err += text;
      if (err.length > 64 * 1024) err = err.slice(-32 * 1024);
      if (!opts.onProgress) return;
      partial += text;
      const pieces = partial.split(/[\r\n]/);
      partial = pieces.pop() ?? '';
      for (const line of pieces) {
        const m = /^(?:remote: )?([A-Za-z ]+):\s+(\d+)%/.exec(line);
        if (m) opts.onProgress(Number(m[2]), m[1]!.trim());
      }
    });
    child.stdin.end();
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stderr = scrub(err, auth);
      if (timedOut) {
        reject(new RemoteError('timeout', `git ${args[0]} to ${auth.url} took longer than ${opts.timeoutMs} ms and was stopped`));
        return;
      }
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr, code: code ?? -1 });
    });
  });
}

function failure(op: string, auth: RemoteAuth, stderr: string): RemoteError {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(remote: )?(Counting|Compressing|Writing|Receiving|Resolving|Enumerating|Total)/.test(l));
  const kind = classify(stderr);
  const detail = lines.slice(-3).join(' ').slice(0, 500) || 'no details from git';
  const what =
    kind === 'auth'
      ? 'authentication failed'
      : kind === 'unreachable'
        ? 'remote unreachable'
        : kind === 'not-found'
          ? 'remote repository not found'
          : kind === 'rejected'
            ? 'rejected by the remote'
            : 'failed';
  return new RemoteError(kind, `${op} ${auth.url}: ${what} (${detail})`);
}

/** The remote's `main` commit (null when the remote has no such branch) and its default branch. */
export async function lsRemote(
  gitDir: string,
  auth: RemoteAuth,
  opts: RemoteOptions,
): Promise<{ main: string | null; headBranch: string | null; refs: Map<string, string> }> {
  // `--` before every URL and refspec: nothing a remote setting holds can be read as an option.
  const r = await remoteGit(gitDir, ['ls-remote', '--symref', '--', auth.url], auth, opts);
  if (r.code !== 0) throw failure('reading', auth, r.stderr);
  const refs = new Map<string, string>();
  let headBranch: string | null = null;
  for (const line of r.stdout.split('\n')) {
    const sym = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(line);
    if (sym) {
      // What a remote advertises is not trusted: an invalid name is treated as no default branch.
      headBranch = isValidBranchName(sym[1]!) ? sym[1]! : null;
      continue;
    }
    const [sha, ref] = line.split('\t');
    if (sha && ref) refs.set(ref, sha);
  }
  return { main: refs.get(`refs/heads/${BRANCH}`) ?? null, headBranch, refs };
}

/**
 * Fetches the remote's branch (default `main`) into REMOTE_REF; returns its commit, or null when
 * the remote has no such branch (an empty remote).
 */
export async function fetchRemote(gitDir: string, auth: RemoteAuth, opts: RemoteOptions & { branch?: string }): Promise<string | null> {
  const branch = opts.branch ?? BRANCH;
  if (!isValidBranchName(branch))
    throw new RemoteError('failed', `fetching from ${auth.url}: "${branch.slice(0, 100)}" is not a valid branch name`);
  const { refs } = await lsRemote(gitDir, auth, opts);
  if (!refs.has(`refs/heads/${branch}`)) {
    await runGit(['update-ref', '-d', REMOTE_REF], { gitDir, okCodes: 'any' });
    return null;
  }
  const r = await remoteGit(
    gitDir,
    [
      'fetch',
      '--no-tags',
      '--no-write-fetch-head',
      '--progress',
      '--no-recurse-submodules',
      '--',
      auth.url,
      `+refs/heads/${branch}:${REMOTE_REF}`,
    ],
    auth,
    opts,
  );
  if (r.code !== 0) throw failure('fetching from', auth, r.stderr);
  return (await runGit(['rev-parse', '--verify', REMOTE_REF], { gitDir })).stdout.toString('utf8').trim();
}

/** Pushes local `main` to the remote's `main`; never forces. `pushed: false` when it was up to date. */
export async function pushMain(gitDir: string, auth: RemoteAuth, opts: RemoteOptions): Promise<{ pushed: boolean; commit: string | null }> {
  const local =
    (await runGit(['rev-parse', '--verify', '--quiet', `refs/heads/${BRANCH}`], { gitDir, okCodes: [1] })).stdout.toString('utf8').trim() ||
    null;
  if (!local) return { pushed: false, commit: null }; // nothing to push yet
  const r = await remoteGit(
    gitDir,
    ['push', '--porcelain', '--no-verify', '--progress', '--', auth.url, `refs/heads/${BRANCH}:refs/heads/${BRANCH}`],
    auth,
    opts,
  );
  // --porcelain: `<flag>\t<from>:<to>\t<summary>`; '=' up to date, ' ' fast-forward, '*' new, '!' rejected.
  const line = r.stdout.split('\n').find((l) => l.includes(`:refs/heads/${BRANCH}\t`));
  const flag = line?.[0];
  if (r.code === 0 && (flag === '=' || flag === ' ' || flag === '*' || flag === '+')) return { pushed: flag !== '=', commit: local };
  if (flag === '!') {
    const summary = line!.split('\t')[2] ?? 'rejected';
    const why = /fetch first|non-fast-forward/.test(summary)
      ? 'the remote has commits Lockstep does not have; use "sync now" to reconcile'
      : summary;
    throw new RemoteError('rejected', `pushing to ${auth.url}: rejected (${why})`);
  }
  throw failure('pushing to', auth, `${r.stderr}\n${r.stdout}`);
}

/** Whether commit `a` is an ancestor of (or equal to) `b`. */
export async function isAncestor(gitDir: string, a: string, b: string): Promise<boolean> {
  const { code } = await runGit(['merge-base', '--is-ancestor', a, b], { gitDir, okCodes: [1] });
  return code === 0;
}

/** Compare-and-swap of local `main`: from `expected` (null: must not exist) to `commit`. False when main moved. */
export async function moveMain(gitDir: string, commit: string, expected: string | null, reason: string): Promise<boolean> {
  const { code } = await runGit(
    ['update-ref', '-m', `lockstep: ${reason}`, `refs/heads/${BRANCH}`, commit, expected ?? '0'.repeat(commit.length)],
    {
      gitDir,
      okCodes: 'any',
    },
  );
  return code === 0;
}
