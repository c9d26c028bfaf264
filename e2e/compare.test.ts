/**
 * End-to-end: compare two revisions of an NC program and preview it (backplot, DXF drawing) in the
 * built web app served by a real Lockstep server, driven by Debian's Chromium through playwright-core.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, type TestServer } from '../packages/server/test/harness.js';
import { dxfDrawing } from '../packages/server/test/compare/dxf-fixture.js';
import { FANUC, reformatted } from '../packages/server/test/compare/programs.js';
import { login, newPage as blankPage, shots, startE2E, stopE2E } from './harness.js';

const PROJECT = 'cell-3';
const PROGRAM = '1234567_op1.nc';
/** The machine may be busy: a refetch or a redraw can take seconds. */
const POLL = { timeout: 15_000 };

let server: TestServer;

/** A page signed in as admin. */
async function newPage(width = 1280, height = 860): Promise<Page> {
  const page = await blankPage(width, height);
  page.setDefaultTimeout(15_000);
  await login(page, 'admin', ADMIN_PASSWORD);
  return page;
}

/** Screenshot in both themes (the class switch is what the theme button does), back to light. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const dark of [false, true]) {
    await page.evaluate((d) => document.documentElement.classList.toggle('dark', d), dark);
    await page.waitForTimeout(150); // let the canvas redraw in the new theme
    await page.screenshot({ path: path.join(shots, `${name}-${dark ? 'dark' : 'light'}.png`) });
  }
  await page.evaluate(() => document.documentElement.classList.remove('dark'));
}

async function openDetails(page: Page, file: string): Promise<void> {
  await page.goto(`${server.url}/projects/${PROJECT}`);
  await page
    .getByTestId(`file-row-${file}`)
    .getByRole('button', { name: `Show details of ${file}` })
    .click();
  await page.getByTestId('file-detail').waitFor();
}

async function openHistory(page: Page): Promise<void> {
  await page
    .getByTestId('file-detail')
    .getByRole('tab', { name: /^History/ })
    .click();
}

/** How many pixels of the canvas differ from its top-left (background) pixel. */
const drawnPixels = (page: Page) =>
  page.getByTestId('backplot').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) n++;
    return n;
  });

describe('compare and preview', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    server = await startE2E();
    await server.createProject(PROJECT);
    const admin = server.admin;
    const ok = (r: { status: number; text: string }) => expect(r.status, r.text).toBeLessThan(300);
    ok(await admin.upload(PROJECT, PROGRAM, FANUC, { description: 'Bracket op 1' }));
    ok(await admin.checkout(PROJECT, PROGRAM));
    const revB = reformatted(FANUC.replace('N170 T12 M06 (6.8 DRILL)', 'N170 T7 M06 (7.0 DRILL)').replace('S8000', 'S9500'));
    ok(await admin.checkin(PROJECT, PROGRAM, revB, { message: 'T7 drill, faster finish' }));
    ok(await admin.upload(PROJECT, 'plate.dxf', dxfDrawing('PLATE 12')));
  }, 180_000);

  afterAll(stopE2E);

  it('compares A and B of an NC program from the history: summary and changed lines', async () => {
    const page = await newPage();
    await openDetails(page, PROGRAM);
    await openHistory(page);
    const picker = page.getByTestId('history-compare');
    expect(await picker.getByLabel('Compare from').locator('option:checked').textContent()).toContain('Rev A');
    expect(await picker.getByLabel('Compare to').locator('option:checked').textContent()).toContain('Rev B');
    await picker.getByRole('button', { name: 'Compare' }).click();
    const dialog = page.getByRole('dialog', { name: 'Compare revisions' });
    await dialog.getByTestId('gcode-summary').getByText('T12 removed, T7 added; S2500/8000→2500/9500; extent unchanged').waitFor();
    // Only the real edits are marked; the renumbering and re-formatting are not.
    const added = dialog.locator('[data-op="added"]');
    expect(await added.count()).toBe(2);
    expect(await added.allTextContents()).toEqual([expect.stringContaining('s9500'), expect.stringContaining('t7')]);
    await shoot(page, 'compare-split');
    await dialog.getByRole('button', { name: 'Unified' }).click();
    await dialog.getByTestId('diff-unified').waitFor();
    expect(await dialog.locator('[data-op="removed"]').allTextContents()).toEqual([
      expect.stringContaining('N40 G90 G54 G00 X-5. Y-5. S8000 M03'),
      expect.stringContaining('N170 T12 M06 (6.8 DRILL)'),
    ]);
    // Formatting counts once "ignore formatting" is off.
    await dialog.getByLabel('Ignore formatting').uncheck();
    await expect.poll(() => dialog.locator('[data-op="added"]').count(), POLL).toBeGreaterThan(20);
    await dialog.getByRole('button', { name: 'Close comparison' }).click();
  });

  it('draws the backplot of the program, in three views', async () => {
    const page = await newPage();
    await openDetails(page, PROGRAM);
    await page.getByTestId('file-detail').getByRole('tab', { name: 'preview' }).click();
    await page.getByTestId('backplot').waitFor();
    await expect.poll(() => drawnPixels(page), POLL).toBeGreaterThan(500);
    expect(Number(await page.getByTestId('backplot').getAttribute('data-moves'))).toBeGreaterThan(5);
    await page.getByRole('button', { name: 'Full screen' }).click();
    await expect.poll(() => drawnPixels(page), POLL).toBeGreaterThan(500);
    await shoot(page, 'backplot-xy');
    await page.getByRole('group', { name: 'Backplot view' }).getByRole('button', { name: 'XZ' }).click();
    await expect.poll(() => page.getByTestId('backplot').getAttribute('aria-label'), POLL).toBe('Backplot, XZ view');
    await expect.poll(() => drawnPixels(page), POLL).toBeGreaterThan(300);
    await shoot(page, 'backplot-xz');
    await page.getByRole('tab', { name: 'Program' }).click();
    await page
      .getByTestId('preview-text')
      .getByText(/t7\s*m6/)
      .first()
      .waitFor();
  });

  it('shows a DXF drawing as the SVG the server drew', async () => {
    const page = await newPage();
    await openDetails(page, 'plate.dxf');
    await page.getByTestId('file-detail').getByRole('tab', { name: 'preview' }).click();
    const img = page.getByTestId('dxf-preview');
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth), POLL).toBeGreaterThan(0);
    await shoot(page, 'preview-dxf');
  });

  it('works at phone width (390 px)', async () => {
    const page = await newPage(390, 844);
    await openDetails(page, PROGRAM);
    await openHistory(page);
    const before = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.getByTestId('history-compare').getByRole('button', { name: 'Compare' }).click();
    const dialog = page.getByRole('dialog', { name: 'Compare revisions' });
    await dialog.getByTestId('gcode-summary').waitFor();
    await dialog.getByTestId('diff-unified').waitFor(); // narrow screens start unified
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `page overflow before the dialog: ${before}`).toBeLessThanOrEqual(Math.max(0, before));
    await shoot(page, 'compare-phone');
  });
});
