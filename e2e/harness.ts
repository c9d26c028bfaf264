/**
 * The E2E set-up every browser test shares: the built web app (packages/web/dist) served by a real
 * Lockstep server, driven by a system Chromium through playwright-core. One server and one browser
 * per test file (vitest runs each file in its own process); `startE2E` in beforeAll, `stopE2E` in
 * afterAll.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startServer, type TestServer } from '../packages/server/test/harness.js';
import { CHROMIUM, CHROMIUM_ARGS, ensureWebBuild, root, shots, signIn } from './browser.js';

export { CHROMIUM, CHROMIUM_ARGS, root, shots };

/** The running server and browser of this test file. */
export const e2e = {} as { server: TestServer; browser: Browser };
const contexts: BrowserContext[] = [];

/** Builds the web app if needed, starts a server (with the given options) and Chromium. */
export async function startE2E(opts: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  ensureWebBuild();
  fs.mkdirSync(shots, { recursive: true });
  e2e.server = await startServer(opts);
  e2e.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return e2e.server;
}

export async function stopE2E(): Promise<void> {
  for (const c of contexts) await c.close().catch(() => {});
  // Either may be missing when startE2E failed halfway.
  const { browser, server } = e2e as Partial<typeof e2e>;
  await browser?.close();
  await server?.close();
}

export async function newPage(width = 1280, height = 800): Promise<Page> {
  const ctx = await e2e.browser.newContext({ viewport: { width, height }, colorScheme: 'light', acceptDownloads: true });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  return page;
}

/** A 390 px wide touch phone (the shop floor). */
export const phonePage = (): Promise<Page> => touchPage(390, 844);
/** A 768 px wide touch tablet (the floor's other device). */
export const tabletPage = (): Promise<Page> => touchPage(768, 1024);

async function touchPage(width: number, height: number): Promise<Page> {
  const ctx = await e2e.browser.newContext({
    viewport: { width, height },
    hasTouch: true,
    isMobile: true,
    colorScheme: 'light',
    acceptDownloads: true,
  });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  return page;
}

export async function login(page: Page, username: string, password: string): Promise<void> {
  await signIn(page, e2e.server.url, username, password);
}

export async function openProject(page: Page, slug: string): Promise<void> {
  await page.goto(`${e2e.server.url}/projects/${slug}`);
  await page.getByRole('heading', { name: slug }).waitFor();
}

export async function waitLive(page: Page, timeout = 10_000): Promise<void> {
  await page.locator('[data-testid="connection-status"][data-state="open"]').waitFor({ timeout });
}

export const row = (page: Page, p: string): Locator => page.getByTestId(`file-row-${p}`);
export const revisionOf = (r: Locator) => r.getByTitle('Revision', { exact: true });

export async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const isDark = await page.evaluate(() => document.documentElement.classList.contains('dark'));
  if (isDark === (theme === 'dark')) return;
  const toggle = page.getByRole('button', { name: `Switch to ${theme} theme` });
  if ((await page.getByRole('dialog').count()) === 0 && (await toggle.isVisible())) await toggle.click();
  // A modal is open (the page behind it is inert): switch the class directly.
  else await page.evaluate((dark) => document.documentElement.classList.toggle('dark', dark), theme === 'dark');
  await page.waitForTimeout(150);
}

const AXE = fs.readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** axe-core, WCAG 2 A and AA: the page as it is now must have no violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ content: AXE });
    // Colours are checked as they end, not halfway through a theme transition.
    await page.addStyleTag({ content: '*,*::before,*::after{transition:none!important;animation:none!important}' });
  }
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return r.violations as Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }>;
  });
  const text = violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('\n');
  expect(text, `accessibility of ${what}`).toBe('');
}

/** Screenshot and accessibility check in both themes; leaves the page in light theme. */
export async function shoot(page: Page, name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    await page.screenshot({ path: path.join(shots, `${name}-${theme}.png`) });
    await expectAccessible(page, `${name} (${theme})`);
  }
  await setTheme(page, 'light');
}

/** A box that may scroll sideways (a table's card) does not need to: its content fits its width. */
export async function expectFitsWidth(box: Locator, what: string): Promise<void> {
  const [content, width] = await box.evaluate((el) => [el.scrollWidth, el.clientWidth]);
  expect(content, `${what}: content ${content}px in a ${width}px box`).toBeLessThanOrEqual(width + 1);
}

/** The page fits its width: nothing sticks out sideways (the phone test). */
export async function expectNoSideScroll(page: Page, width: number, what: string): Promise<void> {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  if (w <= width) return;
  // Name the culprits: the innermost boxes reaching past the edge, the boxes whose content (text
  // included) overflows them, and the viewport's widths (a failure has been seen with none of the
  // first two, at 768 px under load: these say what it was next time).
  const wide = await page.evaluate((width) => {
    const out: string[] = [];
    const name = (el: Element) => `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 4).join('.')}`;
    const right = (el: Element) => Math.round(el.getBoundingClientRect().right);
    // Inside a box that clips or scrolls sideways, overflow is that box's, not the page's.
    const clipped = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
        if (getComputedStyle(p).overflowX !== 'visible') return true;
      return false;
    };
    const past = (el: Element) => right(el) > width + 1 && !clipped(el);
    for (const el of document.body.querySelectorAll<HTMLElement>('*')) {
      if (past(el) && ![...el.children].some(past)) out.push(`${name(el)} "${el.textContent.slice(0, 40)}"`);
      else if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible' && !clipped(el))
        out.push(`${name(el)} overflows: ${el.scrollWidth} > ${el.clientWidth}`);
    }
    out.push(`html ${right(document.documentElement)}, body ${right(document.body)}, visual viewport ${window.visualViewport?.width}`);
    return out.slice(-12);
  }, width);
  expect(w, `${what} is ${w}px wide; past the edge: ${wide.join('; ')}`).toBeLessThanOrEqual(width);
}
