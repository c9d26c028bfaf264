/**
 * The web file list at 5,000 files (a third locked by another user), scrolled in the system
 * Chromium: the app's virtualised list against a baseline doing the same work without it — the
 * same page, chrome, CSS and row markup, but all 5,000 rows as static DOM (what the browser does
 * when no script runs on scroll). Both are scrolled the same way in the same run:
 * - "hand": 80 px per animation frame (≈ 4,800 px/s, a quick flick of a wheel or a thumb);
 * - "fling": 1,200 px per frame (a whole screen per frame, the worst case);
 * - and "hand" again on a 390 px touch phone, where each file is a card.
 * Per run: the frame interval (p50/p95, what the user sees) and the main thread's busy time per
 * frame from the DevTools Performance metrics (what the app's script and layout cost).
 */
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { rebuildIndex } from '../packages/server/src/services/index-rebuild.js';
import { ADMIN_PASSWORD, startServer } from '../packages/server/test/harness.js';
import { CHROMIUM, CHROMIUM_ARGS, ensureWebBuild, signIn } from '../e2e/browser.js';
import { generate, lockAThird } from './listing.js';
import { percentile, printTable, round, runIfMain } from './util.js';
import path from 'node:path';

const SPEEDS = { hand: 80, fling: 1200 } as const;
const FRAMES = 240;

interface ScrollFigures {
  frames: number;
  'frame p50 ms': number;
  'frame p95 ms': number;
  'main thread ms/frame': number;
  'script ms/frame': number;
  'layout+style ms/frame': number;
}

