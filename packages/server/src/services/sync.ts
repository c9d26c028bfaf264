import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ProjectEventMap, SyncResult } from '@lockstep/protocol';
import type { Config } from '../config.js';
import type { ProjectEvent } from '../events/bus.js';
import { isLocalEvent } from '../events/index.js';
import { RemoteUrlError, validateRemoteUrl } from '../domain/remote-url.js';
import { appendAudit } from '../store/audit.js';
import { nowIso } from '../store/db.js';
import { findProject, getProject, updateProjectRow } from '../store/projects.js';
import { KeyedMutex } from '../vault/mutex.js';
import { fetchRemote, isAncestor, lsRemote, moveMain, pushMain, RemoteError, type RemoteAuth } from '../vault/remote.js';
import type { Actor, Services } from './context.js';
import { AppError, badRequest, conflict } from './errors.js';
import { rebuildIndex } from './index-rebuild.js';
import { assertTreeAcceptable } from './tree-check.js';

// ── stored secrets ─────────────────────────────────────────────────────────────────────────────

const SEALED_PREFIX = 'enc:v1:';

/**
 * AES-256-GCM for remote tokens at rest. The key comes from LOCKSTEP_SECRET_KEY (64 hex chars,
 * base64 of 32 bytes, or a passphrase run through scrypt) or from `<dataDir>/secret.key`, created
 * once with mode 0600 (instances sharing the data folder share it). The project slug is the
 * additional authenticated data: a sealed token cannot be moved to another project's row.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static forConfig(config: Pick<Config, 'secretKey' | 'dataDir'>): SecretBox {
    if (config.secretKey) return new SecretBox(keyFromText(config.secretKey));
    return new SecretBox(loadOrCreateKeyFile(path.join(config.dataDir, 'secret.key')));
  }

  static isSealed(stored: string | null | undefined): boolean {
    return !!stored && stored.startsWith(SEALED_PREFIX);
  }

  seal(plain: string, slug: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(`lockstep-remote-token:${slug}`));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The token, or null. A value stored before encryption (no prefix) is returned as it is. */
  open(stored: string | null, slug: string): string | null {
    if (!stored) return null;
    if (!SecretBox.isSealed(stored)) return stored;
    const raw = Buffer.from(stored.slice(SEALED_PREFIX.length), 'base64');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(`lockstep-remote-token:${slug}`));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(
        `the stored remote token of "${slug}" cannot be decrypted (was LOCKSTEP_SECRET_KEY or secret.key changed?); set the token again`,
      );
    }
  }
}

function keyFromText(text: string): Buffer {
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex');
  const b64 = Buffer.from(text, 'base64');
  if (b64.length === 32 && /^[A-Za-z0-9+/_-]+=*$/.test(text)) return b64;
  return crypto.scryptSync(text, 'lockstep-secret-key', 32);
}

