import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Vault } from '../packages/server/src/vault/index.js';
import { writeRandomFile } from './large-checkin-helpers.js';
import { printTable, round, runIfMain } from './util.js';

const execFileP = promisify(execFile);

// The same plumbing sequence as Vault.commit, as a shell loop: the floor for spawning git per step.
const SCRIPT = `set -eu
repo=$1; files=$2; n=$3
export GIT_DIR="$repo" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@lockstep.local GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@lockstep.local
for i in $(seq 0 $((n - 1))); do
  blob=$(git hash-object -w --no-filters --stdin < "$files/f$i.bin")
  old=$(git rev-parse --verify --quiet refs/heads/main || echo 0000000000000000000000000000000000000000)
  export GIT_INDEX_FILE="$repo/bench-index-$i"
  [ "$old" = 0000000000000000000000000000000000000000 ] || git read-tree "$old"
  printf '100644 blob %s\\tdir/f%s.bin\\0' "$blob" "$i" | git update-index -z --index-info
  tree=$(git write-tree)
  if [ "$old" = 0000000000000000000000000000000000000000 ]; then parent=""; else parent="-p $old"; fi
  commit=$(printf 'check in f%s\\n\\nRevision: A\\n' "$i" | git commit-tree "$tree" $parent)
  git update-ref refs/heads/main "$commit" "$old"
  rm -f "$GIT_INDEX_FILE"; unset GIT_INDEX_FILE
done
`;

/** 1 MB check-ins through Vault (writeBlob + commit) vs. the same git plumbing from a shell script. */
export async function run(opts: { n?: number } = {}): Promise<Record<string, unknown>> {
  const n = opts.n ?? 50;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lockstep-bench-checkin-'));
  try {
    const files = path.join(dir, 'files');
    await mkdir(files);
    for (let i = 0; i < n; i++) await writeRandomFile(path.join(files, `f${i}.bin`), 1);
    const vault = new Vault(path.join(dir, 'repos'));
    await vault.createRepo('viavault');
    await vault.createRepo('viashell'); // same repo config (incl. fsync) for both

    let t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const { sha } = await vault.writeBlob('viavault', createReadStream(path.join(files, `f${i}.bin`)));
      await vault.commit('viavault', {
        changes: [{ op: 'put', path: `dir/f${i}.bin`, blob: sha }],
        author: { name: 'Bench', email: 'bench@lockstep.local' },
        message: `check in f${i}`,
        trailers: { Revision: 'A' },
      });
    }
    const vaultMs = (performance.now() - t0) / n;

    const script = path.join(dir, 'checkin.sh');
    await writeFile(script, SCRIPT);
    t0 = performance.now();
    await execFileP('bash', [script, vault.repoPath('viashell'), files, String(n)]);
    const shellMs = (performance.now() - t0) / n;

    const counts = await Promise.all(['viavault', 'viashell'].map(async (s) => (await vault.log(s)).length));
    if (counts.some((c) => c !== n)) throw new Error(`expected ${n} commits each, got ${counts.join('/')}`);

    const result = {
      checkins: n,
      sizeMB: 1,
      vaultMeanMs: round(vaultMs, 1),
      shellMeanMs: round(shellMs, 1),
      ratio: round(vaultMs / shellMs, 2),
    };
    printTable(`1 MB check-in x${n}: Vault vs. shell plumbing`, [
      { via: 'Vault.writeBlob + Vault.commit', 'mean ms': result.vaultMeanMs },
      { via: 'bash + git plumbing', 'mean ms': result.shellMeanMs },
      { via: 'ratio vault/shell', 'mean ms': result.ratio },
    ]);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, run);
