import type { CompiledQuery, Compilable, RawBuilder } from 'kysely';
import type { Db } from './db.js';

/** Stands in for a value while the query is compiled; replaced by the real value at each call. */
class Slot {
  constructor(readonly name: string) {}
}

/**
 * A query built and compiled once per dialect; each call only binds its values. On the lock hot
 * path Kysely's builder and compiler cost more than SQLite's own work, and the SQL text is the
 * same every time anyway. `build` receives placeholders typed as the values: use them where a
 * value goes (comparisons, inserted values), not where the SQL's shape depends on one; name each
 * inserted column (the placeholder object has no keys to spread) and keep the values flat.
 */
export function prepared<P extends Record<string, unknown>, R>(build: (db: Db, values: P) => Compilable<R> | RawBuilder<R>) {
  const compiled = new Map<unknown, CompiledQuery<R>>();
  const slots = new Proxy({}, { get: (_, name) => new Slot(String(name)) }) as P;

  function bind(db: Db, values: P): CompiledQuery<R> {
    // The adapter differs per dialect and is shared by a database and its transactions.
    const dialect = db.getExecutor().adapter.constructor;
    let query = compiled.get(dialect);
    // A query builder compiles by itself; a raw `sql` template needs the database to compile for.
    if (!query) compiled.set(dialect, (query = (build(db, slots) as { compile(db: Db): CompiledQuery<R> }).compile(db)));
    return { ...query, parameters: query.parameters.map((v) => (v instanceof Slot ? values[v.name] : v)) };
  }

  return {
    all: async (db: Db, values: P): Promise<R[]> => (await db.executeQuery(bind(db, values))).rows,
    first: async (db: Db, values: P): Promise<R | undefined> => (await db.executeQuery(bind(db, values))).rows[0],
    /** Runs a write; resolves with the number of rows it changed. */
    run: async (db: Db, values: P): Promise<number> => Number((await db.executeQuery(bind(db, values))).numAffectedRows ?? 0),
  };
}
