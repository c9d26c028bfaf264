import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * What bad input must never change: every repository's refs and every DB row but the logs of it
 * (audit, sessions, and login_failures: counting failed logins is the point of that table).
 */
export interface Snapshot {
  refs: Record<string, string>;
  rows: Record<string, unknown[]>;
}

/** `ignore`: tables a test writes itself (e.g. the event log, when it publishes probe events). */
export function snapshot(dataDir: string, ignore: string[] = []): Snapshot {
  const reposDir = path.join(dataDir, 'repos');
  const refs: Record<string, string> = {};
  for (const repo of fs
    .readdirSync(reposDir)
    .filter((d) => d.endsWith('.git'))
    .sort()) {
    refs[repo] = execFileSync('git', ['--git-dir', path.join(reposDir, repo), 'for-each-ref', '--format=%(refname) %(objectname)'], {
      encoding: 'utf8',
    });
  }
  const db = new Database(path.join(dataDir, 'lockstep.db'), { readonly: true, fileMustExist: true });
  try {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{
        name: string;
      }>
    )
      .map((t) => t.name)
      .filter((t) => t !== 'audit' && t !== 'sessions' && t !== 'login_failures' && !ignore.includes(t));
    const rows: Record<string, unknown[]> = {};
    for (const t of tables) rows[t] = db.prepare(`SELECT * FROM "${t}" ORDER BY 1, 2`).all();
    return { refs, rows };
  } finally {
    db.close();
  }
}