/** Reads the key file, or creates it atomically (write a temp file, then link: never a half-written key). */
function loadOrCreateKeyFile(file: string): Buffer {
  const read = () => keyFromText(fs.readFileSync(file, 'utf8').trim());
  if (fs.existsSync(file)) return read();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
  fs.writeFileSync(tmp, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another instance won the race
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return read();
}

// ── background push and "sync now" ─────────────────────────────────────────────────────────────

/** Events that mean a new commit on main. Lock-only events (check-out, cancel, override) do not. */
const COMMIT_EVENTS = new Set<string>(['file.uploaded', 'file.checked_in', 'file.updated', 'file.deleted']);

interface ProjectSync {
  /** Debounce or retry timer. */
  timer: NodeJS.Timeout | null;
  /** The timer is a retry after a failure (new commits do not shorten it). */
  retrying: boolean;
  running: boolean;
  /** A commit arrived while a push was running: push again afterwards. */
  dirty: boolean;
  failures: number;
}

type ProcessType = 'process.started' | 'process.progress' | 'process.completed' | 'process.failed';

/**
 * Pushes each project's repository to its remote in the background after commits (debounced, one
 * run at a time per project, retried with exponential backoff), and runs the admin's "sync now"
 * and the import of an existing remote. Runs report `process.*` events; outcomes go to the
 * project's sync_state/sync_error/last_sync_at and to the audit log (`sync.pushed`, `sync.failed`).
 */
export class SyncService {
  readonly secrets: SecretBox;
  private readonly states = new Map<string, ProjectSync>();
  /** One network operation per project at a time in this process (push, fetch, import). */
  private readonly gitLock = new KeyedMutex();
  private unsubscribe: (() => void) | null = null;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly s: Services) {
    this.secrets = SecretBox.forConfig(s.config);
  }

  /** Listens for commits; schedules a catch-up push for every project with a remote. */
  start(): void {
    this.unsubscribe = this.s.bus.onEvent((event) => this.onEvent(event));
    this.track(
      this.s.db
        .selectFrom('projects')
        .select('slug')
        .where('remote_url', 'is not', null)
        .execute()
        .then((rows) => rows.forEach((r) => this.schedule(r.slug))),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    for (const st of this.states.values()) if (st.timer) clearTimeout(st.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** The project is being deleted: cancel its debounce/retry timer and forget its state. */
  forget(slug: string): void {
    const st = this.states.get(slug);
    if (st?.timer) clearTimeout(st.timer);
    this.states.delete(slug);
  }

  /** Projects with a push waiting (debounce or retry), for tests and diagnostics. */
  pendingTimers(): string[] {
    return [...this.states].filter(([, st]) => st.timer).map(([slug]) => slug);
  }

  /** The token as stored: sealed. */
  sealToken(slug: string, token: string | null | undefined): string | null | undefined {
    if (token === undefined || token === null) return token;
    if (token === '') return null;
    return this.secrets.seal(token, slug);
  }

  private onEvent(event: ProjectEvent): void {
    if (this.closed || !COMMIT_EVENTS.has(event.type)) return;
    // Every instance sees every event; the one that made the commit pushes it.
    if (!isLocalEvent(this.s.bus, event)) return;
    this.track(
      findProject(this.s.db, event.project).then((p) => {
        if (p?.remote_url) this.schedule(event.project);
      }),
    );
  }

  private state(slug: string): ProjectSync {
    let st = this.states.get(slug);
    if (!st) this.states.set(slug, (st = { timer: null, retrying: false, running: false, dirty: false, failures: 0 }));
    return st;
  }

  /** Queues a background push after the debounce window (no-op while one is waiting to retry). */
  schedule(slug: string, delay = this.s.config.syncDebounceMs): void {
    if (this.closed) return;
    const st = this.state(slug);
    if (st.running) {
      st.dirty = true;
      return;
    }
    if (st.timer) {
      if (st.retrying) return;
      clearTimeout(st.timer);
    }
    st.retrying = false;
    st.timer = setTimeout(() => {
      st.timer = null;
      this.track(this.backgroundPush(slug));
    }, delay);
  }

  private async backgroundPush(slug: string): Promise<void> {
    const st = this.state(slug);
    st.running = true;
    st.dirty = false;
    let retry = false;
    try {
      await this.gitLock.run(slug, async () => {
        const row = await findProject(this.s.db, slug);
        if (!row?.remote_url || !(await this.s.vault.exists(slug))) return;
        try {
          await this.push(slug, null);
          st.failures = 0;
        } catch (err) {
          st.failures++;
          // A rejected push (the remote has other commits) will not heal by itself: wait for an admin.
          retry = !(err instanceof RemoteError && err.kind === 'rejected');
        }
      });
    } catch (err) {
      this.s.log.error({ err, project: slug }, 'sync: push failed unexpectedly');
      retry = true;
    } finally {
      st.running = false;
    }
    if (this.closed) return;
    if (retry) {
      const delay = Math.min(this.s.config.syncRetryMs * 2 ** Math.min(st.failures - 1, 20), this.s.config.syncRetryMaxMs);
      if (st.timer) clearTimeout(st.timer);
      st.retrying = true;
      st.timer = setTimeout(() => {
        st.timer = null;
        st.retrying = false;
        this.track(this.backgroundPush(slug));
      }, delay);
      return;
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- schedule() sets it again while the push awaits
    if (st.dirty) this.schedule(slug);
  }

  /** One push run (caller holds gitLock): process events, state, audit. Throws the failure after recording it. */
  private async push(slug: string, actor: Actor | null): Promise<{ pushed: boolean; commit: string | null }> {
    const auth = await this.auth(slug);
    const report = this.reporter(slug, 'sync.push', `Pushing ${slug} to ${auth.url}`);
    await report('process.started', 0);
    const before = (await findProject(this.s.db, slug))?.sync_state;
    try {
      const result = await pushMain(this.s.vault.repoPath(slug), auth, {
        timeoutMs: this.s.config.syncTimeoutMs,
        onProgress: (p, phase) => void report('process.progress', p, undefined, phase),
      });
      await this.recordSuccess(slug, actor, before, result.pushed ? `pushed ${short(result.commit)} to ${auth.url}` : null);
      await report('process.completed', 100);
      return result;
    } catch (err) {
      await this.recordFailure(slug, actor, before, err);
      await report('process.failed', 100, messageOf(err));
      throw err;
    }
  }

  /**
   * "Sync now": fetch; fast-forward when only the remote moved (then rebuild the index); push when
   * only we moved; 409 when both did (Lockstep never rewrites either history).
   */
  async syncNow(slug: string, actor: Actor): Promise<SyncResult> {
    const row = await findProject(this.s.db, slug);
    if (!row) throw new AppError(404, 'not_found', `project "${slug}" not found`);
    if (!row.remote_url) throw conflict(`project "${slug}" has no remote; set remoteUrl first`);
    const gitDir = this.s.vault.repoPath(slug);
    const outcome = await this.gitLock.run(slug, async () => {
      const auth = await this.auth(slug);
      const report = this.reporter(slug, 'sync.now', `Synchronising ${slug} with ${auth.url}`);
      await report('process.started', 0);
      const before = row.sync_state;
      try {
        const remote = await fetchRemote(gitDir, auth, {
          timeoutMs: this.s.config.syncTimeoutMs,
          onProgress: (p) => void report('process.progress', Math.round(p / 2)),
        });
        for (let attempt = 0; attempt < 5; attempt++) {
          const local = await this.s.vault.head(slug);
          if (remote === local) {
            await this.recordSuccess(slug, actor, before, null);
            await report('process.completed', 100);
            return { action: 'up-to-date' as const, local, remote };
          }
          if (!remote || (local && (await isAncestor(gitDir, remote, local)))) {
            const pushed = await pushMain(gitDir, auth, { timeoutMs: this.s.config.syncTimeoutMs });
            await this.recordSuccess(slug, actor, before, pushed.pushed ? `pushed ${short(pushed.commit)} to ${auth.url}` : null);
            await report('process.completed', 100);
            return { action: pushed.pushed ? ('pushed' as const) : ('up-to-date' as const), local: pushed.commit, remote: pushed.commit };
          }
          if (!local || (await isAncestor(gitDir, local, remote))) {
            // Only the remote moved: fast-forward main (compare-and-swap against local commits),
            // once its tree is known to obey the upload rules.
            await assertTreeAcceptable(this.s, slug, remote, "the remote's main");
            const moved = await this.s.projectWrites.run(slug, () => moveMain(gitDir, remote, local, `fast-forward to ${auth.url}`));
            if (!moved) continue; // someone committed meanwhile: look again
            await report('process.progress', 60);
            await rebuildIndex(this.s, slug);
            await this.recordSuccess(slug, actor, before, `fast-forwarded to ${short(remote)} from ${auth.url}`);
            await report('process.completed', 100);
            return { action: 'fast-forwarded' as const, local: remote, remote };
          }
          throw new RemoteError(
            'rejected',
            `local and remote histories have diverged (Lockstep ${short(local)}, remote ${short(remote)}); Lockstep never rewrites history: reset the remote's main to Lockstep's, or move its extra commits onto Lockstep's history, then sync again`,
          );
        }
        throw new RemoteError('failed', 'the project kept changing during the sync; try again');
      } catch (err) {
        await this.recordFailure(slug, actor, before, err);
        await report('process.failed', 100, messageOf(err));
        if (err instanceof RemoteError) {
          throw err.kind === 'rejected' ? conflict(err.message) : new AppError(502, 'unavailable', err.message);
        }
        throw err;
      }
    });
    const st = this.state(slug);
    st.failures = 0;
    if (st.timer && st.retrying) {
      clearTimeout(st.timer);
      st.timer = null;
      st.retrying = false;
    }
    return { ...outcome, project: (await getProject(this.s.db, slug))! };
  }

  /**
   * Fills a new, empty project from its remote: fetch the remote's main (or its default branch),
   * set main, rebuild the index. Reports `process.*` (kind `sync.import`).
   */
  async importRemote(slug: string, actor: Actor): Promise<{ files: number; commit: string | null }> {
    return this.gitLock.run(slug, async () => {
      const auth = await this.auth(slug);
      const gitDir = this.s.vault.repoPath(slug);
      const report = this.reporter(slug, 'sync.import', `Importing ${auth.url} into ${slug}`);
      await report('process.started', 0);
      try {
        let remote = await fetchRemote(gitDir, auth, {
          timeoutMs: this.s.config.syncTimeoutMs,
          onProgress: (p, phase) => void report('process.progress', Math.round(p * 0.7), undefined, phase),
        });
        if (!remote) {
          // No `main`: take the remote's default branch.
          const { headBranch } = await lsRemote(gitDir, auth, { timeoutMs: this.s.config.syncTimeoutMs });
          if (headBranch && headBranch !== 'main')
            remote = await fetchRemote(gitDir, auth, { timeoutMs: this.s.config.syncTimeoutMs, branch: headBranch });
        }
        let files = 0;
        if (remote) {
          await assertTreeAcceptable(this.s, slug, remote, 'the remote commit');
          const moved = await this.s.projectWrites.run(slug, () => moveMain(gitDir, remote, null, `import from ${auth.url}`));
          if (!moved) throw conflict(`project "${slug}" already has commits; import only fills an empty project`);
          await report('process.progress', 75, undefined, 'Indexing');
          files = (await rebuildIndex(this.s, slug)).files;
        }
        await this.recordSuccess(
          slug,
          actor,
          'idle',
          remote ? `imported ${short(remote)} (${files} files) from ${auth.url}` : null,
          'sync.imported',
        );
        await report('process.completed', 100);
        return { files, commit: remote };
      } catch (err) {
        await this.recordFailure(slug, actor, 'idle', err);
        await report('process.failed', 100, messageOf(err));
        if (err instanceof RemoteError) throw new AppError(502, 'unavailable', `import failed: ${err.message}`);
        throw err;
      }
    });
  }

  private async auth(slug: string): Promise<RemoteAuth> {
    const row = await findProject(this.s.db, slug);
    if (!row?.remote_url) throw conflict(`project "${slug}" has no remote`);
    let token = this.secrets.open(row.remote_secret, slug);
    if (token && !SecretBox.isSealed(row.remote_secret)) {
      // Stored before encryption (or written around the API): seal it now.
      await updateProjectRow(this.s.db, slug, { remote_secret: this.secrets.seal(token, slug) });
    }
    if (token === '') token = null;
    // Checked again at use: the row may predate the rules, or file:// may have been turned off since.
    const allowFile = this.s.config.allowFileRemotes;
    try {
      validateRemoteUrl(row.remote_url, { allowFile });
    } catch (err) {
      if (err instanceof RemoteUrlError) throw badRequest(`the remote of "${slug}" cannot be used: ${err.message}`);
      throw err;
    }
    return { url: row.remote_url, token, allowFile };
  }

  private async recordSuccess(
    slug: string,
    actor: Actor | null,
    before: string | undefined,
    auditMessage: string | null,
    action = 'sync.pushed',
  ): Promise<void> {
    await this.s.db.transaction().execute(async (trx) => {
      await updateProjectRow(trx, slug, { sync_state: 'ok', sync_error: null, last_sync_at: nowIso() });
      if (auditMessage) await appendAudit(trx, { username: actor?.username ?? null, action, project: slug, message: auditMessage });
    });
    if (before !== 'ok') await this.publishProject(slug, actor);
  }

  private async recordFailure(slug: string, actor: Actor | null, before: string | undefined, err: unknown): Promise<void> {
    const message = messageOf(err);
    this.s.log.warn({ project: slug, error: message }, 'sync failed');
    await this.s.db.transaction().execute(async (trx) => {
      await updateProjectRow(trx, slug, { sync_state: 'failed', sync_error: message });
      // Audit every failure an admin asked for, and each transition into failure (not every retry).
      if (actor || before !== 'failed')
        await appendAudit(trx, { username: actor?.username ?? null, action: 'sync.failed', project: slug, message });
    });
    if (before !== 'failed') await this.publishProject(slug, actor);
  }

  private async publishProject(slug: string, actor: Actor | null): Promise<void> {
    const project = await getProject(this.s.db, slug);
    if (project) await this.s.bus.publish(slug, 'project.updated', { actor: actor?.username ?? 'lockstep', project: project });
  }

  private reporter(slug: string, kind: string, label: string) {
    const processId = crypto.randomUUID();
    let lastProgress = -1;
    let lastAt = 0;
    return async (type: ProcessType, progress: number, error?: string, phase?: string): Promise<void> => {
      if (type === 'process.progress') {
        // At most a few progress events a second, and only forward.
        if (progress <= lastProgress || Date.now() - lastAt < 200) return;
        lastProgress = progress;
        lastAt = Date.now();
      }
      const data: ProjectEventMap[ProcessType] = { processId, kind, label: phase ? `${label}: ${phase}` : label, progress };
      if (error) data.error = error;
      try {
        await this.s.bus.publish(slug, type, data);
      } catch (err) {
        this.s.log.warn({ err, project: slug }, 'sync: could not publish a process event');
      }
    };
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => this.s.log.error({ err }, 'sync: background task failed'));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}

const short = (sha: string | null) => (sha ? sha.slice(0, 10) : '(none)');
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 1000);
