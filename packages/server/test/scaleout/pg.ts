// PostgreSQL for the scale-out and sync tests: a fresh database per test file, dropped afterwards.
import crypto from 'node:crypto';
import pg from 'pg';

/** The server CI starts: trust auth, user postgres, database `test`. Override with LOCKSTEP_TEST_PG. */
export const PG_ADMIN_URL = process.env.LOCKSTEP_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    // Not a skip: the scale-out tests need PostgreSQL, and CI provides it.
    throw new Error(
      `PostgreSQL is not reachable at ${PG_ADMIN_URL} (${(err as Error).message}). ` +
        'The scale-out and sync tests need it: start PostgreSQL (trust auth, user postgres, database "test") or set LOCKSTEP_TEST_PG.',
    );
  }
  return client;
}

/** CREATE DATABASE lockstep_<random>; `drop()` removes it (disconnecting whatever is left). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `lockstep_${crypto.randomBytes(6).toString('hex')}`;
  const client = await adminClient();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = await adminClient();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
