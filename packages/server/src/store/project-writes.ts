import { sql } from 'kysely';
import { KeyedMutex } from '../vault/mutex.js';
import type { Db, Dialect } from './db.js';

/** The advisory-lock class of project write units (the second key is the slug's hash). */
const UNIT_LOCK_CLASS = 0x4c53; // "LS"

/**
 * Serialises the write units of one project. In one process a per-project mutex orders them;
 * scaled out, each unit also holds a PostgreSQL session advisory lock on the project for its
 * whole length (git commit and SQL), so units of one project never interleave across instances.
 * Advisory rather than a row lock: the unit spans a git commit that must not sit inside an open
 * transaction, and the lock is released by PostgreSQL itself if the instance dies.
 */
export class ProjectWrites {
  private readonly local = new KeyedMutex();
  /** Units holding a pooled connection for their lock, at most half the pool (their SQL needs the rest). */
  private holders = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly maxHolders = 5,
  ) {}

  run<T>(slug: string, work: () => Promise<T>): Promise<T> {
    if (this.dialect === 'sqlite') return this.local.run(slug, work);
    return this.local.run(slug, () => this.holding(() => this.advisory(slug, work)));
  }

  private async holding<T>(work: () => Promise<T>): Promise<T> {
    if (this.holders >= this.maxHolders) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.holders++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.holders--;
    }
  }

  private advisory<T>(slug: string, work: () => Promise<T>): Promise<T> {
    return this.db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${UNIT_LOCK_CLASS}, hashtext(${slug}))`.execute(conn);
      try {
        return await work();
      } finally {
        await sql`select pg_advisory_unlock(${UNIT_LOCK_CLASS}, hashtext(${slug}))`.execute(conn);
      }
    });
  }
}
