import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { api } from '@lockstep/protocol';
import { Vault } from '../packages/server/src/vault/index.js';
import { ADMIN_PASSWORD, loginAs } from '../packages/server/test/harness.js';
import { startInstance } from '../packages/server/test/instances.js';
import { writeRandomFile } from './large-checkin-helpers.js';
import { printTable, round, runIfMain } from './util.js';

const execFileP = promisify(execFile);

// One check-in as the six git commands of issue 13, nothing else: hash-object -w, read-tree,
// update-index --cacheinfo, write-tree, commit-tree, update-ref (CAS on the old head, which the
// caller passes in so that no seventh command is needed to read it).
const SCRIPT = `set -eu
repo=$1; file=$2; name=$3; old=$4
export GIT_DIR="$repo" GIT_INDEX_FILE="$repo/bench-index" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@lockstep.local GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@lockstep.local
blob=$(git hash-object -w "$file")
git read-tree "$old"
git update-index --add --cacheinfo "100644,$blob,$name"
tree=$(git write-tree)
commit=$(printf 'check in %s\\n\\nRevision: A\\n' "$name" | git commit-tree "$tree" -p "$old")
git update-ref refs/heads/main "$commit" "$old"
echo "$commit"
`;

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

/**
 * P2: a 1 MB check-in through the HTTP API (multipart POST …/checkin, keep=true, the server in
 * its own process at its default log level) against the six-command shell script, median of 15
 * each after 3 unmeasured warm-up check-ins. Also Vault.writeBlob + Vault.commit in this process,
 * to show the vault's share.
 */
export async function run(opts: { n?: number } = {}): Promise<Record<string, unknown>> {
  const n = opts.n ?? 15;
  const warmup = 3;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lockstep-bench-checkin-'));
  try {
    const files = path.join(dir, 'files');
    await mkdir(files);
    for (let i = 0; i < n + warmup; i++) await writeRandomFile(path.join(files, `f${i}.bin`), 1);
    const file = (i: number) => path.join(files, `f${i}.bin`);

    // Through the HTTP API.
    const server = await startInstance({ dataDir: path.join(dir, 'data'), env: { LOG_LEVEL: 'info' } });
    const admin = await loginAs(server.url, 'admin', ADMIN_PASSWORD);
    await admin.post(api.projects, { slug: 'bench', name: 'bench' });
    const target = '1234567_op1.mcam';
    if ((await admin.upload('bench', target, 'G0 X0')).status !== 201) throw new Error('upload failed');
    if ((await admin.checkout('bench', target)).status !== 200) throw new Error('checkout failed');
    // The same files into the vault directly (this process), one writeBlob + commit each.
    const vault = new Vault(path.join(dir, 'repos'));
    await vault.createRepo('viavault');
    // The shell baseline: a repository with the same config (fsync included), one first commit.
    await vault.createRepo('viashell');
    const repo = vault.repoPath('viashell');
    const first = await vault.writeBlobBuffer('viashell', 'G0 X0');
    const author = { name: 'Bench', email: 'bench@lockstep.local' };
    let head = (
      await vault.commit('viashell', { changes: [{ op: 'put', path: target, blob: first }], author, message: 'first', trailers: {} })
    ).commit;
    const script = path.join(dir, 'checkin.sh');
    await writeFile(script, SCRIPT);

    // Interleaved (API, vault, shell for each file) so that the load of this shared machine
    // falls on the three alike.
    const apiMs: number[] = [];
    const vaultMs: number[] = [];
    const shellMs: number[] = [];
    for (let i = 0; i < n + warmup; i++) {
      const content = await readFile(file(i));
      let t0 = performance.now();
      const res = await admin.checkin('bench', target, content, { message: `check in ${i}`, keep: true });
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`check-in ${res.status}: ${res.text}`);
      if (i >= warmup) apiMs.push(ms);

      t0 = performance.now();
      const { sha } = await vault.writeBlob('viavault', createReadStream(file(i)));
      await vault.commit('viavault', {
        changes: [{ op: 'put', path: target, blob: sha }],
        author,
        message: `check in ${i}`,
        trailers: { Revision: 'A' },
      });
      if (i >= warmup) vaultMs.push(performance.now() - t0);

      t0 = performance.now();
      const { stdout } = await execFileP('bash', [script, repo, file(i), target, head]);
      if (i >= warmup) shellMs.push(performance.now() - t0);
      head = stdout.trim();
    }
    await server.stop();
    if ((await vault.head('viashell')) !== head) throw new Error('shell script did not move main');

    const result = {
      checkins: n,
      sizeMB: 1,
      'API check-in median ms': round(median(apiMs), 1),
      'Vault writeBlob+commit median ms': round(median(vaultMs), 1),
      'shell script (6 git commands) median ms': round(median(shellMs), 1),
      'ratio API/shell (target ≤ 1.0)': round(median(apiMs) / median(shellMs), 2),
      'ratio vault/shell': round(median(vaultMs) / median(shellMs), 2),
      samples: { apiMs: apiMs.map((x) => round(x, 1)), vaultMs: vaultMs.map((x) => round(x, 1)), shellMs: shellMs.map((x) => round(x, 1)) },
    };
    printTable(`1 MB check-in, median of ${n}: HTTP API and Vault vs. the six-command shell script`, [
      { via: 'HTTP API POST …/checkin', 'median ms': result['API check-in median ms'] },
      { via: 'Vault.writeBlob + Vault.commit', 'median ms': result['Vault writeBlob+commit median ms'] },
      { via: 'bash + 6 git commands', 'median ms': result['shell script (6 git commands) median ms'] },
      { via: 'ratio API/shell', 'median ms': result['ratio API/shell (target ≤ 1.0)'] },
    ]);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, run);