/** Scrolls from the top by `step` px per animation frame, `FRAMES` frames (wrapping at the end). */
async function scroll(page: Page, cdp: CDPSession, step: number): Promise<ScrollFigures> {
  await page.evaluate(async () => {
    window.scrollTo(0, 0);
    for (let i = 0; i < 10; i++) await new Promise(requestAnimationFrame);
  });
  const before = await metrics(cdp);
  const frames = await page.evaluate(
    async ({ step, count }) => {
      const times: number[] = [];
      // The position is kept here, not read back: reading scrollY or scrollHeight forces a layout
      // inside the loop, which would charge the bench's own reads to the page.
      let end = document.documentElement.scrollHeight - window.innerHeight;
      let y = 0;
      let last = performance.now();
      for (let i = 0; i < count; i++) {
        y += step;
        if (y > end) {
          y = 0;
          end = document.documentElement.scrollHeight - window.innerHeight;
        }
        window.scrollTo(0, y);
        await new Promise(requestAnimationFrame);
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      return times;
    },
    { step, count: FRAMES },
  );
  const after = await metrics(cdp);
  const per = (k: string) => round(((after[k]! - before[k]!) * 1000) / frames.length);
  const sorted = [...frames].sort((a, b) => a - b);
  return {
    frames: frames.length,
    'frame p50 ms': round(percentile(sorted, 50), 1),
    'frame p95 ms': round(percentile(sorted, 95), 1),
    'main thread ms/frame': per('TaskDuration'),
    'script ms/frame': per('ScriptDuration'),
    'layout+style ms/frame': round(per('LayoutDuration') + per('RecalcStyleDuration')),
  };
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/**
 * The baseline page: this page's HTML with scripts removed and the list's window of rows replaced
 * by all `files` rows in normal flow, cloned from the rows the app rendered (cycled, names kept).
 */
async function staticCopy(page: Page, base: string, files: number): Promise<string> {
  return page.evaluate(
    ({ base, files }) => {
      const doc = document.documentElement.cloneNode(true) as HTMLElement;
      doc.querySelectorAll('script').forEach((s) => s.remove());
      const body = doc.querySelector('[role="table"][aria-label="Files"] > div.relative') as HTMLElement;
      const rows = [...body.querySelectorAll('[role="row"]')].map((r) => r.outerHTML);
      body.removeAttribute('style');
      body.className = '';
      body.innerHTML = Array.from({ length: files }, (_, i) => rows[i % rows.length]).join('');
      doc.querySelector('head')!.insertAdjacentHTML('afterbegin', `<base href="${base}/">`);
      return `<!doctype html>${doc.outerHTML}`;
    },
    { base, files },
  );
}

/** The two pages (the app's list and its static copy) in one browser context of this viewport. */
async function pagesAt(
  browser: Browser,
  url: string,
  files: number,
  device: { viewport: { width: number; height: number }; isMobile?: boolean; hasTouch?: boolean },
) {
  const ctx = await browser.newContext({ ...device, colorScheme: 'light' });
  const page = await ctx.newPage();
  await signIn(page, url, 'admin', ADMIN_PASSWORD);
  let t = performance.now();
  await page.goto(`${url}/projects/big?sort=name`);
  await page.getByText(`${files} files`).waitFor();
  await page.locator('[data-testid^="file-row-"]').first().waitFor();
  const virtualLoadMs = performance.now() - t;
  const virtualRows = await page.locator('[data-testid^="file-row-"]').count();
  const base = await ctx.newPage();
  const html = await staticCopy(page, url, files);
  t = performance.now();
  await base.setContent(html, { waitUntil: 'load' });
  await base.evaluate(() => document.documentElement.scrollHeight); // the layout of all rows
  const staticLoadMs = performance.now() - t;
  const staticRows = await base.locator('[data-testid^="file-row-"]').count();
  if (staticRows !== files) throw new Error(`baseline has ${staticRows} rows`);
  return {
    ctx,
    pages: { virtual: page, baseline: base },
    figures: {
      'rows in DOM (virtual)': virtualRows,
      'rows in DOM (baseline)': staticRows,
      'page ready ms (virtual, with the listing request)': round(virtualLoadMs),
      'page ready ms (baseline, static rows)': round(staticLoadMs),
    },
  };
}

/** Both pages at one speed, alternated three times; each one's median run (the machine is shared). */
async function compareAt(at: Awaited<ReturnType<typeof pagesAt>>, step: number) {
  const runs: Record<'virtual' | 'baseline', ScrollFigures[]> = { virtual: [], baseline: [] };
  for (let i = 0; i < 3; i++) {
    for (const name of ['virtual', 'baseline'] as const) {
      const p = at.pages[name];
      await p.bringToFront();
      const cdp = await at.ctx.newCDPSession(p);
      await cdp.send('Performance.enable');
      runs[name].push(await scroll(p, cdp, step));
      await cdp.detach();
    }
  }
  const median = (r: ScrollFigures[]) => [...r].sort((a, b) => a['main thread ms/frame'] - b['main thread ms/frame'])[1]!;
  const v = median(runs.virtual);
  const b = median(runs.baseline);
  return {
    stepPx: step,
    virtual: v,
    baseline: b,
    'ratio frame p50 virtual/baseline': round(v['frame p50 ms'] / b['frame p50 ms']),
    'ratio main thread virtual/baseline': round(v['main thread ms/frame'] / b['main thread ms/frame']),
  };
}

export async function run(opts: { files?: number } = {}) {
  const files = opts.files ?? 5000;
  ensureWebBuild();
  const server = await startServer();
  await server.createProject('big');
  const s = server.app.services;
  await generate(s.vault.repoPath('big'), files);
  if ((await rebuildIndex(s, 'big')).files !== files) throw new Error('index count');
  lockAThird(path.join(server.dataDir, 'lockstep.db'), 'big');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const desktop = await pagesAt(browser, server.url, files, { viewport: { width: 1280, height: 800 } });
    const out: Record<string, unknown> = { files, desktop: desktop.figures };
    out.hand = await compareAt(desktop, SPEEDS.hand);
    out.fling = await compareAt(desktop, SPEEDS.fling);
    await desktop.ctx.close();
    // The floor's phone: cards (two to three times a desktop row's height), touch.
    const phone = await pagesAt(browser, server.url, files, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    out.phone = phone.figures;
    out['phone hand'] = await compareAt(phone, SPEEDS.hand);
    const table = (['hand', 'fling', 'phone hand'] as const).flatMap((k) => {
      const r = out[k] as Awaited<ReturnType<typeof compareAt>>;
      return (['virtual', 'baseline'] as const).map((list) => ({ run: `${k} (${r.stepPx} px/frame)`, list, ...r[list] }));
    });
    printTable(`web list scroll, ${files} files, headless Chromium (software rendering); desktop 1280×800, phone 390×844`, table);
    return out;
  } finally {
    await browser.close();
    await server.close();
  }
}

runIfMain(import.meta.url, run);
