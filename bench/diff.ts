/**
 * Compare two 50,000-line NC programs (5-axis-like output with small, realistic edits) through the
 * server's diff (G-code normalisation, alignment, hunks, summary), directly and over HTTP, next to
 * jsdiff's diffLines on the raw text in the same run. Target: < 300 ms on the server.
 */
import { diffLines } from 'diff';
import { api } from '@lockstep/protocol';
import { textDiff } from '../packages/server/src/services/compare.js';
import { startServer } from '../packages/server/test/harness.js';
import { printTable, request, round, runIfMain, summarize } from './util.js';

/** A simultaneous 5-axis finishing program as a CAM post writes it: one block per point, N every line. */
export function fiveAxisProgram(lines: number, seed = 1): string[] {
  let x = seed;
  const rand = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out = ['%', 'O2001 (IMPELLER FINISH)', '(T3 = 6MM BALL, T8 = 3MM BALL)', 'N10 G21 G17 G40 G49 G80 G90', 'N20 G91 G28 Z0.'];
  out.push('N30 T3 M06', 'N40 G90 G54 G00 X0. Y0. S12000 M03', 'N50 G43.4 H03 Z50. M08');
  let n = 60;
  for (let i = out.length; i < lines - 4; i++) {
    if (i === Math.floor(lines / 2)) {
      out.push(`N${n} M09`, `N${(n += 10)} G91 G28 Z0.`, `N${(n += 10)} T8 M06`, `N${(n += 10)} G90 G54 S15000 M03`);
      i += 3;
      n += 10;
      continue;
    }
    const t = i / 150;
    const f = (v: number) => v.toFixed(3);
    out.push(
      `N${n} G01 X${f(40 * Math.cos(t) + rand())} Y${f(40 * Math.sin(t) + rand())} Z${f(-10 + 8 * Math.sin(t / 7))} A${f(30 * Math.sin(t / 3))} B${f(45 * Math.cos(t / 5))}${i % 40 === 0 ? ' F1500.' : ''}`,
    );
    n += 10;
  }
  out.push(`N${n} M09`, `N${n + 10} G91 G28 Z0.`, `N${n + 20} M30`, '%');
  return out;
}

/** Small edits: a re-post with a new feed in places, a few points moved, a short section inserted and one removed. */
export function edited(program: string[]): string[] {
  const out = [...program];
  for (let i = 1000; i < out.length; i += 5000) out[i] = out[i]!.replace(/( F[\d.]+)?$/, ' F1800.');
  for (let i = 2500; i < out.length; i += 9000)
    out[i] = out[i]!.replace(/Z(-?[\d.]+)/, (_m, z: string) => `Z${(Number(z) - 0.05).toFixed(3)}`);
  out.splice(30_000, 0, 'N299995 G01 Z-2.5', 'N299996 X12.5 Y3.25', 'N299997 Z5.');
  out.splice(40_000, 3);
  out[6] = out[6]!.replace('S12000', 'S13500');
  return out;
}

export async function run(opts: { lines?: number; rounds?: number } = {}) {
  const lines = opts.lines ?? 50_000;
  const rounds = opts.rounds ?? 15;
  const a = fiveAxisProgram(lines).join('\n') + '\n';
  const b = edited(fiveAxisProgram(lines)).join('\n') + '\n';
  const bufA = Buffer.from(a);
  const bufB = Buffer.from(b);

  // Interleaved, so that load from other processes and the JIT's warm-up fall on all three alike;
  // one unrecorded warm-up round first (a running server has compiled these functions long since).
  const samples: Record<'server' | 'raw' | 'baseline', number[]> = { server: [], raw: [], baseline: [] };
  let check: ReturnType<typeof textDiff> | null = null;
  const time = (into: number[] | null, fn: () => void) => {
    const t = performance.now();
    fn();
    into?.push(performance.now() - t);
  };
  for (let i = 0; i <= rounds; i++) {
    const keep = i > 0;
    time(keep ? samples.server : null, () => (check = textDiff('impeller.nc', bufA, bufB)));
    time(keep ? samples.raw : null, () => textDiff('impeller.nc', bufA, bufB, false));
    time(keep ? samples.baseline : null, () => diffLines(a, b));
  }
  const server = summarize(samples.server);
  const rawServer = summarize(samples.raw);
  const baseline = summarize(samples.baseline);
  const result = check as ReturnType<typeof textDiff> | null;
  if (result?.kind !== 'gcode' || !result.summary?.text.includes('S12000/15000→13500/15000')) throw new Error('unexpected diff result');

  // Over HTTP: the same two programs as revisions A and B of a file in a real vault.
  const srv = await startServer();
  await srv.createProject('bench');
  for (const r of [
    await srv.admin.upload('bench', 'impeller.nc', a),
    await srv.admin.checkout('bench', 'impeller.nc'),
    await srv.admin.checkin('bench', 'impeller.nc', b, { message: 'finish re-posted' }),
  ])
    if (r.status >= 300) throw new Error(`set-up: ${r.status} ${r.text}`);
  const headers = srv.admin.headers();
  const http: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const res = await request(`${srv.url}${api.fileDiff('bench', 'impeller.nc', { from: 'A', to: 'B' })}`, 'GET', headers);
    http.push(performance.now() - t);
    if (res.status !== 200) throw new Error(res.body);
  }
  await srv.close();

  const figures = {
    lines,
    'changed lines (added/removed)': `${result.added}/${result.removed}`,
    'server diff, G-code aware p50 ms': round(server.p50, 1),
    'server diff, G-code aware max ms': round(server.max, 1),
    'server diff, raw lines p50 ms': round(rawServer.p50, 1),
    // The first request reads both programs; later ones find them by blob id (services/compare.ts).
    'over HTTP, first request ms': round(http[0]!, 1),
    'over HTTP (git read + diff + JSON) p50 ms': round(summarize(http).p50, 1),
    'baseline jsdiff diffLines raw text p50 ms': round(baseline.p50, 1),
    'ratio server G-code / jsdiff raw': round(server.p50 / baseline.p50),
    summary: result.summary.text,
  };
  printTable('Diff of two 50,000-line NC programs', [figures]);
  return figures;
}

runIfMain(import.meta.url, run);
