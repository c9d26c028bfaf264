import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { migrateToLatest } from './migrations.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';
import type { Database } from './schema.js';

/** 8,192 pages of 4 KiB: the WAL size at which a commit checkpoints inline after all. */
export const INLINE_CHECKPOINT_PAGES = 8192;

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

export interface OpenedDb {
  db: Db;
  dialect: Dialect;
}

/** Opens (and migrates) the store: SQLite in the data folder, or PostgreSQL when a URL is given. */
export async function openDatabase(opts: { dataDir: string; databaseUrl: string | null }): Promise<OpenedDb> {
  let db: Db;
  let dialect: Dialect;
  if (opts.databaseUrl) {
    // Loaded only for PostgreSQL (start-up time of the embedded mode).
    const { default: pg } = await import('pg');
    // bigint (files.size) comes back as a string by default; sizes fit in a JS number.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    // An idle client dropped by the server (PostgreSQL restart, failover) must not crash the process;
    // the pool replaces it on the next query.
    pool.on('error', (err) => console.error(`lockstep: idle PostgreSQL connection lost: ${err.message}`));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    dialect = 'postgres';
  } else {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    const file = path.join(opts.dataDir, 'lockstep.db');
    const sqlite = new SQLite(file);
    // WAL: readers never block the writer; NORMAL sync is durable across process crashes.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // Checkpoints run in a worker (see SqliteCheckpointer), not inside a request's commit. The
    // inline one stays as a safety net at 32 MB of WAL, for loads that never leave the worker a gap.
    sqlite.pragma(`wal_autocheckpoint = ${INLINE_CHECKPOINT_PAGES}`);
    const checkpointer = new SqliteCheckpointer(file);
    const database = withStatementCache(sqlite, () => void checkpointer.stop());
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    dialect = 'sqlite';
  }
  await migrateToLatest(db, dialect);
  return { db, dialect };
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, so keep the recent ones
 * (the SQL text of a query shape is stable: values travel as parameters).
 */
function withStatementCache(sqlite: SQLite.Database, onClose: () => void, size = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close() {
      sqlite.close();
      onClose();
    },
    prepare(sql: string): SQLite.Statement {
      let statement = cache.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/** Unique-key violation on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** The dialect a database (or one of its transactions) speaks. */
export const dialectOf = (db: Db): Dialect => (db.getExecutor().adapter.constructor.name.startsWith('Postgres') ? 'postgres' : 'sqlite');

export const nowIso = (): string => new Date().toISOString();
