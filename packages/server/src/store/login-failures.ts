import { sql } from 'kysely';
import type { Db } from './db.js';

/** Failures of `key` in the window that started at or after `since` (0 when none or the window is older). */
export async function failuresSince(db: Db, key: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('login_failures')
    .select('failures')
    .where('username_key', '=', key)
    .where('window_start', '>=', since)
    .executeTakeFirst();
  return row ? row.failures : 0;
}

/** Counts one failure in one statement: a window older than `since` starts again at 1. */
export async function addFailure(db: Db, key: string, now: string, since: string): Promise<void> {
  await db
    .insertInto('login_failures')
    .values({ username_key: key, failures: 1, window_start: now })
    .onConflict((oc) =>
      oc.column('username_key').doUpdateSet({
        failures: sql<number>`case when login_failures.window_start < ${since} then 1 else login_failures.failures + 1 end`,
        window_start: sql<string>`case when login_failures.window_start < ${since} then ${now} else login_failures.window_start end`,
      }),
    )
    .execute();
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await db.deleteFrom('login_failures').where('username_key', '=', key).execute();
}

/** Rows whose window is over (maintenance). */
export async function deleteStaleFailures(db: Db, before: string): Promise<void> {
  await db.deleteFrom('login_failures').where('window_start', '<', before).execute();
}
