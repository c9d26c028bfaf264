/**
 * End-to-end at scale: a 5,000-file project (seeded through git fast-import, as bench/listing.ts
 * does, and indexed with rebuildIndex) scrolls in the browser with only a window of rows in the
 * DOM and the last file reachable. Its frame times are a benchmark's, not a test's: `npm run bench --
 * web-scroll` measures them against a static-DOM baseline.
 */
import { api, type FileList } from '@lockstep/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../bench/listing.js';
import { rebuildIndex } from '../packages/server/src/services/index-rebuild.js';
import { ADMIN_PASSWORD, type TestServer } from '../packages/server/test/harness.js';
import { login, newPage, row, startE2E, stopE2E } from './harness.js';

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

    // To the bottom, a screen per animation frame.
    await page.evaluate(async () => {
      for (let i = 0; i < 2000 && window.scrollY + window.innerHeight < document.documentElement.scrollHeight - 2; i++) {
        window.scrollBy(0, 1200);
        await new Promise(requestAnimationFrame);
      }
    });
    // The last file in the server's own name order.
    const listed = await server.admin.request<FileList>('GET', `${api.files('big')}?sort=name&limit=${FILES}`);
    const last = row(page, listed.body.items.at(-1)!.path);
    await last.waitFor();
    expect(await last.isVisible()).toBe(true);
    const box = (await last.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(800 + 1);
    expect(await inDom()).toBeLessThan(200);
  });
});
