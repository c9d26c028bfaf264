// Git-native access: a clone of a 1,000-file project and 1-file pushes through Lockstep's
// /git/<project>.git, against `git http-backend` (git's own CGI, in a minimal Node wrapper) serving
// the same repository in the same run. Lockstep's push also checks locks, writes the metadata
// commit, index, audit and events; http-backend only moves the ref.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { rebuildIndex } from '../packages/server/src/services/index-rebuild.js';
import { startServer, type TestServer } from '../packages/server/test/harness.js';
import { GitUser, gitUser } from '../packages/server/test/git/git-cli.js';
import { printTable, round, runIfMain, summarize } from './util.js';

const P = 'bench';

/** 1,000 files (about 2 KB of G-code each) plus their metadata in one commit, by git fast-import. */
function fillRepo(gitDir: string, files: number): void {
  const now = Math.floor(Date.now() / 1000);
  let script = `commit refs/heads/main\ncommitter Bench <bench@lockstep.local> ${now} +0000\ndata 13\nbench import\n`;
  const parent = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', '--verify', '--quiet', 'main']).toString().trim();
  script += `from ${parent}\n`;
  for (let i = 0; i < files; i++) {
    const name = `${String(1000000 + i)}_op1.nc`;
    const body = Array.from({ length: 80 }, (_, l) => `N${l * 10} G1 X${i}.${l} Y${l} F200`).join('\n') + '\n';
    const meta = JSON.stringify({
      revision: 'A',
      description: '',
      partNumber: String(1000000 + i),
      fields: {},
      modifiedBy: 'bench',
      modifiedAt: new Date().toISOString(),
    });
    script += `M 100644 inline parts/${name}\ndata ${Buffer.byteLength(body)}\n${body}\n`;
    script += `M 100644 inline .lockstep/parts/${name}.json\ndata ${Buffer.byteLength(meta)}\n${meta}\n`;
  }
  execFileSync('git', ['--git-dir', gitDir, 'fast-import', '--quiet'], { input: script });
}

/** `git http-backend` behind a tiny CGI bridge: the plain-git baseline. */
function startHttpBackend(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_NOSYSTEM: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: (req.headers['git-protocol'] as string | undefined) ?? '',
        REMOTE_USER: 'bench',
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let started = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (started) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      started = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const [k, ...v] = line.split(':');
        if (!k) continue;
        if (k.toLowerCase() === 'status') status = parseInt(v.join(':'), 10);
        else res.setHeader(k, v.join(':').trim());
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    child.on('close', () => res.end());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function run(opts: { files?: number; clones?: number; pushes?: number } = {}): Promise<Record<string, unknown>> {
  const files = opts.files ?? 1000;
  const clones = opts.clones ?? 5;
  const pushes = opts.pushes ?? 10;
  const server: TestServer = await startServer();
  const alice = await server.createUser('alice', 'user');
  await server.createProject(P);
  const repos = path.join(server.dataDir, 'repos');
  fillRepo(path.join(repos, `${P}.git`), files);
  await rebuildIndex(server.app.services, P);
  // The baseline's push target: a copy, so plain-git pushes never move Lockstep's own main.
  execFileSync('git', ['clone', '--quiet', '--bare', path.join(repos, `${P}.git`), path.join(repos, 'plain.git')]);
  const backend = await startHttpBackend(repos);
  const user: GitUser = await gitUser(server, alice);
  try {
    const cloneTimes = { lockstep: [] as number[], plain: [] as number[] };
    for (let i = 0; i < clones; i++) {
      cloneTimes.lockstep.push(await timed(() => user.ok(['clone', '--quiet', user.remote(P), path.join(user.home, `l${i}`)])));
      cloneTimes.plain.push(await timed(() => user.ok(['clone', '--quiet', `${backend.url}/${P}.git`, path.join(user.home, `p${i}`)])));
    }
    const work = path.join(user.home, 'l0');
    const plainWork = path.join(user.home, 'plain');
    await user.ok(['clone', '--quiet', `${backend.url}/plain.git`, plainWork]);
    const pushTimes = { lockstep: [] as number[], plain: [] as number[] };
    for (let i = 0; i < pushes; i++) {
      const file = `parts/${String(1000000 + i)}_op1.nc`;
      await user.ok(['lfs', 'lock', file], { cwd: work });
      for (const dir of [work, plainWork]) {
        fs.chmodSync(path.join(dir, file), 0o644);
        fs.appendFileSync(path.join(dir, file), `N9999 M30 (${i})\n`);
        await user.ok(['commit', '-qam', `edit ${i}`], { cwd: dir });
      }
      pushTimes.lockstep.push(await timed(() => user.ok(['push', '-q', '--no-verify', 'origin', 'main'], { cwd: work })));
      pushTimes.plain.push(await timed(() => user.ok(['push', '-q', '--no-verify', 'origin', 'main'], { cwd: plainWork })));
      await user.ok(['pull', '-q', '--ff-only'], { cwd: work }); // the metadata commit
    }
    const c = { lockstep: summarize(cloneTimes.lockstep), plain: summarize(cloneTimes.plain) };
    const p = { lockstep: summarize(pushTimes.lockstep), plain: summarize(pushTimes.plain) };
    const rows = [
      {
        op: `clone (${files} files)`,
        lockstepMs: round(c.lockstep.p50, 0),
        httpBackendMs: round(c.plain.p50, 0),
        ratio: round(c.lockstep.p50 / c.plain.p50),
      },
      {
        op: 'push (1 file)',
        lockstepMs: round(p.lockstep.p50, 0),
        httpBackendMs: round(p.plain.p50, 0),
        ratio: round(p.lockstep.p50 / p.plain.p50),
      },
    ];
    printTable(`git over HTTP: Lockstep vs git http-backend (median of ${clones} clones, ${pushes} pushes)`, rows);
    return { files, clones, pushes, clone: c, push: p, rows };
  } finally {
    await backend.close();
    user.cleanup();
    await server.close();
  }
}

runIfMain(import.meta.url, run);
