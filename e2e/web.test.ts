/**
 * End-to-end: the built web app (packages/web/dist) served by a real Lockstep server, driven by a
 * system Chromium through playwright-core. Two users side by side see each other's changes live.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '@lockstep/protocol';
import { buildApp } from '../packages/server/src/app.js';
import { ADMIN_PASSWORD, USER_PASSWORD, until, type TestServer } from '../packages/server/test/harness.js';
import {
  expectAccessible,
  expectFitsWidth,
  expectNoSideScroll,
  login,
  newPage,
  openProject as openProjectAt,
  phonePage,
  revisionOf,
  row,
  shoot,
  shots,
  startE2E,
  stopE2E,
  tabletPage,
  waitLive,
} from './harness.js';

const PROJECT = 'fixtures';
const PROGRAM = '1234567_op1.mcam';
const REV_A = Buffer.from('G90 G54\nT1 M6\nS8000 M3\n(rev A: roughing)\n\x00\x01\x02binary-tail\n');
const REV_B = Buffer.from('G90 G54\nT1 M6\nS9000 M3\n(rev B: faster roughing)\nG0 X0 Y0\n');

let server: TestServer;
const openProject = (page: Page) => openProjectAt(page, PROJECT);
/** The scrollable regions holding the admin tables. */
const REGION = { users: 'Users', audit: 'Audit entries' } as const;

