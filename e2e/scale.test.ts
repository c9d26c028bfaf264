/**
 * End-to-end at scale: a 5,000-file project (seeded through git fast-import, as bench/listing.ts
 * does, and indexed with rebuildIndex) scrolls in the browser with only a window of rows in the
 * DOM. Frame times are measured and written to bench/results/, never asserted (see RESULTS.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { api, type FileList } from '@lockstep/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../bench/listing.js';
import { rebuildIndex } from '../packages/server/src/services/index-rebuild.js';
import { ADMIN_PASSWORD, type TestServer } from '../packages/server/test/harness.js';
import { login, newPage, root, row, startE2E, stopE2E } from './harness.js';

const FILES = 5000;
let server: TestServer;

describe('file browser at 5,000 files', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    server = await startE2E();
    await server.createProject('big');
    const s = server.app.services;
    await generate(s.vault.repoPath('big'), FILES);
    expect((await rebuildIndex(s, 'big')).files).toBe(FILES);
  }, 120_000);

  afterAll(stopE2E);

  it('keeps only a window of rows in the DOM and brings a row far down into view', async () => {
    const page = await newPage();
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.goto(`${server.url}/projects/big?sort=name`);
    await page.getByRole('heading', { name: 'big' }).waitFor();
    await page.getByText(`${FILES} files`).waitFor();
    const rows = page.locator('[data-testid^="file-row-"]');
    await rows.first().waitFor();
    const inDom = async () => rows.count();
    expect(await inDom()).toBeLessThan(200);

    // Scroll to the bottom, one step per animation frame, timing each frame.
    const frames = await page.evaluate(async () => {
      const times: number[] = [];
      let last = performance.now();
      for (let i = 0; i < 2000 && window.scrollY + window.innerHeight < document.documentElement.scrollHeight - 2; i++) {
        window.scrollBy(0, 1200);
        await new Promise(requestAnimationFrame);
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      return times;
    });
    // The last file in the server's own name order.
    const listed = await server.admin.request<FileList>('GET', `${api.files('big')}?sort=name&limit=${FILES}`);
    const last = row(page, listed.body.items.at(-1)!.path);
    await last.waitFor();
    expect(await last.isVisible()).toBe(true);
    const box = (await last.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(800 + 1);
    const rowsInDom = await inDom();
    expect(rowsInDom).toBeLessThan(200);

    const sorted = [...frames].sort((a, b) => a - b);
    const pick = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
    const figures = {
      date: new Date().toISOString(),
      files: FILES,
      rowsInDom,
      frames: frames.length,
      stepPx: 1200,
      p50: pick(0.5),
      p95: pick(0.95),
      max: pick(1),
    };
    fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    fs.writeFileSync(
      path.join(root, `bench/results/web-scroll-${new Date().toISOString().slice(0, 10)}.json`),
      `${JSON.stringify(figures, null, 2)}\n`,
    );
    console.log('scroll frame times (ms)', figures);
  });
});
