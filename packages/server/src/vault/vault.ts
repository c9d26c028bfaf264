// Git storage for Lockstep: one bare repository per project, written with plumbing only.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { batchCheck, catBlobStream, hashObjectFromStream, sweepSpool } from './blob-io.js';
import {
  GitError,
  GitMissingError,
  PathConflictError,
  PathNotFoundError,
  RefUpdateRaceError,
  RepoExistsError,
  RepoMissingError,
} from './errors.js';
import { gitText, runGit } from './git.js';
import { ObjectCache, RepoWriter, type Attempt } from './in-process-commit.js';
import { LOG_FORMAT, parseLog } from './log-format.js';
import { writeBlobFromFile, writeObject } from './loose-objects.js';
import { KeyedMutex } from './mutex.js';
import type { BlobRead, CommitInput, CommitRecord, TreeChange, TreeEntry } from './types.js';
import { VaultInputError, assertIdentity, assertObjectId, assertRev, assertSlug, assertTreePath, buildMessage } from './validate.js';

const BRANCH = 'refs/heads/main';

/** The ref of a tag; the name must be a valid ref name with no option look (git checks the rest). */
function tagRef(name: string): string {
  if (!name || name.startsWith('-') || /[\0-\x20\x7f~^:?*[\\]|\.\.|@\{/.test(name))
    throw new VaultInputError(`invalid tag name ${JSON.stringify(name)}`);
  return `refs/tags/${name}`;
}
const MIN_GIT: [number, number] = [2, 30];
// A lost CAS means another writer made progress, so retrying is livelock-free. With k busy writers
// a loser wins each round with ~1/k chance: 30 rounds make starvation negligible ((2/3)^30 ≈ 5e-6).
const MAX_COMMIT_ATTEMPTS = 30;

// Written once at creation. gc.auto=0: plumbing never triggers gc anyway, and a repack of a
// multi-GB vault must be a scheduled job (`gc()`), not something that can land in a request.
const REPO_CONFIG: Array<[string, string]> = [
  ['core.logAllRefUpdates', 'true'], // reflog on main: every ref move is recoverable
  ['core.fsync', 'committed'], // git >= 2.36: fsync objects and refs before reporting success
  ['gc.auto', '0'],
  ['receive.denyNonFastForwards', 'true'], // history is an audit trail; never rewritten by a push
  ['receive.denyDeletes', 'true'],
];

export class Vault {
  readonly reposDir: string;
  private readonly commitLock = new KeyedMutex();
  /** Per repository: the index file matching our last commit (commits are serialised per repo). */
  private readonly indexCache = new Map<string, { commit: string; file: string }>();
  private readonly instanceId = randomUUID();
  /** Commit attempts redone because another process moved main first (diagnostics). */
  casRetries = 0;
  /** Per SHA-1 repository: the in-process writer (null: a SHA-256 repository, written by git itself). */
  private readonly writers = new Map<string, RepoWriter | null>();
  private readonly objectCache = new ObjectCache();

  constructor(reposDir: string) {
    this.reposDir = path.resolve(reposDir);
  }

  /** Returns the git version; throws GitMissingError if git is absent or older than 2.30. */
  static async checkGit(): Promise<string> {
    let out: string;
    try {
      out = await gitText(['--version']);
    } catch (err) {
      if (err instanceof GitMissingError) throw err;
      throw new GitMissingError(`could not run git (${(err as Error).message}); Lockstep needs git >= 2.30`);
    }
    const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(out);
    if (!m) throw new GitMissingError(`could not read the git version from "${out}"; Lockstep needs git >= 2.30`);
    const [major, minor] = [Number(m[1]), Number(m[2])];
    if (major < MIN_GIT[0] || (major === MIN_GIT[0] && minor < MIN_GIT[1])) {
      throw new GitMissingError(`git ${m[0]} is too old; Lockstep needs git >= ${MIN_GIT.join('.')}`);
    }
    return m[0];
  }

  repoPath(slug: string): string {
    assertSlug(slug); // one path segment: the repo can never be outside reposDir
    return path.join(this.reposDir, `${slug}.git`);
  }

  async createRepo(slug: string): Promise<void> {
    const dir = this.repoPath(slug);
    await fs.mkdir(this.reposDir, { recursive: true });
    try {
      await fs.mkdir(dir); // atomic claim: two creators cannot both succeed
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new RepoExistsError(slug);
      throw err;
    }
    try {
      await runGit(['init', '--quiet', '--bare', '--initial-branch=main', dir]);
      for (const [key, value] of REPO_CONFIG) await runGit(['config', key, value], { gitDir: dir });
    } catch (err) {
      await fs.rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  async deleteRepo(slug: string): Promise<void> {
    this.forget(this.repoPath(slug));
    // An upload still streaming its blob may add an object meanwhile (ENOTEMPTY): retry.
    await fs.rm(this.repoPath(slug), { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  }

  async exists(slug: string): Promise<boolean> {
    try {
      return (await fs.stat(path.join(this.repoPath(slug), 'HEAD'))).isFile();
    } catch {
      return false;
    }
  }

  /** Commit of refs/heads/main, or null while the repository has no commits. */
  async head(slug: string): Promise<string | null> {
    const { stdout } = await runGit(['rev-parse', '--verify', '--quiet', BRANCH], {
      gitDir: this.repoPath(slug),
      okCodes: [1],
    });
    return stdout.toString('utf8').trim() || null;
  }

  /**
   * Compare-and-swap of main back to `to` (null: no commits) from `from`: how a unit undoes its
   * commit when its SQL transaction refused it. False when main is no longer at `from`.
   */
  async resetMain(slug: string, to: string | null, from: string): Promise<boolean> {
    const args = to ? ['update-ref', '-m', 'lockstep: undo', BRANCH, to, from] : ['update-ref', '-d', BRANCH, from];
    const { code } = await runGit(args, { gitDir: this.repoPath(slug), okCodes: 'any' });
    return code === 0;
  }

  /**
   * Points tag `name` (under refs/tags/) at `commit`, checked by git as a ref name; answers the
   * commit it pointed at before (null: it did not exist), for `restoreTag` to undo it.
   */
  async setTag(slug: string, name: string, commit: string): Promise<string | null> {
    assertObjectId(commit);
    const ref = tagRef(name);
    const gitDir = this.repoPath(slug);
    const { stdout } = await runGit(['rev-parse', '--verify', '--quiet', ref], { gitDir, okCodes: [1] });
    const before = stdout.toString('utf8').trim() || null;
    await runGit(['update-ref', '-m', 'lockstep: release', ref, commit, before ?? ''], { gitDir });
    return before;
  }

  /** Undoes setTag: the tag points at `before` again, or is gone when it did not exist. */
  async restoreTag(slug: string, name: string, before: string | null): Promise<void> {
    const args = before ? ['update-ref', tagRef(name), before] : ['update-ref', '-d', tagRef(name)];
    await runGit(args, { gitDir: this.repoPath(slug), okCodes: 'any' });
  }

  /** Tags under `prefix` (e.g. `released/`) with the commits they point at. */
  async tags(slug: string, prefix: string): Promise<Map<string, string>> {
    const { stdout } = await runGit(['for-each-ref', '--format=%(refname)%00%(objectname)', tagRef(prefix)], {
      gitDir: this.repoPath(slug),
    });
    const out = new Map<string, string>();
    for (const line of stdout.toString('utf8').split('\n')) {
      const [ref, sha] = line.split('\0');
      if (ref && sha) out.set(ref.slice('refs/tags/'.length), sha);
    }
    return out;
  }

  /** Whether commit `a` is an ancestor of (or equal to) `b`. */
  async isAncestor(slug: string, a: string, b: string): Promise<boolean> {
    const { code } = await runGit(['merge-base', '--is-ancestor', a, b], { gitDir: this.repoPath(slug), okCodes: [1, 128] });
    return code === 0;
  }

  /** Stream content into the object store; memory stays flat whatever the size. */
  async writeBlob(slug: string, content: NodeJS.ReadableStream, opts: { maxBytes?: number } = {}): Promise<{ sha: string; size: number }> {
    if (!(await this.exists(slug))) throw new RepoMissingError(slug);
    const gitDir = this.repoPath(slug);
    const inProcess = await this.writer(gitDir);
    try {
      return await hashObjectFromStream(
        gitDir,
        content,
        opts.maxBytes,
        inProcess ? (file, size) => writeBlobFromFile(gitDir, file, size) : undefined,
      );
    } catch (err) {
      // The project was deleted while the bytes were streaming in.
      if (!(await this.exists(slug))) throw new RepoMissingError(slug);
      throw err;
    }
  }

  /** Deletes upload spool files older than `olderThanMs` (left by a crash). */
  sweepSpool(slug: string, olderThanMs = 3600_000): Promise<number> {
    return sweepSpool(this.repoPath(slug), olderThanMs);
  }

  async writeBlobBuffer(slug: string, content: Buffer | string): Promise<string> {
    const gitDir = this.repoPath(slug);
    if (await this.writer(gitDir)) return writeObject(gitDir, 'blob', Buffer.from(content));
    return gitText(['hash-object', '-w', '--no-filters', '--stdin'], { gitDir: this.repoPath(slug), input: content });
  }

  /**
   * One commit on main from a temporary index. Serialised per slug in this process; across
   * processes the final `update-ref <new> <old>` is a compare-and-swap, retried from a fresh head.
   */
  async commit(slug: string, input: CommitInput): Promise<{ commit: string; parent: string | null }> {
    const gitDir = this.repoPath(slug);
    for (const change of input.changes) {
      assertTreePath(change.path);
      if (change.op === 'put') assertObjectId(change.blob);
    }
    assertIdentity(input.author.name, input.author.email);
    const message = buildMessage(input.message, input.trailers);
    return this.commitLock.run(gitDir, async () => {
      if (!(await this.exists(slug))) throw new RepoMissingError(slug); // deleted meanwhile: never recreate it
      const writer = await this.writer(gitDir);
      for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
        const result: Attempt = writer ? await writer.attempt(input, message) : await this.tryCommit(slug, gitDir, input, message);
        if (typeof result === 'object') return result;
        this.casRetries++;
        // 'moved': retry at once; waiting would only let the other writers' next commits go first.
        // 'locked': main.lock is held right now; give its holder a moment (growing, jittered).
        await sleep(Math.random() * (result === 'moved' ? 5 : Math.min(200, 5 * 2 ** attempt)));
      }
      throw new RefUpdateRaceError(MAX_COMMIT_ATTEMPTS);
    });
  }

  /**
   * The in-process writer of a repository (trees, commits and blobs as loose objects, main moved
   * by a long-lived update-ref), or null for a SHA-256 repository, which git writes itself.
   */
  private async writer(gitDir: string): Promise<RepoWriter | null> {
    let writer = this.writers.get(gitDir);
    if (writer === undefined) {
      const config = await fs.readFile(path.join(gitDir, 'config'), 'utf8').catch(() => null);
      if (config === null) return null; // no repository: git says so in its own words
      writer = /^\s*objectformat\s*=\s*sha256\b/im.test(config) ? null : new RepoWriter(gitDir, this.objectCache);
      this.writers.set(gitDir, writer);
    }
    return writer;
  }

  private forget(gitDir: string): void {
    this.writers.get(gitDir)?.close();
    this.writers.delete(gitDir);
    this.objectCache.forget(gitDir);
    this.indexCache.delete(gitDir);
  }

  /** Ends the long-lived git processes (they also end by themselves when idle or when we die). */
  close(): void {
    for (const gitDir of [...this.writers.keys()]) this.forget(gitDir);
  }

  /** One attempt through git plumbing (SHA-256 repositories); 'moved'/'locked' mean another writer got to main first. */
  private async tryCommit(slug: string, gitDir: string, input: CommitInput, message: string) {
    const parent = await this.headAndCheck(gitDir, input.changes);
    // Under the repo dir (same filesystem, removed with it); unique so concurrent writers never share.
    const indexFile = path.join(gitDir, `lockstep-index-${randomUUID()}`);
    const env = { GIT_INDEX_FILE: indexFile };
    const cached = this.indexCache.get(gitDir);
    let keepIndex = false;
    try {
      // The index of our own last commit, when it is still the head, saves a read-tree.
      const reused =
        parent &&
        cached?.commit === parent &&
        (await fs.copyFile(cached.file, indexFile).then(
          () => true,
          () => false,
        ));
      if (parent && !reused) await runGit(['read-tree', parent], { gitDir, env });
      await runGit(['update-index', '-z', '--index-info'], { gitDir, env, input: indexInfo(input.changes) });
      const tree = await gitText(['write-tree'], { gitDir, env });
      const when = `${Math.floor((input.date ?? new Date()).getTime() / 1000)} +0000`;
      const { name, email } = input.author;
      const commit = await gitText(['commit-tree', tree, ...(parent ? ['-p', parent] : [])], {
        gitDir,
        input: message,
        env: {
          GIT_AUTHOR_NAME: name,
          GIT_AUTHOR_EMAIL: email,
          GIT_AUTHOR_DATE: when,
          GIT_COMMITTER_NAME: name,
          GIT_COMMITTER_EMAIL: email,
          GIT_COMMITTER_DATE: when,
        },
      });
      const expected = parent ?? '0'.repeat(commit.length); // all zeros: "must not exist yet"
      try {
        await runGit(['update-ref', '-m', `lockstep: ${firstLine(message)}`, BRANCH, commit, expected], { gitDir });
      } catch (err) {
        if (err instanceof GitError && (await this.head(slug)) !== parent) return 'moved';
        // Another process may hold main.lock right now without having moved main yet.
        if (err instanceof GitError && /cannot lock ref|File exists|but expected/.test(err.stderr)) return 'locked';
        throw err;
      }
      const cacheFile = path.join(gitDir, `lockstep-index-head-${this.instanceId}`);
      await fs.rename(indexFile, cacheFile);
      this.indexCache.set(gitDir, { commit, file: cacheFile });
      keepIndex = true;
      return { commit, parent };
    } finally {
      if (!keepIndex) await fs.rm(indexFile, { force: true });
    }
  }

  /**
   * Current head plus the checks, in one `cat-file` call: deletes must name an existing file, and
   * puts must not turn a file into a folder or back (update-index would silently drop files).
   * If main moves between lines, the CAS at the end fails and the whole attempt is redone.
   */
  private async headAndCheck(gitDir: string, changes: TreeChange[]): Promise<string | null> {
    const probes: Array<{ path: string; mustBe: 'blob' | 'not-blob' | 'not-tree'; change: string }> = [];
    for (const c of changes) {
      if (c.op === 'delete') {
        probes.push({ path: c.path, mustBe: 'blob', change: c.path });
        continue;
      }
      probes.push({ path: c.path, mustBe: 'not-tree', change: c.path });
      const parts = c.path.split('/');
      for (let i = 1; i < parts.length; i++) probes.push({ path: parts.slice(0, i).join('/'), mustBe: 'not-blob', change: c.path });
    }
    const [head, ...infos] = await batchCheck(gitDir, [BRANCH, ...probes.map((p) => `${BRANCH}:${p.path}`)]);
    probes.forEach((p, i) => {
      const type = infos[i]?.type;
      if (p.mustBe === 'blob' && type !== 'blob') throw new PathNotFoundError(p.path);
      if (p.mustBe === 'not-blob' && type === 'blob') throw new PathConflictError(p.change, p.path);
      if (p.mustBe === 'not-tree' && type === 'tree') throw new PathConflictError(p.change, p.path);
    });
    return head?.type === 'commit' ? head.sha : null;
  }

  /** Stream a file as of `rev`; null when the path is not a file there. */
  async readBlob(slug: string, rev: string, filePath: string): Promise<BlobRead | null> {
    assertRev(rev);
    assertTreePath(filePath);
    const gitDir = this.repoPath(slug);
    const [info] = await batchCheck(gitDir, [`${rev}:${filePath}`]);
    if (!info || info.type !== 'blob') return null;
    return { stream: catBlobStream(gitDir, info.sha), size: info.size, sha: info.sha };
  }

  /** Small files only (metadata JSON): the whole content as UTF-8. */
  async readText(slug: string, rev: string, filePath: string): Promise<string | null> {
    const blob = await this.readBlob(slug, rev, filePath);
    if (!blob) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of blob.stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Every file in the tree at `rev` (default: head; [] for an empty repository). */
  async listTree(slug: string, rev?: string): Promise<TreeEntry[]> {
    const target = rev ?? (await this.head(slug));
    if (!target) return [];
    assertRev(target);
    const { stdout } = await runGit(['ls-tree', '-r', '-l', '-z', target], { gitDir: this.repoPath(slug) });
    const entries: TreeEntry[] = [];
    for (const record of stdout.toString('utf8').split('\0')) {
      // `<mode> SP <type> SP <sha> SP+ <size> TAB <path>`
      const tab = record.indexOf('\t');
      if (tab < 0) continue;
      const [, type, sha, size] = record.slice(0, tab).split(/ +/);
      if (type === 'blob') entries.push({ path: record.slice(tab + 1), sha: sha!, size: Number(size) });
    }
    return entries;
  }

  /** Commits on main, newest first; with `paths`, only commits touching them (deletes included). */
  async log(slug: string, opts: { paths?: string[]; limit?: number; rev?: string } = {}): Promise<CommitRecord[]> {
    const target = opts.rev ?? (await this.head(slug));
    if (!target) return [];
    assertRev(target);
    const args = ['log', '-z', LOG_FORMAT];
    if (opts.limit !== undefined) args.push(`--max-count=${Math.max(0, Math.floor(opts.limit))}`);
    args.push(target);
    if (opts.paths?.length) {
      opts.paths.forEach(assertTreePath);
      args.push('--', ...opts.paths);
    }
    const { stdout } = await runGit(args, { gitDir: this.repoPath(slug) });
    return parseLog(stdout.toString('utf8'));
  }

  /** Full commit id for `rev`, or null if it names no commit. Never lets `rev` act as an option. */
  async resolveCommit(slug: string, rev: string): Promise<string | null> {
    assertRev(rev);
    const { stdout } = await runGit(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], {
      gitDir: this.repoPath(slug),
      okCodes: [1],
    });
    return stdout.toString('utf8').trim() || null;
  }

  async fsck(slug: string): Promise<{ ok: boolean; output: string }> {
    // --no-dangling: blobs from rejected or abandoned uploads are expected and harmless.
    const { stdout, stderr, code } = await runGit(['fsck', '--full', '--strict', '--no-dangling', '--no-progress'], {
      gitDir: this.repoPath(slug),
      okCodes: 'any',
    });
    return { ok: code === 0, output: (stdout.toString('utf8') + stderr).trim() };
  }

  /**
   * `git gc --auto` with the threshold given here (the repository's own gc.auto is 0): repacks
   * only when about `looseObjects` loose objects have piled up. In the foreground (no detached
   * gc outliving the job), and the repos keep unreferenced objects two weeks as git does.
   */
  async gcAuto(slug: string, looseObjects: number): Promise<void> {
    await runGit(['-c', `gc.auto=${Math.max(1, Math.floor(looseObjects))}`, '-c', 'gc.autoDetach=false', 'gc', '--auto', '--quiet'], {
      gitDir: this.repoPath(slug),
    });
  }

  /** Scheduled maintenance (gc.auto is off): pack loose objects. Keeps unreferenced objects 2 weeks. */
  async gc(slug: string): Promise<void> {
    await runGit(['gc', '--quiet'], { gitDir: this.repoPath(slug) });
  }
}

/** `update-index -z --index-info` input: mode 0 removes a path. */
function indexInfo(changes: TreeChange[]): string {
  return changes.map((c) => (c.op === 'put' ? `100644 blob ${c.blob}\t${c.path}\0` : `0 ${'0'.repeat(40)}\t${c.path}\0`)).join('');
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.slice(0, 200);
}
