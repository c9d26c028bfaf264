import http from 'node:http';
import { pathToFileURL } from 'node:url';

/** Shared helpers for the benchmarks: percentiles, a keep-alive HTTP client, a table printer. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summarize(samples: number[]): { p50: number; p99: number; max: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}

export const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One request over a keep-alive socket; resolves with status and body text. */
export function request(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: body ? { 'content-type': 'application/json', ...headers } : headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function printTable(title: string, rows: Record<string, unknown>[]): void {
  console.log(`\n## ${title}`);
  console.table(rows);
}

/** Runs `main` when `moduleUrl` is the script node was started with (not when run.ts imports it); prints its figures as JSON. */
export function runIfMain(moduleUrl: string, main: () => Promise<unknown>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main().then(
    (figures) => console.log(JSON.stringify(figures, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
