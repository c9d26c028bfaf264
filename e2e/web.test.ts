/**
 * End-to-end: the built web app (packages/web/dist) served by a real Lockstep server, driven by a
 * system Chromium through playwright-core. Two users side by side see each other's changes live.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, USER_PASSWORD, startServer, type TestServer } from '../packages/server/test/harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const webDir = path.join(root, 'packages/web');
const shots = path.join(root, 'e2e/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PROJECT = 'fixtures';
const PROGRAM = '1234567_op1.mcam';
const REV_A = Buffer.from('G90 G54\nT1 M6\nS8000 M3\n(rev A: roughing)\n\x00\x01\x02binary-tail\n');
const REV_B = Buffer.from('G90 G54\nT1 M6\nS9000 M3\n(rev B: faster roughing)\nG0 X0 Y0\n');

/** Rebuild the web app when a source file is newer than the last build. */
function ensureWebBuild(): void {
  const index = path.join(webDir, 'dist/index.html');
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
    }, 0);
  const sources = Math.max(
    newest(path.join(webDir, 'src')),
    newest(path.join(root, 'packages/protocol/src')),
    fs.statSync(path.join(webDir, 'index.html')).mtimeMs,
  );
  if (sources > built) execSync('npx vite build', { cwd: webDir, stdio: 'pipe' });
}

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', acceptDownloads: true });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  return page;
}

async function login(page: Page, username: string, password: string): Promise<void> {
  await page.goto(server.url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
}

async function openProject(page: Page): Promise<void> {
  await page.goto(`${server.url}/projects/${PROJECT}`);
  await page.getByRole('heading', { name: PROJECT }).waitFor();
}

async function waitLive(page: Page, timeout = 10_000): Promise<void> {
  await page.locator('[data-testid="connection-status"][data-state="open"]').waitFor({ timeout });
}

const row = (page: Page, p: string): Locator => page.getByTestId(`file-row-${p}`);
const revisionOf = (r: Locator) => r.getByTitle('Revision', { exact: true });

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const isDark = await page.evaluate(() => document.documentElement.classList.contains('dark'));
  if (isDark === (theme === 'dark')) return;
  if ((await page.getByRole('dialog').count()) === 0) await page.getByRole('button', { name: `Switch to ${theme} theme` }).click();
  // A modal is open (the page behind it is inert): switch the class directly.
  else await page.evaluate((dark) => document.documentElement.classList.toggle('dark', dark), theme === 'dark');
  await page.waitForTimeout(150);
}