describe('web app', { timeout: 60_000 }, () => {
  let alice: Page; // user A
  let bob: Page; // user B

  beforeAll(async () => {
    server = await startE2E();
    await server.createUser('alice', 'user');
    await server.createUser('bob', 'user');
    await server.createUser('victor', 'viewer');
    await server.createProject(PROJECT, PROJECT);
  }, 120_000);

  afterAll(stopE2E);

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
    await alice.getByTestId('group-12XXXXX').waitFor();
    expect(await alice.locator('[data-group="12XXXXX"][data-testid^="file-row-"]').count()).toBeGreaterThanOrEqual(2);
    await alice.locator('[data-group="Miscellaneous"][data-testid="file-row-vise-setup.pdf"]').waitFor();
  });

  it('upload errors: red, in words, with a check-out button; the picker filters by extension', async () => {
    await alice.getByRole('button', { name: 'Upload files' }).click();
    const dialog = alice.getByRole('dialog', { name: 'Upload new files' });
    const input = dialog.locator('input[type=file]');
    expect(await input.getAttribute('accept')).toContain('.mcam');
    await input.setInputFiles([
      { name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') },
      { name: PROGRAM, mimeType: 'application/octet-stream', buffer: REV_A },
    ]);
    await dialog.getByRole('button', { name: /Upload 2 files/ }).click();
    const bad = dialog.getByTestId('upload-item-setup.exe');
    await bad.getByText(/^Only CNC\/CAD files are accepted: \.mcam \.nc/).waitFor();
    const dup = dialog.getByTestId(`upload-item-${PROGRAM}`);
    await dup.getByText('already exists — check it out to change it').waitFor();
    // The failed bar is red, not the blue of progress.
    expect(await bad.locator('[role=progressbar] > div').getAttribute('class')).toContain('bg-rose-500');
    await shoot(alice, 'upload-errors');
    await dup.getByRole('button', { name: `Check out ${PROGRAM}` }).click();
    const checkout = alice.getByRole('dialog', { name: 'Check out file' });
    await checkout.waitFor();
    await checkout.getByRole('button', { name: 'Cancel' }).click();
    await checkout.waitFor({ state: 'detached' });
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
    // History is its own tab, named with its count; the tab is in the URL and survives a reload.
    await detail.getByRole('tab', { name: 'History (2)' }).click();
    await bob.waitForURL(/view=history/);
    await bob.reload();
    await detail.getByRole('tab', { name: 'History (2)', selected: true }).waitFor();
    await detail.getByTestId('history-B').getByText('faster roughing, S9000').waitFor();
    await detail.getByTestId('history-A').waitFor();
    await shoot(bob, 'history-tab');
    const [download] = await Promise.all([
      bob.waitForEvent('download'),
      detail
        .getByTestId('history-A')
        .getByRole('link', { name: /Download revision A/ })
        .click(),
    ]);
    // Named with its revision, so an old program never passes for the current one.
    expect(download.suggestedFilename()).toBe('1234567_op1.A.mcam');
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
    // The shop floor downloads released revisions only, and none is released yet (e2e/release.test.ts releases one).
    await row(victor, PROGRAM).getByText('Not released').waitFor();
    expect(
      await row(victor, PROGRAM)
        .getByRole('link', { name: /Download/ })
        .count(),
    ).toBe(0);
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
    await expectFitsWidth(admin.getByRole('region', { name: REGION.users }), 'admin users at 1280 px');
    await shoot(admin, 'admin-users');
    await admin.goto(`${server.url}/admin/audit`);
    await admin.getByRole('cell', { name: 'overrode lock', exact: true }).first().waitFor();
    expect(await admin.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toContain('/api/audit.csv');
    await shoot(admin, 'admin-audit');
    await admin.context().close();
    await notice.getByRole('button', { name: 'Dismiss' }).click();
  }, 180_000);

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

  // ---- issue 15: a real shop day ----

  it('an override while checking in keeps the file and message, says why, and offers to go on', async () => {
    await bob.setViewportSize({ width: 1280, height: 800 });
    await row(alice, PROGRAM)
      .getByRole('button', { name: /^Check out/ })
      .click();
    await alice.getByRole('dialog', { name: 'Check out file' }).getByRole('button', { name: 'Check out' }).click();
    await alice.getByRole('dialog', { name: 'Checked out' }).getByRole('button', { name: 'Close', exact: true }).click();
    await row(alice, PROGRAM)
      .getByRole('button', { name: /^Check in/ })
      .click();
    const dialog = alice.getByRole('dialog', { name: 'Check in file' });
    const REV_C = Buffer.from('G90 G54\nT2 M6\nS9500 M3\n(rev C: finishing)\n');
    await dialog.locator('input[type=file]').setInputFiles({ name: PROGRAM, mimeType: 'application/octet-stream', buffer: REV_C });
    await dialog.getByLabel(/Check-in message/).fill('finishing pass added');

    const res = await server.admin.post(api.fileAction(PROJECT, PROGRAM, 'override'), { reason: 'machine 3 waits for it' });
    expect(res.status, res.text).toBe(200);
    const notice = dialog.getByTestId('live-notice');
    await notice.getByText('admin overrode the lock: machine 3 waits for it.').waitFor({ timeout: 3000 });
    // Nothing is lost: the chosen file and the message stay; the submit waits.
    expect(await dialog.getByTestId('picked-file').textContent()).toContain(PROGRAM);
    expect(await dialog.getByLabel(/Check-in message/).inputValue()).toBe('finishing pass added');
    expect(await dialog.getByRole('button', { name: 'Check in', exact: true }).isDisabled()).toBe(true);
    await shoot(alice, 'checkin-overridden');
    const [saved] = await Promise.all([alice.waitForEvent('download'), notice.getByRole('button', { name: 'Save my file' }).click()]);
    expect(saved.suggestedFilename()).toBe(PROGRAM);
    expect(Buffer.compare(fs.readFileSync(await saved.path()), REV_C)).toBe(0);

    await notice.getByRole('button', { name: 'Check out again' }).click();
    await notice.waitFor({ state: 'detached' });
    await Promise.all([
      alice.waitForResponse((r) => r.url().includes('/checkin') && r.status() === 200),
      dialog.getByRole('button', { name: 'Check in', exact: true }).click(),
    ]);
    await dialog.waitFor({ state: 'detached' });
    await revisionOf(row(bob, PROGRAM)).getByText('C', { exact: true }).waitFor();
    await alice.getByTestId('notice').getByRole('button', { name: 'Dismiss' }).click();
  });

  it('refuses an identical check-in unless asked, and says so in the dialog', async () => {
    await alice.getByRole('button', { name: `Check out ${PROGRAM}` }).click();
    await alice.getByRole('dialog', { name: 'Check out file' }).getByRole('button', { name: 'Check out' }).click();
    await alice.getByRole('dialog', { name: 'Checked out' }).getByRole('button', { name: 'Close', exact: true }).click();
    await row(alice, PROGRAM)
      .getByRole('button', { name: /^Check in/ })
      .click();
    const dialog = alice.getByRole('dialog', { name: 'Check in file' });
    const same = Buffer.from('G90 G54\nT2 M6\nS9500 M3\n(rev C: finishing)\n');
    await dialog.locator('input[type=file]').setInputFiles({ name: PROGRAM, mimeType: 'application/octet-stream', buffer: same });
    await dialog.getByLabel(/Check-in message/).fill('no change');
    await Promise.all([
      alice.waitForResponse((r) => r.url().includes('/checkin') && r.status() === 409),
      dialog.getByRole('button', { name: 'Check in', exact: true }).click(),
    ]);
    await dialog.getByText(/identical to revision C/).waitFor();
    expect(await revisionOf(row(alice, PROGRAM)).textContent()).toBe('C');
    await dialog.getByLabel('Check in the identical file anyway').check();
    await Promise.all([
      alice.waitForResponse((r) => r.url().includes('/checkin') && r.status() === 200),
      dialog.getByRole('button', { name: 'Check in anyway' }).click(),
    ]);
    await revisionOf(row(alice, PROGRAM)).getByText('D', { exact: true }).waitFor();
  });

  it('a check-out dialog says at once when someone else takes the lock', async () => {
    await row(bob, '1234999_op2.nc')
      .getByRole('button', { name: /^Check out/ })
      .click();
    const dialog = bob.getByRole('dialog', { name: 'Check out file' });
    await dialog.getByLabel(/Message/).fill('my change');
    const alices = await server.login('alice');
    expect((await alices.checkout(PROJECT, '1234999_op2.nc', 'new fixture')).status).toBe(200);
    await dialog
      .getByTestId('live-notice')
      .getByText(/^Locked by alice since \d{1,2}:\d\d( [AP]M)? \(just now\) — “new fixture”\.$/)
      .waitFor({ timeout: 3000 });
    expect(await dialog.getByRole('button', { name: 'Check out', exact: true }).isDisabled()).toBe(true);
    expect(await dialog.getByLabel(/Message/).inputValue()).toBe('my change');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    // The row tells the lock the same way: local time, once.
    await row(bob, '1234999_op2.nc')
      .getByText(/^Locked by alice since \d{1,2}:\d\d( [AP]M)? \(just now\) — “new fixture”$/)
      .waitFor();
    expect((await alices.post(api.fileAction(PROJECT, '1234999_op2.nc', 'cancel'))).status).toBe(200);
  });

  it('groups bursts of toasts: "alice uploaded 5 files"', async () => {
    await openProject(bob);
    await waitLive(bob);
    const alices = await server.login('alice');
    for (let i = 1; i <= 5; i++) expect((await alices.upload(PROJECT, `770000${i}_op1.nc`, `G0 X${i}\n`)).status).toBe(201);
    const toasts = bob.getByTestId('toasts');
    await toasts.getByText('alice uploaded 5 files').waitFor();
    expect(await toasts.getByText(/^alice uploaded/).count()).toBe(1);
  });

  it('sorts the whole project by name or recency, from the menu or the column headers, kept in the URL', async () => {
    await bob.getByLabel('Sort').selectOption('name');
    await bob.waitForURL(/sort=name/);
    expect(await bob.getByTestId(/^group-/).count()).toBe(0);
    const names = async () =>
      bob
        .locator('[data-testid^="file-row-"]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')!.slice('file-row-'.length)));
    const byName = await names();
    expect(byName).toEqual([...byName].sort((a, b) => a.localeCompare(b)));
    expect(byName.length).toBeGreaterThanOrEqual(8);
    await bob.reload();
    await row(bob, PROGRAM).waitFor();
    expect(await bob.getByLabel('Sort').inputValue()).toBe('name');

    await bob
      .getByRole('columnheader', { name: /Modified/ })
      .getByRole('button')
      .click();
    await bob.waitForURL(/sort=-modified/);
    await until('newest first', async () => (await names())[0] === '7700005_op1.nc');
    await bob.getByRole('columnheader', { name: /Group/ }).getByRole('button').click();
    await bob.getByTestId('group-77XXXXX').waitFor();
    // A collapsed group stays collapsed after a reload.
    await bob.getByTestId('group-77XXXXX').getByRole('button').click();
    await row(bob, '7700001_op1.nc').waitFor({ state: 'detached' });
    await bob.reload();
    await bob.getByTestId('group-77XXXXX').waitFor();
    expect(await bob.getByTestId('group-77XXXXX').getByRole('button').getAttribute('aria-expanded')).toBe('false');
    expect(await row(bob, '7700001_op1.nc').count()).toBe(0);
    await bob.getByRole('button', { name: 'Expand all' }).click();
  });

  it('keyboard: the detail panel takes focus; Esc gives it back to the row', async () => {
    const opener = row(bob, PROGRAM).getByRole('button', { name: `Show details of ${PROGRAM}` });
    await opener.focus();
    await bob.keyboard.press('Enter');
    await bob.getByTestId('file-detail').waitFor();
    expect(await bob.evaluate(() => !!document.activeElement?.closest('aside[aria-label="File details"]'))).toBe(true);
    await bob.keyboard.press('Escape');
    await bob.getByTestId('file-detail').waitFor({ state: 'detached' });
    expect(await bob.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Show details of ${PROGRAM}`);
  });

  it('shows an outage bar while the server is down, disables actions, and clears when it is back', async () => {
    await waitLive(alice);
    await server.app.close();
    const bar = alice.getByTestId('outage-bar');
    await bar.getByText('Reconnecting — statuses may be out of date.').waitFor({ timeout: 10_000 });
    expect(await alice.getByRole('button', { name: 'Upload files' }).isDisabled()).toBe(true);
    expect(
      await row(alice, '1234999_op2.nc')
        .getByRole('button', { name: /^Check out/ })
        .isDisabled(),
    ).toBe(true);
    await shoot(alice, 'outage');
    // Wait out the back-off until the next try is far off (it doubles: 1, 2, 4, 8 s), so it is
    // the click that reconnects, not a retry that happened to land right after the restart.
    const status = alice.getByTestId('connection-status');
    const secondsToRetry = async () => Number(/Reconnecting in (\d+)s/.exec(await status.innerText())?.[1] ?? 0);
    await until('next try ≥ 5 s away', async () => (await secondsToRetry()) >= 5, 20_000);
    server.app = await buildApp(server.config, { logger: false });
    await server.app.app.listen({ port: server.port, host: '127.0.0.1' });
    const left = await secondsToRetry();
    expect(left).toBeGreaterThanOrEqual(2);
    const clicked = Date.now();
    await bar.getByRole('button', { name: 'Retry now' }).click();
    await bar.waitFor({ state: 'detached', timeout: 10_000 });
    expect(Date.now() - clicked).toBeLessThan(left * 1000); // before the back-off would have retried
    await waitLive(alice);
    expect(
      await row(alice, '1234999_op2.nc')
        .getByRole('button', { name: /^Check out/ })
        .isDisabled(),
    ).toBe(false);
    await waitLive(bob, 15_000);
  }, 60_000);

  it('audit log: human action names, user filter by part of a name', async () => {
    const admin = await newPage();
    await login(admin, 'admin', ADMIN_PASSWORD);
    await admin.goto(`${server.url}/admin/audit`);
    await admin.getByLabel(/^User/).fill('LIC');
    await until('only alice', async () => {
      const users = await admin.locator('tbody tr td:nth-child(2)').allTextContents();
      return users.length > 0 && users.every((u) => u === 'alice');
    });
    await admin.getByLabel('Action').selectOption({ label: 'checked in' });
    await admin.getByRole('cell', { name: 'checked in', exact: true }).first().waitFor();
    await until('only check-ins', async () => {
      const actions = await admin.locator('tbody tr td:nth-child(3)').allTextContents();
      return actions.length > 0 && actions.every((a) => a === 'checked in');
    });
    await admin.context().close();
  });

  it('account: password change ends the other sessions; tokens are created once and revoked', async () => {
    await server.createUser('carol', 'user');
    const laptop = await newPage();
    await login(laptop, 'carol', USER_PASSWORD);
    const phone = await phonePage();
    await login(phone, 'carol', USER_PASSWORD);

    await laptop.goto(`${server.url}/account`);
    await laptop.getByRole('link', { name: 'HTTP API documentation' }).waitFor();
    await laptop.getByLabel('Token name').fill('post-processor');
    await laptop.getByRole('button', { name: 'Create token' }).click();
    const token = (await laptop.getByTestId('new-token').textContent())!;
    const asBearer = () => fetch(`${server.url}${api.me}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await asBearer()).toBe(200);
    await laptop
      .getByTestId('token-post-processor')
      .getByText(/last used/)
      .waitFor();
    await shoot(laptop, 'account');
    await laptop.getByRole('button', { name: 'Revoke token post-processor' }).click();
    await laptop.getByTestId('token-post-processor').waitFor({ state: 'detached' });
    expect(await asBearer()).toBe(401);

    await laptop.getByLabel('Current password').fill(USER_PASSWORD);
    await laptop.getByLabel(/^New password/).fill('carols-new-pass-1');
    await laptop.getByLabel('Repeat new password').fill('carols-new-pass-1');
    await laptop.getByRole('button', { name: 'Change password' }).click();
    await laptop.getByText('Password changed').waitFor();
    await phone.reload();
    await phone.getByRole('heading', { name: 'Sign in' }).waitFor();
    await laptop.reload();
    await laptop.getByRole('heading', { name: 'Your account' }).waitFor();
    await login(phone, 'carol', 'carols-new-pass-1');
  }, 180_000);

  it('bad input: the server’s error stands next to its field, and nothing typed is lost', async () => {
    // Upload into a folder the vault refuses: said once, under Folder; the file stays queued.
    await alice.setViewportSize({ width: 1280, height: 800 });
    await openProject(alice);
    await alice.getByRole('button', { name: 'Upload files' }).click();
    const up = alice.getByRole('dialog', { name: 'Upload new files' });
    await up.locator('input[type=file]').setInputFiles([{ name: '5550001_op1.nc', mimeType: 'text/plain', buffer: Buffer.from('G0\n') }]);
    await up.getByLabel('Folder').fill('jobs/../secret');
    await up.getByRole('button', { name: /Upload 1 file/ }).click();
    await up
      .getByTestId('upload-folder-error')
      .getByText(/"\.\."/)
      .waitFor();
    expect(await up.getByLabel('Folder').getAttribute('aria-invalid')).toBe('true');
    expect(await up.getByLabel('Folder').inputValue()).toBe('jobs/../secret');
    await up.getByRole('button', { name: 'Close', exact: true }).click();

    // Account: a wrong current password is said under that field; the new ones stay typed.
    await alice.goto(`${server.url}/account`);
    await alice.getByLabel('Current password').fill('not-my-password');
    await alice.getByLabel(/^New password/).fill('alices-new-pass-1');
    await alice.getByLabel('Repeat new password').fill('alices-new-pass-1');
    await alice.getByRole('button', { name: 'Change password' }).click();
    await alice.getByTestId('current-password-error').getByText('The current password is wrong').waitFor();
    expect(await alice.getByLabel(/^New password/).inputValue()).toBe('alices-new-pass-1');
    await shoot(alice, 'account-field-error');

    // Admin: a taken username is said under Username; the rest of the form stays.
    const admin = await newPage();
    await login(admin, 'admin', ADMIN_PASSWORD);
    await admin.goto(`${server.url}/admin/users`);
    await admin.getByLabel('Username').fill('alice');
    await admin.getByLabel(/^Password/).fill('another-pass-1');
    await admin.getByLabel('Role', { exact: true }).selectOption('viewer');
    await admin.getByRole('button', { name: 'Create user' }).click();
    await admin.getByTestId('new-username-error').getByText('User "alice" already exists').waitFor();
    expect(await admin.getByLabel(/^Password/).inputValue()).toBe('another-pass-1');
    expect(await admin.getByLabel('Role', { exact: true }).inputValue()).toBe('viewer');
    await expectAccessible(admin, 'create user with a field error');
  });

  it('works on a 390 px phone: no sideways scroll, full names, a header menu, dialogs that fit', async () => {
    const phone = await phonePage();
    await login(phone, 'bob', USER_PASSWORD);
    await expectNoSideScroll(phone, 390, 'projects');
    await shoot(phone, 'phone-projects');
    await openProject(phone);
    const LONG = '1234567_op3_finishing_contour_with_a_long_name.mcam';
    const bobs = await server.login('bob');
    expect((await bobs.upload(PROJECT, LONG, 'G0 X0\n')).status).toBe(201);
    const name = row(phone, LONG).getByText(LONG, { exact: true });
    await name.waitFor();
    // The whole name is on screen (wrapped, never cut), inside the viewport.
    const box = (await name.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await expectNoSideScroll(phone, 390, 'file browser');
    await shoot(phone, 'phone-file-browser');

    await row(phone, PROGRAM)
      .getByRole('button', { name: /^Check out/ })
      .tap();
    const dialog = phone.getByRole('dialog', { name: 'Check out file' });
    await dialog.waitFor();
    await expectNoSideScroll(phone, 390, 'check-out dialog');
    const dbox = (await dialog.boundingBox())!;
    expect(dbox.x).toBeGreaterThanOrEqual(0);
    expect(dbox.x + dbox.width).toBeLessThanOrEqual(390);
    await shoot(phone, 'phone-checkout-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).tap();

    await phone.getByRole('button', { name: 'Menu' }).tap();
    await phone.getByRole('menuitem', { name: 'Dashboard' }).tap();
    await phone.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await expectNoSideScroll(phone, 390, 'dashboard');
    await shoot(phone, 'phone-dashboard');
    await phone.getByRole('button', { name: 'Menu' }).tap();
    await phone.getByRole('menuitem', { name: 'Sign out' }).tap();

    await login(phone, 'admin', ADMIN_PASSWORD);
    for (const tab of ['users', 'audit'] as const) {
      await phone.goto(`${server.url}/admin/${tab}`);
      await phone.getByRole('heading', { name: 'Administration' }).waitFor();
      await expectNoSideScroll(phone, 390, `admin ${tab}`);
      await expectFitsWidth(phone.getByRole('region', { name: REGION[tab] }), `phone admin ${tab}`);
      await shoot(phone, `phone-admin-${tab}`);
    }
  }, 180_000);

  it('works on a 768 px tablet: no sideways scroll, full names, actions in reach, dialogs that fit', async () => {
    const tablet = await tabletPage();
    await login(tablet, 'bob', USER_PASSWORD);
    await openProject(tablet);
    const LONG = '1234567_op3_finishing_contour_with_a_long_name.mcam';
    const name = row(tablet, LONG).getByText(LONG, { exact: true });
    await name.waitFor();
    expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth && el.textContent.endsWith('.mcam'))).toBe(true);
    await expectNoSideScroll(tablet, 768, 'tablet file browser');
    const checkout = row(tablet, PROGRAM).getByRole('button', { name: /^Check out/ });
    const cbox = (await checkout.boundingBox())!;
    expect(cbox.x + cbox.width).toBeLessThanOrEqual(768);
    await shoot(tablet, 'tablet-file-browser');
    // With the detail panel open the name still ends in its extension and nothing scrolls sideways.
    await row(tablet, LONG)
      .getByRole('button', { name: `Show details of ${LONG}` })
      .tap();
    await tablet.getByTestId('file-detail').waitFor();
    expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth && el.textContent.endsWith('.mcam'))).toBe(true);
    await expectNoSideScroll(tablet, 768, 'tablet file browser with details');
    await tablet.getByRole('button', { name: 'Close details' }).tap();

    await checkout.tap();
    const dialog = tablet.getByRole('dialog', { name: 'Check out file' });
    await dialog.waitFor();
    const dbox = (await dialog.boundingBox())!;
    expect(dbox.x).toBeGreaterThanOrEqual(0);
    expect(dbox.x + dbox.width).toBeLessThanOrEqual(768);
    await expectNoSideScroll(tablet, 768, 'tablet check-out dialog');
    await shoot(tablet, 'tablet-checkout-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).tap();

    await tablet.goto(`${server.url}/dashboard`);
    await tablet.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await expectNoSideScroll(tablet, 768, 'tablet dashboard');
    await shoot(tablet, 'tablet-dashboard');

    const admin = await tabletPage();
    await login(admin, 'admin', ADMIN_PASSWORD);
    for (const tab of ['users', 'audit'] as const) {
      await admin.goto(`${server.url}/admin/${tab}`);
      await admin.getByRole('heading', { name: 'Administration' }).waitFor();
      await expectNoSideScroll(admin, 768, `tablet admin ${tab}`);
      await expectFitsWidth(admin.getByRole('region', { name: REGION[tab] }), `tablet admin ${tab}`);
      await shoot(admin, `tablet-admin-${tab}`);
    }
  }, 180_000);

  it('at 1280 px the lock text stays in its column and names keep their extension with the panel open', async () => {
    await alice.setViewportSize({ width: 1280, height: 800 });
    const alices = await server.login('alice');
    const message = 'a long note: new fixture plate for the second setup, waiting for the vise jaws from the tool room';
    expect((await alices.checkout(PROJECT, '1234999_op2.nc', message)).status).toBe(200);
    const r = row(bob, '1234999_op2.nc');
    await r.getByText(/Locked by alice/).waitFor();
    const status = await r.getByRole('cell').nth(2).boundingBox();
    const badge = await r.getByText(/Locked by alice/).boundingBox();
    expect(badge!.x + badge!.width).toBeLessThanOrEqual(status!.x + status!.width + 1);
    // Every row lines up column by column, whatever buttons it holds (a locked row has none).
    const lefts = await bob
      .locator('[data-testid^="file-row-"]')
      .evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll(':scope > [role=cell]')].map((c) => Math.round(c.getBoundingClientRect().left))),
      );
    expect(lefts.length).toBeGreaterThan(3);
    for (const l of lefts) expect(l).toEqual(lefts[0]);
    await shoot(bob, 'file-browser-aligned');
    await r.getByRole('button', { name: 'Show details of 1234999_op2.nc' }).click();
    await bob.getByTestId('file-detail').waitFor();
    const LONG = '1234567_op3_finishing_contour_with_a_long_name.mcam';
    const name = row(bob, LONG).getByText(LONG, { exact: true });
    expect(await name.evaluate((el) => el.scrollWidth <= el.clientWidth && el.textContent.endsWith('.mcam'))).toBe(true);
    await bob.getByRole('button', { name: 'Close details' }).click();
    expect((await alices.post(api.fileAction(PROJECT, '1234999_op2.nc', 'cancel'))).status).toBe(200);
  });
});
