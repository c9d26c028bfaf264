import { execFileSync, spawn } from 'node:child_process';
import { api } from '@lockstep/protocol';
import { rebuildIndex } from '../packages/server/src/services/index-rebuild.js';
import { ADMIN_PASSWORD, startServer } from '../packages/server/test/harness.js';
import { printTable, request, round, summarize, runIfMain } from './util.js';

const TARGET = '1000001_target.nc';

/** `count` commits on top of main, each changing one of 500 other programs (git fast-import: seconds). */
async function otherCommits(gitDir: string, count: number): Promise<void> {
  const head = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', 'refs/heads/main']).toString().trim();
  const child = spawn('git', ['--git-dir', gitDir, 'fast-import', '--quiet'], { stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise<void>((resolve, reject) =>
    child.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`fast-import exit ${c}`)))),
  );
  const start = Math.floor(Date.now() / 1000) - count;
  let chunk = '';
  for (let i = 0; i < count; i++) {
    const content = `O${i % 500} (pass ${i})\nG1 X${i} F200\n`;
    const message = `tweak other program ${i % 500}`;
    chunk +=
      `commit refs/heads/main\ncommitter bench <bench@lockstep.local> ${start + i} +0000\ndata ${message.length}\n${message}\n` +
      (i === 0 ? `from ${head}\n` : '') +
      `M 100644 inline other/${2000000 + (i % 500)}_op.nc\ndata ${Buffer.byteLength(content)}\n${content}\n`;
    if (chunk.length > 1 << 20) {
      if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
      chunk = '';
    }
  }
  child.stdin.end(chunk);
  await done;
}

async function timed(n: number, fn: () => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return samples;
}

/**
 * Issue 10's revisions index: the history of a 2-revision file, and a download by revision label,
 * in a project with 40,000 other commits, through the HTTP API (server at its default settings);
 * baseline the `git log -- path` the history used to run (and that plus `cat-file` for a download).
 */
export async function run(opts: { commits?: number } = {}) {
  const commits = opts.commits ?? 40_000;
  const server = await startServer();
  await server.createProject('hist');
  const s = server.app.services;
  const gitDir = s.vault.repoPath('hist');
  const admin = server.admin;
  if ((await admin.upload('hist', TARGET, 'O1000 (rev A)\nG0 X0\n')).status !== 201) throw new Error('upload');
  const t = performance.now();
  await otherCommits(gitDir, commits);
  const generateMs = performance.now() - t;
  const rebuild = await rebuildIndex(s, 'hist');
  if ((await admin.checkout('hist', TARGET)).status !== 200) throw new Error('checkout');
  if ((await admin.checkin('hist', TARGET, 'O1000 (rev B)\nG0 X1\n', { message: 'rev B', bump: true })).status !== 200)
    throw new Error('checkin');

  // A fresh server on the same data, logged in as a user would be.
  await server.restart();
  const headers = (await server.login('admin', ADMIN_PASSWORD)).headers();
  const historyUrl = `${server.url}${api.fileHistory('hist', TARGET)}`;
  const downloadUrl = `${server.url}${api.fileContent('hist', TARGET, 'A')}`;
  const check = async (url: string, expect: (body: string) => boolean) => {
    const res = await request(url, 'GET', headers);
    if (res.status !== 200 || !expect(res.body)) throw new Error(`${url}: ${res.status} ${res.body.slice(0, 200)}`);
  };
  await check(historyUrl, (b) => (JSON.parse(b) as unknown[]).length === 2);
  await check(downloadUrl, (b) => b.includes('rev A'));
  const history = summarize(await timed(50, () => check(historyUrl, () => true)));
  const download = summarize(await timed(50, () => check(downloadUrl, (b) => b.includes('rev A'))));

  const git = (...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args]).toString();
  const gitLog = () => git('log', '-z', '--format=%H%x00%an%x00%aI%x00%B', 'refs/heads/main', '--', TARGET, `.lockstep/${TARGET}.json`);
  const baselineLog = summarize(await timed(10, () => Promise.resolve(void gitLog())));
  const baselineDownload = summarize(
    await timed(10, () => {
      // The oldest commit of the file is revision A (what the label lookup walked history for).
      const oldest = git('log', '--format=%H', 'refs/heads/main', '--', TARGET, `.lockstep/${TARGET}.json`).trim().split('\n').at(-1)!;
      git('cat-file', 'blob', `${oldest}:${TARGET}`);
      return Promise.resolve();
    }),
  );
  await server.close();

  const result = {
    'other commits': commits,
    'generate (fast-import) ms': round(generateMs, 0),
    'rebuild-index ms (revisions from the whole history)': rebuild.ms,
    'history p50 ms': round(history.p50),
    'history p99 ms': round(history.p99),
    'download by label p50 ms': round(download.p50),
    'download by label p99 ms': round(download.p99),
    'baseline git log -- path p50 ms': round(baselineLog.p50),
    'baseline git log + cat-file p50 ms': round(baselineDownload.p50),
    'ratio history / git log': round(history.p50 / baselineLog.p50, 3),
    'ratio download / git log + cat-file': round(download.p50 / baselineDownload.p50, 3),
  };
  printTable(`History and download by label with ${commits} other commits`, [result]);
  return result;
}

runIfMain(import.meta.url, run);