/** Screenshot in both themes; leaves the page in light theme. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    await page.screenshot({ path: path.join(shots, `${name}-${theme}.png`) });
  }
  await setTheme(page, 'light');
}

describe('web app', { timeout: 60_000 }, () => {
  let alice: Page; // user A
  let bob: Page; // user B

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
    ensureWebBuild();
    fs.mkdirSync(shots, { recursive: true });
    server = await startServer();
    await server.createUser('alice', 'user');
    await server.createUser('bob', 'user');
    await server.createUser('victor', 'viewer');
    await server.createProject(PROJECT, PROJECT);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    // Unset when beforeAll failed early; whatever did start must still stop.
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.close();
  });

  it('logs in (and refuses a wrong password)', async () => {
    alice = await newPage();
    await alice.goto(server.url);
    await alice.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shoot(alice, 'login');
    await alice.getByLabel('Username').fill('alice');
    await alice.getByLabel('Password').fill('wrong-password');
    await alice.getByRole('button', { name: 'Sign in' }).click();
    await alice.getByRole('alert').waitFor();
    await login(alice, 'alice', USER_PASSWORD);
    expect(await alice.getByTestId('current-user').textContent()).toContain('alice');
    await waitLive(alice);
  });

  it('uploads several files at once with progress', async () => {
    await openProject(alice);
    await alice.getByRole('button', { name: 'Upload files' }).click();
    const dialog = alice.getByRole('dialog', { name: 'Upload new files' });
    await dialog.locator('input[type=file]').setInputFiles([
      { name: PROGRAM, mimeType: 'application/octet-stream', buffer: REV_A },
      { name: '1234999_op2.nc', mimeType: 'text/plain', buffer: Buffer.from('G0 X1\n') },
      { name: 'vise-setup.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 fake\n') },
    ]);
    await dialog.getByLabel('Description').fill('Vise fixture');
    await dialog.getByRole('button', { name: /Upload 3 files/ }).click();
    await dialog.waitFor({ state: 'detached' });
    await row(alice, PROGRAM).waitFor();
    expect(await revisionOf(row(alice, PROGRAM)).textContent()).toBe('A');
    expect(await row(alice, PROGRAM).textContent()).toContain('Available');
    // Grouped by part number: 12XXXXX holds both programs, the PDF is Miscellaneous.
    expect(await alice.getByTestId('group-12XXXXX').getByRole('row').count()).toBeGreaterThanOrEqual(2);
    await alice.getByTestId('group-Miscellaneous').getByTestId('file-row-vise-setup.pdf').waitFor();
  });

  it('B sees A check out live, within 2 s, without a reload', async () => {
    bob = await newPage();
    await login(bob, 'bob', USER_PASSWORD);
    await openProject(bob);
    await waitLive(bob);
    await row(bob, PROGRAM).getByText('Available').waitFor();
    let reloaded = false;
    bob.on('framenavigated', (f) => (reloaded ||= f === bob.mainFrame()));

    await row(alice, PROGRAM)
      .getByRole('button', { name: /^Check out/ })
      .click();
    const dialog = alice.getByRole('dialog', { name: 'Check out file' });
    await dialog.getByLabel(/Message/).fill('new roughing toolpath');
    await Promise.all([
      alice.waitForResponse((r) => r.url().includes('/checkout') && r.status() === 200),
      dialog.getByRole('button', { name: 'Check out' }).click(),
    ]);
    const started = Date.now();
    await row(bob, PROGRAM)
      .getByText(/Locked by alice.*new roughing toolpath/)
      .waitFor({ timeout: 2000 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(reloaded).toBe(false);

    // A is offered the download right away, and sees the file as theirs.
    const done = alice.getByRole('dialog', { name: 'Checked out' });
    await done.getByRole('link', { name: /Download revision A/ }).waitFor();
    await done.getByRole('button', { name: 'Close', exact: true }).click();
    await row(alice, PROGRAM).getByText('Checked out by you').waitFor();
    // B may not check it out: no button, and the row says who holds it.
    expect(
      await row(bob, PROGRAM)
        .getByRole('button', { name: /^Check out/ })
        .count(),
    ).toBe(0);
    await shoot(bob, 'file-browser');
  });

  it('A checks in revision B with a message; B sees revision B live', async () => {
    await row(alice, PROGRAM)
      .getByRole('button', { name: /^Check in/ })
      .click();
    const dialog = alice.getByRole('dialog', { name: 'Check in file' });
    await dialog.locator('input[type=file]').setInputFiles({ name: PROGRAM, mimeType: 'application/octet-stream', buffer: REV_B });
    await dialog.getByLabel(/Check-in message/).fill('faster roughing, S9000');
    expect(await dialog.getByLabel('Bump revision', { exact: false }).isChecked()).toBe(true);
    expect(await dialog.getByLabel('Keep checked out').isChecked()).toBe(false);
    await shoot(alice, 'checkin-modal');
    await Promise.all([
      alice.waitForResponse((r) => r.url().includes('/checkin') && r.status() === 200),
      dialog.getByRole('button', { name: 'Check in' }).click(),
    ]);
    const started = Date.now();
    await row(bob, PROGRAM).getByTitle('Revision', { exact: true }).getByText('B', { exact: true }).waitFor({ timeout: 2000 });
    await row(bob, PROGRAM).getByText('Available').waitFor({ timeout: 2000 });
    expect(Date.now() - started).toBeLessThan(2000);
    // B got a toast naming A.
    await bob
      .getByText(/alice checked in 1234567_op1\.mcam/)
      .first()
      .waitFor();
  });

  it('history downloads the old revision byte-for-byte', async () => {
    await row(bob, PROGRAM)
      .getByRole('button', { name: `Show details of ${PROGRAM}` })
      .click();
    const detail = bob.getByTestId('file-detail');
    await detail.getByTestId('history-B').getByText('faster roughing, S9000').waitFor();
    await detail.getByTestId('history-A').waitFor();
    const [download] = await Promise.all([
      bob.waitForEvent('download'),
      detail
        .getByTestId('history-A')
        .getByRole('link', { name: /Download revision A/ })
        .click(),
    ]);
    expect(download.suggestedFilename()).toBe(PROGRAM);
    const bytes = fs.readFileSync(await download.path());
    expect(Buffer.compare(bytes, REV_A)).toBe(0);
    const [current] = await Promise.all([
      bob.waitForEvent('download'),
      detail
        .getByTestId('history-B')
        .getByRole('link', { name: /Download revision B/ })
        .click(),
    ]);
    expect(Buffer.compare(fs.readFileSync(await current.path()), REV_B)).toBe(0);
    await detail.getByRole('button', { name: 'Close details' }).click();
  });

  it('a viewer sees no check-out button and no upload', async () => {
    const victor = await newPage();
    await login(victor, 'victor', USER_PASSWORD);
    await openProject(victor);
    await row(victor, PROGRAM).waitFor();
    expect(await victor.getByRole('button', { name: /^Check out/ }).count()).toBe(0);
    expect(await victor.getByRole('button', { name: 'Upload files' }).count()).toBe(0);
    expect(
      await row(victor, PROGRAM)
        .getByRole('link', { name: /Download/ })
        .count(),
    ).toBe(1);
    await victor.context().close();
  });

  it('admin overrides A’s lock and A gets a personal notice', async () => {
    await row(alice, PROGRAM)
      .getByRole('button', { name: /^Check out/ })
      .click();
    const co = alice.getByRole('dialog', { name: 'Check out file' });
    await co.getByRole('button', { name: 'Check out' }).click();
    await alice.getByRole('dialog', { name: 'Checked out' }).getByRole('button', { name: 'Close', exact: true }).click();

    const admin = await newPage();
    await login(admin, 'admin', ADMIN_PASSWORD);
    await admin.goto(`${server.url}/dashboard`);
    await admin.getByTestId(`lock-${PROJECT}/${PROGRAM}`).waitFor();
    await shoot(admin, 'dashboard');
    await openProject(admin);
    await row(admin, PROGRAM)
      .getByText(/Locked by alice/)
      .waitFor();
    await row(admin, PROGRAM)
      .getByRole('button', { name: /^Override/ })
      .click();
    const dialog = admin.getByRole('dialog', { name: 'Override lock' });
    await dialog.getByLabel(/Reason/).fill('alice is on holiday, job is urgent');
    await dialog.getByRole('button', { name: 'Override lock' }).click();
    await dialog.waitFor({ state: 'detached' });

    const notice = alice.getByTestId('notice');
    await notice.waitFor({ timeout: 3000 });
    expect(await notice.textContent()).toMatch(/overridden by admin: alice is on holiday/);
    await row(alice, PROGRAM).getByText('Available').waitFor({ timeout: 3000 });

    // Admin pages, for the record.
    await admin.goto(`${server.url}/dashboard`);
    await admin.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await admin
      .getByText(/overrode the lock on/)
      .first()
      .waitFor();
    expect(await admin.getByTestId(`lock-${PROJECT}/${PROGRAM}`).count()).toBe(0);
    await admin.goto(`${server.url}/admin/users`);
    await admin.getByTestId('user-row-victor').waitFor();
    await shoot(admin, 'admin-users');
    await admin.goto(`${server.url}/admin/audit`);
    await admin.getByRole('cell', { name: 'file.lock_overridden' }).first().waitFor();
    expect(await admin.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toContain('/api/audit.csv');
    await shoot(admin, 'admin-audit');
    await admin.context().close();
    await notice.getByRole('button', { name: 'Dismiss' }).click();
  });

  it('reconnects by itself after a server restart and catches up', async () => {
    await waitLive(bob);
    await server.restart();
    // Changed while B's page is still reconnecting: it must catch up on its own.
    const api = await server.login('alice');
    const res = await api.checkout(PROJECT, '1234999_op2.nc', 'changed during the restart');
    expect(res.status).toBe(200);
    await waitLive(bob, 15_000);
    await row(bob, '1234999_op2.nc')
      .getByText(/Locked by alice/)
      .waitFor({ timeout: 5000 });
    // And live events flow again after the reconnect.
    await api.post(`/api/projects/${PROJECT}/files/${encodeURIComponent('1234999_op2.nc')}/cancel`);
    await row(bob, '1234999_op2.nc').getByText('Available').waitFor({ timeout: 2000 });
    await waitLive(alice, 15_000);
  });

  it('is usable at tablet width', async () => {
    await bob.setViewportSize({ width: 768, height: 1024 });
    await row(bob, PROGRAM)
      .getByRole('button', { name: `Show details of ${PROGRAM}` })
      .click();
    await bob.getByTestId('file-detail').waitFor();
    await bob.screenshot({ path: path.join(shots, 'file-browser-tablet-light.png') });
    await bob.getByRole('button', { name: 'Close details' }).click();
    await bob.keyboard.press('Tab');
    expect(await row(bob, PROGRAM).isVisible()).toBe(true);
  });
});
