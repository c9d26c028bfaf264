import { CompiledQuery } from 'kysely';
import type { Db } from './db.js';

interface Pending {
  work: (trx: Db) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const SAVEPOINT = CompiledQuery.raw('savepoint unit');
const RELEASE = CompiledQuery.raw('release unit');
const ROLLBACK_TO = CompiledQuery.raw('rollback to unit');

/**
 * Group commit for SQLite: small write transactions that arrive in the same turn of the event loop
 * share one COMMIT, which is most of their cost (a WAL append per commit). Each unit still runs
 * alone and all-or-nothing inside a savepoint: one that throws is rolled back without touching
 * the others, and each caller hears only once the shared commit is done. (On PostgreSQL a lock
 * change and its audit row are one statement instead: see takeLockAudited.) A unit must be short
 * and must not call `run` itself (it would wait for a batch that waits for it).
 */
export class GroupCommit {
  private queue: Pending[] = [];

  constructor(private readonly db: Db) {}

  run<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => void this.flush());
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const unit of batch) {
          await trx.executeQuery(SAVEPOINT);
          try {
            outcomes.push({ ok: true, value: await unit.work(trx) });
          } catch (error) {
            await trx.executeQuery(ROLLBACK_TO);
            outcomes.push({ ok: false, error });
          }
          await trx.executeQuery(RELEASE);
        }
      });
    } catch (error) {
      // The commit itself failed: nothing of the batch was stored.
      for (const unit of batch) unit.reject(error);
      return;
    }
    batch.forEach((unit, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) unit.resolve(outcome.value);
      else unit.reject(outcome.error);
    });
  }
}
