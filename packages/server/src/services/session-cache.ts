import type { Authenticated } from './auth.js';

/** How long a cached session is trusted without reading its row (it never outlives the session). */
const MAX_AGE_MS = 60_000;

/**
 * Recently authenticated cookie sessions, so that a request need not read its session row: on the
 * lock hot path that read was a tenth of the work. Used only in the embedded mode, where every
 * change to users and sessions goes through this process and clears what it affects; scaled out,
 * another instance could disable a user without this one hearing of it, so nothing is cached.
 */
export class SessionCache {
  private readonly entries = new Map<string, { auth: Authenticated; until: number }>();
  /** Bumped by every clear: a read that started before it must not store what it read. */
  private generation = 0;

  constructor(
    private readonly enabled: boolean,
    private readonly maxEntries = 10_000,
  ) {}

  get(idHash: string): Authenticated | undefined {
    const entry = this.entries.get(idHash);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.auth;
    this.entries.delete(idHash);
    return undefined;
  }

  /** Call before reading the session row; pass the answer to `set`. */
  ticket(): number {
    return this.generation;
  }

  set(ticket: number, idHash: string, auth: Authenticated, sessionExpiresAt: string): void {
    if (!this.enabled || ticket !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(idHash, { auth, until: Math.min(Date.parse(sessionExpiresAt), Date.now() + MAX_AGE_MS) });
  }

  /** After any change to users or sessions. */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
