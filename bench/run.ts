/**
 * `npm run bench [name…]`: runs the benchmarks one after another, each printing its figures next
 * to a baseline measured in the same run, then one table of the targets (figure, baseline, ratio,
 * met?). The raw figures of each benchmark are written to bench/results/<name>-<date>.json, to be
 * kept beside the table in RESULTS.md. Names: lock, lock-pg, checkin, large, api-large, listing, fanout, cold, diff, git, history, web-scroll.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { targetsOf, type TargetRow } from './targets.js';

const benches: Record<string, () => Promise<{ run: (opts?: any) => Promise<unknown> }>> = {
  lock: async () => ({ run: (await import('./lock-throughput.js')).runBoth }),
  'lock-pg': async () => ({ run: (await import('./lock-throughput.js')).runPostgres }),
  checkin: () => import('./large-checkin-vs-git.js'),
  large: () => import('./large-checkin.js'),
  'api-large': () => import('./api-large-checkin.js'),
  listing: () => import('./listing.js'),
  fanout: () => import('./fanout.js'),
  cold: () => import('./cold-start.js'),
  diff: () => import('./diff.js'),
  git: () => import('./git-clone.js'),
  history: () => import('./history.js'),
  'web-scroll': () => import('./web-scroll.js'),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(benches);
const resultsDir = path.join(import.meta.dirname, 'results');
const results: Record<string, unknown> = {};
const targets: TargetRow[] = [];
for (const name of names) {
  const load = benches[name];
  if (!load) throw new Error(`unknown benchmark "${name}" (have: ${Object.keys(benches).join(', ')})`);
  console.log(`\n=== ${name} ===`);
  const startedAt = new Date();
  const figures = await (await load()).run();
  results[name] = figures;
  targets.push(...targetsOf(name, figures));
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}-${startedAt.toISOString().slice(0, 10)}.json`);
  const machine = { cpus: os.cpus().length, node: process.version, loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100) };
  fs.writeFileSync(file, `${JSON.stringify({ benchmark: name, measuredAt: startedAt.toISOString(), machine, figures }, null, 2)}\n`);
  console.log(`raw figures: ${path.relative(process.cwd(), file)}`);
}
console.log('\nAll figures (JSON):');
console.log(JSON.stringify(results, null, 2));
if (targets.length) {
  console.log('\n## Targets (each against its same-run baseline)');
  console.table(targets);
}
process.exit(0);
