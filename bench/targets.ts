import { round } from './util.js';

/** The targets of issue 13 and earlier ones, read out of each benchmark's figures for run.ts's summary. */
export interface TargetRow {
  target: string;
  figure: string;
  baseline: string;
  ratio: number | string;
  met: 'yes' | 'NO' | '—';
}

type Figures = Record<string, any>;
const ok = (b: boolean): 'yes' | 'NO' => (b ? 'yes' : 'NO');

export function targetsOf(name: string, figures: unknown): TargetRow[] {
  const f = figures as Figures;
  switch (name) {
    case 'lock': {
      const d = f.distinct as Figures;
      const c = f.contended as Figures;
      return [
        {
          target: 'lock (SQLite, distinct files): ≥ 3,000 ops/s, p99 < 20 ms',
          figure: `${d['ops/s (HTTP requests)']} ops/s, p99 ${d['op p99 ms']} ms`,
          baseline: `bare Fastify ${d['bare fastify ops/s']} ops/s`,
          ratio: d['ratio lockstep/bare throughput'],
          met: ok(d['ops/s (HTTP requests)'] >= 3000 && d['op p99 ms'] < 20),
        },
        {
          target: 'lock, 32 clients on 4 files (409-heavy): report',
          figure: `${c['ops/s (HTTP requests)']} ops/s, ${Math.round(c['409 share'] * 100)} % 409, p99 ${c['op p99 ms']} ms`,
          baseline: `bare Fastify ${c['bare fastify ops/s']} ops/s`,
          ratio: c['ratio lockstep/bare throughput'],
          met: '—',
        },
      ];
    }
    case 'history':
      return [
        {
          target: 'history of a 2-revision file, 40,000 other commits: p50 < 20 ms',
          figure: `${f['history p50 ms']} ms`,
          baseline: `git log -- path ${f['baseline git log -- path p50 ms']} ms`,
          ratio: f['ratio history / git log'],
          met: ok(f['history p50 ms'] < 20),
        },
        {
          target: 'download by revision label, 40,000 other commits: p50 < 30 ms',
          figure: `${f['download by label p50 ms']} ms`,
          baseline: `git log + cat-file ${f['baseline git log + cat-file p50 ms']} ms`,
          ratio: f['ratio download / git log + cat-file'],
          met: ok(f['download by label p50 ms'] < 30),
        },
      ];
    case 'lock-pg':
      return [
        {
          target: 'P7: PostgreSQL lock throughput ≥ 0.5× SQLite',
          figure: `${f.postgres['ops/s (HTTP requests)']} ops/s`,
          baseline: `SQLite ${f.sqlite['ops/s (HTTP requests)']} ops/s`,
          ratio: f['ratio postgres/sqlite'],
          met: ok(f['ratio postgres/sqlite'] >= 0.5),
        },
      ];
    case 'checkin':
      return [
        {
          target: 'P2: 1 MB check-in via HTTP ≤ 1.0× six-command shell script (median of 15)',
          figure: `${f['API check-in median ms']} ms`,
          baseline: `shell ${f['shell script (6 git commands) median ms']} ms`,
          ratio: f['ratio API/shell (target ≤ 1.0)'],
          met: ok(f['ratio API/shell (target ≤ 1.0)'] <= 1.0),
        },
      ];
    case 'api-large':
      return [
        {
          target: '200 MB check-in via HTTP: RSS growth < 64 MB',
          figure: `${JSON.stringify(f).match(/"[^"]*RSS growth[^"]*":\s*([\d.]+)/)?.[1] ?? '?'} MB`,
          baseline: 'cp',
          ratio: '—',
          met: '—',
        },
      ];
    case 'listing':
      return [
        {
          target: 'listing 100k: first page < 50 ms, whole < 1 s',
          figure: `first page p50 ${f['first grouped page (200) p50 ms']} ms (cold ${f['cold first page (200) ms']}), whole ${f['whole listing ms (20 pages of 5000)']} ms (cold ${f['cold whole listing ms']})`,
          baseline: `raw select ${f['baseline raw SQLite select-all ms']} ms`,
          ratio: f['ratio whole listing / raw select'],
          met: ok(f['first grouped page (200) p50 ms'] < 50 && f['whole listing ms (20 pages of 5000)'] < 1000),
        },
      ];
    case 'fanout':
      return [
        {
          target: 'fan-out 2,000 clients ≤ 1.3× bare ws (encoded once)',
          figure: `hub p50 ${f.hub.p50.toFixed(1)} / p99 ${f.hub.p99.toFixed(1)} ms`,
          baseline: `bare ws p50 ${f.bareWs.p50.toFixed(1)} / p99 ${f.bareWs.p99.toFixed(1)} ms`,
          ratio: `p50 ${f.ratio.p50.toFixed(2)}, p99 ${f.ratio.p99.toFixed(2)}`,
          met: ok(f.ratio.p50 <= 1.3 && f.ratio.p99 <= 1.3),
        },
      ];
    case 'cold': {
      const ms = f['lockstep cold start → first 200 on /api/health (median ms, first start incl. migrations)'];
      return [
        {
          target: 'P5: cold start < 1 s to first 200 on /api/health',
          figure: `${ms} ms`,
          baseline: `bare node ${f['bare node http server (median ms)']} ms`,
          ratio: f.ratio,
          met: ok(ms < 1000),
        },
      ];
    }
    case 'web-scroll': {
      const row = (speed: 'hand' | 'fling' | 'phone hand', target: string, met: (r: Figures) => boolean): TargetRow => {
        const r = f[speed] as Figures;
        const [v, b] = [r.virtual as Figures, r.baseline as Figures];
        return {
          target,
          figure: `frame p50 ${v['frame p50 ms']} / p95 ${v['frame p95 ms']} ms, main thread ${v['main thread ms/frame']} ms/frame`,
          baseline: `static 5,000 rows: p50 ${b['frame p50 ms']} / p95 ${b['frame p95 ms']} ms, ${b['main thread ms/frame']} ms/frame`,
          ratio: `p50 ${round(v['frame p50 ms'] / b['frame p50 ms'])}, p95 ${round(v['frame p95 ms'] / b['frame p95 ms'])}`,
          met: speed === 'fling' ? '—' : ok(met(r)),
        };
      };
      const within = (r: Figures, k: string) => r.virtual[k] <= 1.3 * r.baseline[k];
      return [
        row(
          'hand',
          'web list 5,000 files, hand scroll: frame p50 and p95 ≤ 1.3× static DOM',
          (r) => within(r, 'frame p50 ms') && within(r, 'frame p95 ms'),
        ),
        row('fling', 'web list 5,000 files, a screen per frame: report', () => true),
        row(
          'phone hand',
          'web list 5,000 files on a 390 px phone, hand scroll: ≤ 1.3× static DOM',
          (r) => within(r, 'frame p50 ms') && within(r, 'frame p95 ms'),
        ),
      ];
    }
    default:
      return [];
  }
}
