import { spawn } from 'node:child_process';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { api } from '@lockstep/protocol';
import { rebuildIndex } from '../packages/server/src/services/index-rebuild.js';
import { startServer } from '../packages/server/test/harness.js';
import { printTable, request, round, summarize, runIfMain } from './util.js';

/** Writes one commit with `count` files and their metadata through `git fast-import` (seconds, not hours). */
export async function generate(gitDir: string, count: number): Promise<void> {
  const child = spawn('git', ['--git-dir', gitDir, 'fast-import', '--quiet'], { stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise<void>((resolve, reject) =>
    child.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`fast-import exit ${c}`)))),
  );
  const now = Math.floor(Date.now() / 1000);
  const chunks: string[] = [`commit refs/heads/main\ncommitter bench <bench@lockstep.local> ${now} +0000\ndata 10\nbench data\n`];
  for (let i = 0; i < count; i++) {
    // 40 part-number groups plus some Miscellaneous names, in folders of 1,000.
    const name = i % 10 === 9 ? `fixture_${i}.dxf` : `${String(10 + (i % 40)).padStart(2, '0')}${String(i).padStart(5, '0')}_op1.mcam`;
    const file = `cell${Math.floor(i / 1000)}/${name}`;
    const content = `G0 X${i}\n`;
    const meta = JSON.stringify({
      revision: 'A',
      description: `program ${i}`,
      partNumber: null,
      fields: {},
      modifiedBy: 'bench',
      modifiedAt: new Date().toISOString(),
    });
    chunks.push(`M 100644 inline ${file}\ndata ${Buffer.byteLength(content)}\n${content}\n`);
    chunks.push(`M 100644 inline .lockstep/${file}.json\ndata ${Buffer.byteLength(meta)}\n${meta}\n`);
    if (chunks.length > 2000) {
      if (!child.stdin.write(chunks.join(''))) await new Promise((r) => child.stdin.once('drain', r));
      chunks.length = 0;
    }
  }
  child.stdin.end(chunks.join(''));
  await done;
}

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
  const headers = server.admin.headers();

  const firstPage: number[] = [];
  for (let i = 0; i < 20; i++) {
    t = performance.now();
    const res = await request(`${server.url}${api.files('big')}?limit=200`, 'GET', headers);
    firstPage.push(performance.now() - t);
    if (res.status !== 200) throw new Error(res.body);
  }
  const whole: number[] = [];
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    let cursor: string | null = null;
    let seen = 0;
    do {
      const res = await request(`${server.url}${api.files('big')}?limit=5000${cursor ? `&cursor=${cursor}` : ''}`, 'GET', headers);
      const body = JSON.parse(res.body) as { items: unknown[]; nextCursor: string | null };
      seen += body.items.length;
      cursor = body.nextCursor;
    } while (cursor);
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
    'generate (fast-import) ms': round(generateMs, 0),
    'index rebuild ms': rebuild.ms,
    'first grouped page (200) p50 ms': round(summarize(firstPage).p50),
    'first page p99 ms': round(summarize(firstPage).p99),
    'whole listing ms (20 pages of 5000)': round(summarize(whole).p50, 0),
    'groups summary ms': round(groupsMs, 1),
    'baseline raw SQLite select-all ms': round(rawMs, 0),
    'ratio whole listing / raw select': round(summarize(whole).p50 / rawMs),
  };
  printTable('Listing a 100,000-file project', [result]);
  return result;
}

runIfMain(import.meta.url, run);
