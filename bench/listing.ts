import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { api } from '@lockstep/protocol';
import { rebuildIndex } from '../packages/server/src/services/index-rebuild.js';
import { ADMIN_PASSWORD, startServer } from '../packages/server/test/harness.js';
import { printTable, request, round, summarize, runIfMain } from './util.js';

/**
 * Writes one commit with `count` entries and their metadata through `git fast-import` (seconds,
 * not hours). Every 20th entry (5 %) is a link: metadata only, pointing at the entry before it.
 */
export async function generate(gitDir: string, count: number): Promise<void> {
  const child = spawn('git', ['--git-dir', gitDir, 'fast-import', '--quiet'], { stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise<void>((resolve, reject) =>
    child.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`fast-import exit ${c}`)))),
  );
  const now = Math.floor(Date.now() / 1000);
  // On top of the project's first commit (its .gitattributes), when there is one.
  const head = spawnSync('git', ['--git-dir', gitDir, 'rev-parse', '--verify', '-q', 'refs/heads/main'], {
    encoding: 'utf8',
  }).stdout.trim();
  const chunks: string[] = [
    `commit refs/heads/main\ncommitter bench <bench@lockstep.local> ${now} +0000\ndata 10\nbench data\n${head ? `from ${head}\n` : ''}`,
  ];
  for (let i = 0; i < count; i++) {
    const file = fileOf(i);
    const content = `G0 X${i}\n`;
    const isLink = i % 20 === 19;
    const meta = JSON.stringify({
      revision: 'A',
      description: `program ${i}`,
      partNumber: null,
      fields: {},
      modifiedBy: 'bench',
      modifiedAt: new Date().toISOString(),
      ...(isLink ? { link: fileOf(i - 1) } : {}),
    });
    if (!isLink) chunks.push(`M 100644 inline ${file}\ndata ${Buffer.byteLength(content)}\n${content}\n`);
    chunks.push(`M 100644 inline .lockstep/${file}.json\ndata ${Buffer.byteLength(meta)}\n${meta}\n`);
    if (chunks.length > 2000) {
      if (!child.stdin.write(chunks.join(''))) await new Promise((r) => child.stdin.once('drain', r));
      chunks.length = 0;
    }
  }
  child.stdin.end(chunks.join(''));
  await done;
}

/** 40 part-number groups plus some Miscellaneous names, in folders of 1,000. */
function fileOf(i: number): string {
  const name = i % 10 === 9 ? `fixture_${i}.dxf` : `${String(10 + (i % 40)).padStart(2, '0')}${String(i).padStart(5, '0')}_op1.mcam`;
  return `cell${Math.floor(i / 1000)}/${name}`;
}

/** A third of the files (not links) checked out by another user, written straight into the index. */
export function lockAThird(dbFile: string, slug: string): number {
  const db = new SQLite(dbFile);
  const { changes } = db
    .prepare(
      `INSERT INTO locks (project, path_key, path, username, locked_at, message)
       SELECT project, path_key, path, 'alice', ?, 'bench' FROM files
       WHERE project = ? AND link_target IS NULL AND rowid % 3 = 0`,
    )
    .run(new Date().toISOString(), slug);
  db.close();
  return changes;
}

/** The whole listing page by page (client parse included); returns the number of entries. */
async function listAll(url: string, headers: Record<string, string>): Promise<number> {
  let cursor: string | null = null;
  let seen = 0;
  do {
    const res = await request(`${url}?limit=5000${cursor ? `&cursor=${cursor}` : ''}`, 'GET', headers);
    if (res.status !== 200) throw new Error(res.body);
    const body = JSON.parse(res.body) as { items: unknown[]; nextCursor: string | null };
    seen += body.items.length;
    cursor = body.nextCursor;
  } while (cursor);
  return seen;
}

/**
 * Listing 100,000 entries (5 % links, a third of the files locked by another user): the first
 * grouped page and the whole listing, first on a just-restarted server (cold: no JIT, no SQLite
 * page cache in the process) and then warm; baseline the raw select of the same rows.
 */
export async function run(opts: { files?: number } = {}) {
  const files = opts.files ?? 100_000;
  const server = await startServer();
  await server.createProject('big');
  const s = server.app.services;
  let t = performance.now();
  await generate(s.vault.repoPath('big'), files);
  const generateMs = performance.now() - t;
  const rebuild = await rebuildIndex(s, 'big');
  if (rebuild.files !== files) throw new Error(`indexed ${rebuild.files} of ${files}`);
  const locked = lockAThird(path.join(server.dataDir, 'lockstep.db'), 'big');
  const listUrl = `${server.url}${api.files('big')}`;

  // Cold: a fresh server process state on the same data (the OS file cache stays warm).
  await server.restart();
  let headers = (await server.login('admin', ADMIN_PASSWORD)).headers();
  t = performance.now();
  const coldRes = await request(`${listUrl}?limit=200`, 'GET', headers);
  const coldFirstPageMs = performance.now() - t;
  if (coldRes.status !== 200) throw new Error(coldRes.body);
  await server.restart();
  headers = (await server.login('admin', ADMIN_PASSWORD)).headers();
  t = performance.now();
  if ((await listAll(listUrl, headers)) !== files) throw new Error('cold listing count');
  const coldWholeMs = performance.now() - t;

  const firstPage: number[] = [];
  for (let i = 0; i < 20; i++) {
    t = performance.now();
    const res = await request(`${listUrl}?limit=200`, 'GET', headers);
    firstPage.push(performance.now() - t);
    if (res.status !== 200) throw new Error(res.body);
  }
  const whole: number[] = [];
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    const seen = await listAll(listUrl, headers);
    if (seen !== files) throw new Error(`listed ${seen}`);
    whole.push(performance.now() - t);
  }
  t = performance.now();
  await request(`${server.url}${api.groups('big')}`, 'GET', headers);
  const groupsMs = performance.now() - t;

  // Baseline: the same rows straight out of SQLite, no joins, no HTTP, no JSON.
  const db = new SQLite(path.join(server.dataDir, 'lockstep.db'), { readonly: true });
  t = performance.now();
  const raw = db.prepare('SELECT * FROM files WHERE project = ? ORDER BY grp, path').all('big');
  const rawMs = performance.now() - t;
  db.close();
  await server.close();
  if (raw.length !== files) throw new Error('baseline row count');

  const result = {
    files,
    links: files / 20,
    locked,
    'generate (fast-import) ms': round(generateMs, 0),
    'index rebuild ms': rebuild.ms,
    'cold first page (200) ms': round(coldFirstPageMs, 1),
    'cold whole listing ms': round(coldWholeMs, 0),
    'first grouped page (200) p50 ms': round(summarize(firstPage).p50),
    'first page p99 ms': round(summarize(firstPage).p99),
    'whole listing ms (20 pages of 5000)': round(summarize(whole).p50, 0),
    'groups summary ms': round(groupsMs, 1),
    'baseline raw SQLite select-all ms': round(rawMs, 0),
    'ratio whole listing / raw select': round(summarize(whole).p50 / rawMs),
  };
  printTable('Listing a 100,000-entry project (5 % links, a third locked)', [result]);
  return result;
}

runIfMain(import.meta.url, run);
