/**
 * The browser side every E2E test and the web benchmark share: where the system Chromium is, the
 * flags it runs with on this closed network, and a rebuild of the web app when its sources are
 * newer than its last build. No test runner here, so bench/ can use it too.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

export const root = fileURLToPath(new URL('..', import.meta.url));
const webDir = path.join(root, 'packages/web');
export const shots = path.join(root, 'e2e/screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Rebuild the web app when a source file is newer than the last build. */
export function ensureWebBuild(): void {
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

/** Sign in through the login form at `url`, and wait for the projects page it leads to. */
export async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();
}
