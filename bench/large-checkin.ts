import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { Vault } from '../packages/server/src/vault/index.js';
import { gc, startRssSampler, writeRandomFile } from './large-checkin-helpers.js';
import { printTable, round, runIfMain } from './util.js';

const execFileP = promisify(execFile);

/**
 * A 200 MB check-in streamed through the vault (writeBlob + commit) and read back (readBlob),
 * with Node RSS sampled every 20 ms; baselines: `cp` and raw `git hash-object -w` of the same file.
 */
export async function run(opts: { mb?: number } = {}): Promise<Record<string, unknown>> {
  const mb = opts.mb ?? 200;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lockstep-bench-large-'));
  try {
    const file = path.join(dir, 'big.bin');
    await writeRandomFile(file, mb);
    const vault = new Vault(path.join(dir, 'repos'));
    await vault.createRepo('big');
    await vault.createRepo('baseline'); // a second repo so git cannot skip an object it already has

    gc();
    let sampler = startRssSampler();
    let t0 = performance.now();
    const { sha, size } = await vault.writeBlob('big', createReadStream(file, { highWaterMark: 1 << 20 }));
    await vault.commit('big', {
      changes: [{ op: 'put', path: 'cam/big.bin', blob: sha }],
      author: { name: 'Bench', email: 'bench@lockstep.local' },
      message: 'large check-in',
      trailers: { Revision: 'A' },
    });
    const writeSec = (performance.now() - t0) / 1000;
    const write = sampler.stop();
    if (size !== mb << 20) throw new Error(`wrote ${size} bytes, expected ${mb << 20}`);

    gc();
    sampler = startRssSampler();
    t0 = performance.now();
    const blob = await vault.readBlob('big', 'main', 'cam/big.bin');
    await pipeline(blob!.stream, createWriteStream('/dev/null'));
    const readSec = (performance.now() - t0) / 1000;
    const read = sampler.stop();

    t0 = performance.now();
    await execFileP('cp', [file, path.join(dir, 'copy.bin')]);
    const cpSec = (performance.now() - t0) / 1000;

    const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    t0 = performance.now();
    await execFileP('git', ['--git-dir', vault.repoPath('baseline'), 'hash-object', '-w', '--', file], { env: gitEnv });
    const hashSec = (performance.now() - t0) / 1000;

    const rows = [
      {
        step: 'vault writeBlob+commit',
        'MB/s': round(mb / writeSec, 1),
        'Node RSS growth MB': round(write.growthMB, 1),
        'git child peak anon RSS MB': round(write.gitChildPeakMB, 1),
      },
      {
        step: 'vault readBlob → /dev/null',
        'MB/s': round(mb / readSec, 1),
        'Node RSS growth MB': round(read.growthMB, 1),
        'git child peak anon RSS MB': round(read.gitChildPeakMB, 1),
      },
      { step: 'cp (baseline)', 'MB/s': round(mb / cpSec, 1) },
      { step: 'git hash-object -w <file> (baseline)', 'MB/s': round(mb / hashSec, 1) },
    ];
    printTable(`large check-in (${mb} MB)`, rows);
    return {
      sizeMB: mb,
      nodeRssBeforeMB: round(write.baseMB, 1),
      writeMBps: round(mb / writeSec, 1),
      writePeakRssGrowthMB: round(write.growthMB, 1),
      writeGitChildPeakAnonRssMB: round(write.gitChildPeakMB, 1),
      readMBps: round(mb / readSec, 1),
      readPeakRssGrowthMB: round(read.growthMB, 1),
      readGitChildPeakAnonRssMB: round(read.gitChildPeakMB, 1),
      cpMBps: round(mb / cpSec, 1),
      gitHashObjectMBps: round(mb / hashSec, 1),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, run);
