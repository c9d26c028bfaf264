import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterEach } from 'vitest';
import { Vault } from '../../src/vault/index.js';

const execFileP = promisify(execFile);
const tempDirs: string[] = [];

afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lockstep-vault-test-'));
  tempDirs.push(dir);
  return dir;
}

/** A fresh Vault over a temp dir with one empty repo `p`. */
export async function freshVault(): Promise<{ vault: Vault; dir: string; slug: string }> {
  const dir = await tempDir();
  const vault = new Vault(dir);
  await vault.createRepo('p');
  return { vault, dir, slug: 'p' };
}

/** Run the real git binary directly (independent of the code under test). */
export async function git(args: string[], cwd?: string): Promise<string> {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  const { stdout } = await execFileP('git', args, { cwd, env, maxBuffer: 64 << 20 });
  return stdout;
}

export async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A stream that yields `buf` in chunks of `chunk` bytes (like an upload arriving piecewise). */
export function chunked(buf: Buffer, chunk = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
    })(),
  );
}

export const alice = { name: 'Alice Machinist', email: 'alice@lockstep.local' };
