import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { INLINE_CHECKPOINT_PAGES, openDatabase } from '../../src/store/db.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('SQLite WAL checkpoints in the background', () => {
  it('keeps the WAL bounded without inline checkpoints, and loses nothing', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-ckpt-'));
    dirs.push(dataDir);
    const { db } = await openDatabase({ dataDir, databaseUrl: null });
    const inline = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
    expect(inline.rows[0]!.wal_autocheckpoint).toBe(INLINE_CHECKPOINT_PAGES);
    const dbFile = path.join(dataDir, 'lockstep.db');
    const sizeBefore = fs.statSync(dbFile).size;

    // 1,500 small transactions, in bursts: fewer WAL pages than the inline checkpoint waits for.
    const wal = path.join(dataDir, 'lockstep.db-wal');
    let largestWal = 0;
    for (let i = 0; i < 1500; i++) {
      await db
        .insertInto('audit')
        .values({
          at: new Date().toISOString(),
          username: 'u',
          action: 'bench',
          project: null,
          path: `p${i}`,
          revision: null,
          message: 'x'.repeat(200),
        })
        .execute();
      if (i % 100 === 0) {
        await new Promise((r) => setTimeout(r, 150));
        largestWal = Math.max(largestWal, fs.statSync(wal).size);
      }
    }
    // Bursts of 100 transactions write about 1.5 MB of WAL; a WAL that is never restarted would
    // reach about 22 MB.
    expect(largestWal).toBeGreaterThan(0);
    expect(largestWal).toBeLessThan(6 * 1024 * 1024);
    // Only a checkpoint moves rows into the database file, and no commit ran one inline.
    await expect.poll(() => fs.statSync(dbFile).size, { timeout: 5000 }).toBeGreaterThan(sizeBefore + 300_000);
    await db.destroy();

    // Reopened (the worker's last checkpoint has run or not: either way every row is there).
    const again = await openDatabase({ dataDir, databaseUrl: null });
    const { n } = await again.db
      .selectFrom('audit')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('action', '=', 'bench')
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(1500);
    const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(again.db);
    expect(check.rows[0]!.integrity_check).toBe('ok');
    await again.db.destroy();
  });
});
