import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { api } from '@lockstep/protocol';
import { ADMIN_PASSWORD, loginAs } from '../packages/server/test/harness.js';
import { writeRandomFile } from './large-checkin-helpers.js';
import { printTable, round, runIfMain } from './util.js';

const root = path.resolve(import.meta.dirname, '..');
const MB = 1 << 20;

/** Resident memory of a process from /proc (Linux): current and peak (VmHWM). */
function rss(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Streams a file from disk as a multipart check-in; nothing is buffered whole on the client side either. */
function streamCheckin(url: string, cookie: string, csrf: string, file: string, size: number): Promise<{ status: number; body: string }> {
  const boundary = `lockstepbench${Date.now()}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="message"\r\n\r\nbench 200 MB\r\n--${boundary}\r\nContent-Disposition: form-data; name="keep"\r\n\r\ntrue\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.stp"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: {
          cookie,
          'x-csrf-token': csrf,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': Buffer.byteLength(head) + size + Buffer.byteLength(tail),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.write(head);
    const src = fs.createReadStream(file);
    src.on('end', () => req.end(tail));
    src.pipe(req, { end: false });
  });
}

/**
 * A 200 MB check-in through the real HTTP API into a server running as its own process:
 * the server's peak RSS growth (target < 64 MB) and throughput, against `cp` of the same file.
 */
export async function run(opts: { mb?: number } = {}) {
  const mb = opts.mb ?? 200;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-big-'));
  const file = path.join(tmp, 'big.stp');
  await writeRandomFile(file, mb);
  const port = await new Promise<number>((r) => {
    const s = net.createServer().listen(0, () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => r(p));
    });
  });
  const dist = path.join(root, 'packages/server/dist/main.js');
  const args = fs.existsSync(dist) ? [dist] : ['--import', 'tsx', 'packages/server/src/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: 'ignore',
    env: {
      ...process.env,
      PORT: String(port),
      LOCKSTEP_DATA_DIR: path.join(tmp, 'data'),
      LOCKSTEP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}${api.health}`)).ok) break;
      } catch {
        /* starting */
      }
      if (i > 600) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const admin = await loginAs(url, 'admin', ADMIN_PASSWORD);
    await admin.post(api.projects, { slug: 'big', name: 'Big' });
    await admin.upload('big', 'big.stp', 'small first revision');
    await admin.checkout('big', 'big.stp');
    await new Promise((r) => setTimeout(r, 500));
    fs.writeFileSync(`/proc/${child.pid}/clear_refs`, '5'); // reset VmHWM to the current RSS
    const before = rss(child.pid!);
    const t = performance.now();
    const res = await streamCheckin(`${url}${api.fileAction('big', 'big.stp', 'checkin')}`, admin.cookie, admin.csrfToken, file, mb * MB);
    const seconds = (performance.now() - t) / 1000;
    const after = rss(child.pid!);
    if (res.status !== 200) throw new Error(`check-in failed: ${res.status} ${res.body}`);
    const info = JSON.parse(res.body) as { size: number; revision: string };
    if (info.size !== mb * MB || info.revision !== 'B') throw new Error(`unexpected result ${res.body}`);
    // the stored blob is byte-identical
    const dl = await fetch(`${url}${api.fileContent('big', 'big.stp')}`, { headers: admin.headers() });
    const copy = path.join(tmp, 'download.stp');
    await pipeline(dl.body as unknown as NodeJS.ReadableStream, fs.createWriteStream(copy));
    execFileSync('cmp', [file, copy]);

    const tc = performance.now();
    execFileSync('cp', [file, path.join(tmp, 'cp.stp')]);
    const cpSeconds = (performance.now() - tc) / 1000;
    const result = {
      'size MB': mb,
      'server RSS before MB': round(before.rss / MB, 1),
      'server peak RSS growth MB (target < 64)': round((after.hwm - before.rss) / MB, 1),
      'check-in MB/s (HTTP → git object)': round(mb / seconds, 1),
      'cp MB/s (baseline)': round(mb / cpSeconds, 1),
      'ratio check-in / cp time': round(seconds / cpSeconds, 1),
      'download byte-identical': true,
    };
    printTable('Large check-in through the HTTP API (server in its own process)', [result]);
    return result;
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, run);
