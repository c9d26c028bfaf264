/**
 * `npm run bench [name…]`: runs the benchmarks one after another, each printing its figures next
 * to a baseline measured in the same run. Names: lock, lock-pg, checkin, large, api-large, listing, fanout, cold, git.
 */
const benches: Record<string, () => Promise<{ run: (opts?: any) => Promise<unknown> }>> = {
  lock: () => import('./lock-throughput.js'),
  'lock-pg': async () => ({ run: (await import('./lock-throughput.js')).runPostgres }),
  checkin: () => import('./large-checkin-vs-git.js'),
  large: () => import('./large-checkin.js'),
  'api-large': () => import('./api-large-checkin.js'),
  listing: () => import('./listing.js'),
  fanout: () => import('./fanout.js'),
  cold: () => import('./cold-start.js'),
  git: () => import('./git-clone.js'),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(benches);
const results: Record<string, unknown> = {};
for (const name of names) {
  const load = benches[name];
  if (!load) throw new Error(`unknown benchmark "${name}" (have: ${Object.keys(benches).join(', ')})`);
  console.log(`\n=== ${name} ===`);
  results[name] = await (await load()).run();
}
console.log('\nAll figures (JSON):');
console.log(JSON.stringify(results, null, 2));
process.exit(0);
