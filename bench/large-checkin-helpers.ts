import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { once } from 'node:events';

/** Write `mb` MiB of random data in 1 MiB chunks (never the whole file in memory). */
export async function writeRandomFile(file: string, mb: number): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < mb; i++) if (!out.write(randomBytes(1 << 20))) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

async function childRssBytes(): Promise<number> {
  // Linux only: sum RssAnon of our direct children (the git processes the vault spawns). Anonymous
  // memory only: git mmaps loose objects, and those file-backed pages are reclaimable page cache.
  let total = 0;
  try {
    for (const tid of await readdir('/proc/self/task')) {
      const kids = (await readFile(`/proc/self/task/${tid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean);
      for (const pid of kids) {
        const m = /RssAnon:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''));
        if (m) total += Number(m[1]) * 1024;
      }
    }
  } catch {
    return NaN;
  }
  return total;
}

/** Sample Node RSS (and git children's anonymous RSS) every `ms` until stop() is called. */
export function startRssSampler(ms = 20) {
  const base = process.memoryUsage().rss;
  let peak = base;
  let childPeak = 0;
  let busy = false;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    if (busy) return;
    busy = true;
    void childRssBytes().then((c) => {
      childPeak = Math.max(childPeak, c || 0);
      busy = false;
    });
  }, ms);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      const MB = 1 << 20;
      return { baseMB: base / MB, growthMB: (peak - base) / MB, gitChildPeakMB: childPeak / MB };
    },
  };
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
