/**
 * End-to-end, release lifecycle (SPEC "Release lifecycle", "Web app"): maria requests release,
 * quinn (approver) finds it on his dashboard and signs with his password, tom's open page follows
 * live, and the shop-floor viewer keeps getting the released revision while maria works on the next.
 */
import fs from 'node:fs';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type FileInfo, type User } from '@lockstep/protocol';
import { ADMIN_PASSWORD, USER_PASSWORD, type Client, type TestServer } from '../packages/server/test/harness.js';
import {
  expectNoSideScroll,
  login,
  newPage,
  openProject,
  phonePage,
  revisionOf,
  row,
  shoot,
  startE2E,
  stopE2E,
  waitLive,
} from './harness.js';

const PROJECT = 'cell-7';
const PROGRAM = '1234567_op1.nc';
const SECOND = '1234999_op2.nc';
const SHEET = 'setup-sheet.pdf';
const REV_A = Buffer.from('O1001 (BRACKET OP1)\nG90 G54\nT1 M6\nS8000 M3\n(rev A: proven on machine 3)\nM30\n');
const REV_B = Buffer.from('O1001 (BRACKET OP1)\nG90 G54\nT1 M6\nS9000 M3\n(rev B: faster, not proven yet)\nM30\n');
const QUINN_PASSWORD = 'quinn-signs-1';

let server: TestServer;
let maria: Client;

const stateOf = (page: Page, path: string) => row(page, path).getByTestId('state-badge');
const bellCount = (page: Page) => page.getByTestId('notification-bell').getByTestId('unread-count');
async function userNamed(name: string): Promise<User | undefined> {
  const body = (await server.admin.get<User[] | { items: User[] }>(api.users)).body;
  return (Array.isArray(body) ? body : body.items).find((u) => u.username === name);
}
const bytesOf = async (d: Download) => fs.readFileSync(await d.path());

describe('release lifecycle in the web app', { timeout: 90_000 }, () => {
  let admin: Page;
  let mariaPage: Page;
  let quinn: Page;
  let tom: Page;
  let reloaded = false;

  beforeAll(async () => {
    server = await startE2E();
    maria = await server.createUser('maria', 'user');
    await server.createUser('tom', 'user');
    await server.createUser('floor', 'viewer');
    await server.createProject(PROJECT, PROJECT);
    for (const [name, content] of [
      [PROGRAM, REV_A],
      [SECOND, Buffer.from('O1002\nG0 X0\nM30\n')],
      [SHEET, Buffer.from('%PDF-1.4 setup sheet\n')],
    ] as const) {
      const res = await maria.upload(PROJECT, name, content);
      expect(res.status, res.text).toBe(201);
    }
  }, 120_000);

  afterAll(stopE2E);

  it('admin: creates an approver with an email, sets an email, asks two approvals per release', async () => {
    admin = await newPage();
    await login(admin, 'admin', ADMIN_PASSWORD);
    await admin.goto(`${server.url}/admin/users`);
    const create = admin.locator('form[aria-labelledby="create-user-title"]');
    await create.getByLabel('Username').fill('quinn');
    await create.getByLabel(/^Password/).fill(QUINN_PASSWORD);
    await create.getByLabel(/^Email/).fill('quinn@shop.example');
    await create.getByLabel(/May approve releases/).check();
    await create.getByRole('button', { name: 'Create user' }).click();
    await admin.getByTestId('user-row-quinn').waitFor();
    expect(await admin.getByLabel('quinn may approve releases').isChecked()).toBe(true);
    expect(await admin.getByLabel('tom may approve releases').isChecked()).toBe(false);
    const quinnUser = await userNamed('quinn');
    expect(quinnUser).toMatchObject({ approver: true, email: 'quinn@shop.example', role: 'user' });

    await admin.getByLabel('Email of tom').fill('tom@shop.example');
    await Promise.all([
      admin.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/users/') && r.status() === 200),
      admin.getByRole('button', { name: 'Save email of tom' }).click(),
    ]);
    expect((await userNamed('tom'))?.email).toBe('tom@shop.example');

    await admin.goto(`${server.url}/admin/projects`);
    await Promise.all([
      admin.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(api.project(PROJECT)) && r.status() === 200),
      admin.getByTestId(`project-settings-${PROJECT}`).getByLabel('Approvals required').selectOption('2'),
    ]);
    const project = await server.admin.get<{ approvalsRequired: number }>(api.project(PROJECT));
    expect(project.body.approvalsRequired).toBe(2);
    await shoot(admin, 'release-admin-projects');
  });

  it('maria sets her own email on the account page', async () => {
    mariaPage = await newPage();
    await login(mariaPage, 'maria', USER_PASSWORD);
    await mariaPage.goto(`${server.url}/account`);
    await mariaPage.getByLabel('Your email').fill('maria@shop.example');
    await Promise.all([
      mariaPage.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(api.me) && r.status() === 200),
      mariaPage.getByRole('button', { name: 'Save email' }).click(),
    ]);
    expect((await userNamed('maria'))?.email).toBe('maria@shop.example');
  });

  it('an address the server refuses is said under its field and tied to it: account page and users table', async () => {
    // Whatever the browser's address check lets through the server takes: stand in its refusal of another.
    const tomId = (await userNamed('tom'))!.id;
    const refusals = {
      [api.me]: await maria.request('PATCH', api.me, { email: 'no at sign' }),
      [api.user(tomId)]: await server.admin.request('PATCH', api.user(tomId), { email: 'no at sign' }),
    };
    for (const r of Object.values(refusals))
      expect([r.status, r.body.error.message]).toEqual([400, expect.stringMatching(/^body\/email /)]);
    const refuse = (page: Page) =>
      page.route(
        (url) => url.pathname in refusals,
        (route, request) =>
          request.method() === 'PATCH'
            ? route.fulfill({
                status: 400,
                contentType: 'application/json',
                body: JSON.stringify(refusals[new URL(request.url()).pathname]!.body),
              })
            : route.fallback(),
      );
    const expectRefused = async (page: Page, label: string, id: string, typed: string) => {
      await page.getByTestId(`${id}-error`).getByText('Contains characters that are not allowed here.').waitFor();
      const input = page.getByLabel(label, { exact: true });
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      expect(await input.getAttribute('aria-describedby')).toBe(`${id}-error`);
      expect(await input.inputValue()).toBe(typed);
    };

    await mariaPage.goto(`${server.url}/account`);
    await refuse(mariaPage);
    await mariaPage.getByLabel('Your email').fill('maria@floor.example');
    await mariaPage.getByRole('button', { name: 'Save email' }).click();
    await expectRefused(mariaPage, 'Your email', 'my-email', 'maria@floor.example');
    await mariaPage.unrouteAll();

    await admin.goto(`${server.url}/admin/users`);
    await refuse(admin);
    await admin.getByLabel('Email of tom').fill('tom@floor.example');
    await admin.getByRole('button', { name: 'Save email of tom' }).click();
    await expectRefused(admin, 'Email of tom', `email-${tomId}`, 'tom@floor.example');
    expect(await admin.getByTestId('user-row-tom').getByRole('alert').count()).toBe(1); // under the field, not again by the name
    await admin.unrouteAll();
    expect((await userNamed('maria'))?.email).toBe('maria@shop.example');
    expect((await userNamed('tom'))?.email).toBe('tom@shop.example');
  });

  it('maria requests release: tom sees "In review" live, quinn finds it on his dashboard and his bell', async () => {
    tom = await newPage();
    await login(tom, 'tom', USER_PASSWORD);
    await openProject(tom, PROJECT);
    await waitLive(tom);
    expect(await stateOf(tom, PROGRAM).textContent()).toBe('WIP');
    // A full page load, not the URL changes of the page itself (filters, the open file).
    tom.on('load', () => (reloaded = true));

    quinn = await newPage();
    await login(quinn, 'quinn', QUINN_PASSWORD);
    await quinn.goto(`${server.url}/dashboard`);
    await waitLive(quinn);
    const waiting = quinn.getByRole('region', { name: 'Waiting for my approval' });
    await waiting.getByText('Nothing waits for your approval.').waitFor();

    await openProject(mariaPage, PROJECT);
    await waitLive(mariaPage);
    await row(mariaPage, PROGRAM)
      .getByRole('button', { name: `Show details of ${PROGRAM}` })
      .click();
    const detail = mariaPage.getByTestId('file-detail');
    await detail.getByRole('button', { name: `Request release ${PROGRAM}` }).click();
    const dialog = mariaPage.getByRole('dialog', { name: 'Request release' });
    await dialog.getByText(/2 approvals are needed/).waitFor();
    await dialog.getByLabel(/Comment/).fill('dry run on machine 3, first part measured OK');
    await Promise.all([
      mariaPage.waitForResponse((r) => r.url().endsWith('/release-request') && r.status() === 200),
      dialog.getByRole('button', { name: 'Request release', exact: true }).click(),
    ]);
    await dialog.waitFor({ state: 'detached' });

    await stateOf(tom, PROGRAM).getByText('In review 0/2').waitFor();
    await tom.getByTestId('toasts').getByText(`maria requested release of ${PROGRAM} (rev A)`).waitFor();
    // In review: nobody checks it out, and the detail panel says why.
    expect(
      await row(tom, PROGRAM)
        .getByRole('button', { name: /^Check out/ })
        .count(),
    ).toBe(0);
    await detail.getByText(/^In review: it can be checked out once/).waitFor();
    await detail.getByTestId('review-summary').getByText('dry run on machine 3, first part measured OK', { exact: false }).waitFor();

    const item = quinn.getByTestId(`review-${PROJECT}/${PROGRAM}`);
    await item.getByText(/maria · rev A/).waitFor();
    await bellCount(quinn).filter({ hasText: /^1$/ }).waitFor();
    await shoot(tom, 'release-in-review');
    await shoot(quinn, 'release-dashboard');
  });

  it('admin signs first (1/2); quinn approves on his dashboard with his password, a wrong one first: released live', async () => {
    const first = await server.admin.post(`${api.file(PROJECT, PROGRAM)}/approve`, {
      comment: 'setup sheet checked',
      password: ADMIN_PASSWORD,
    });
    expect(first.status, first.text).toBe(200);
    await stateOf(tom, PROGRAM).getByText('In review 1/2').waitFor();
    await tom.getByTestId('toasts').getByText(`admin approved ${PROGRAM} (1/2)`).waitFor();

    const item = quinn.getByTestId(`review-${PROJECT}/${PROGRAM}`);
    await item.getByRole('button', { name: `Approve ${PROGRAM}` }).click();
    const dialog = quinn.getByRole('dialog', { name: 'Approve release' });
    await dialog.getByTestId('review-count').getByText('Approvals 1 of 2').waitFor();
    await dialog.getByText('Your password is your electronic signature', { exact: false }).waitFor();
    await dialog.getByLabel(/Comment/).fill('tool list and offsets match the setup sheet');
    await dialog.getByLabel(/^Password/).fill('not-my-password');
    await shoot(quinn, 'release-approve-dialog');
    await Promise.all([
      quinn.waitForResponse((r) => r.url().endsWith('/approve') && r.status() === 403),
      dialog.getByRole('button', { name: 'Approve and sign' }).click(),
    ]);
    await dialog
      .getByRole('alert')
      .filter({ hasText: /password/i })
      .waitFor();
    expect(await dialog.getByLabel(/^Password/).inputValue()).toBe('');
    expect(await stateOf(tom, PROGRAM).textContent()).toBe('In review 1/2');

    await dialog.getByLabel(/^Password/).fill(QUINN_PASSWORD);
    await Promise.all([
      quinn.waitForResponse((r) => r.url().endsWith('/approve') && r.status() === 200),
      dialog.getByRole('button', { name: 'Approve and sign' }).click(),
    ]);
    await dialog.waitFor({ state: 'detached' });
    await item.waitFor({ state: 'detached' });

    await stateOf(tom, PROGRAM).getByText('Released A').waitFor();
    await tom.getByTestId('toasts').getByText(`quinn approved ${PROGRAM}: released as rev A`).waitFor();
    expect(reloaded).toBe(false);
    const file = (await maria.get<FileInfo>(api.file(PROJECT, PROGRAM))).body;
    expect(file).toMatchObject({ state: 'released', releasedRevision: 'A', review: null });
  });

  it('maria’s bell counts what happened; a notification opens the file; all are marked read', async () => {
    await bellCount(mariaPage).waitFor();
    expect(Number(await bellCount(mariaPage).textContent())).toBeGreaterThanOrEqual(1);
    await mariaPage.goto(`${server.url}/dashboard`);
    await mariaPage.getByTestId('notification-bell').click();
    const panel = mariaPage.getByTestId('notification-panel');
    const newest = panel.getByRole('listitem').first();
    expect(await newest.getAttribute('data-read')).toBe('false');
    await newest.getByText(PROGRAM, { exact: false }).waitFor();
    await shoot(mariaPage, 'release-notifications');
    await panel.getByRole('button', { name: 'Mark all read' }).click();
    await bellCount(mariaPage).waitFor({ state: 'detached' });
    await panel.locator('li[data-read="false"]').waitFor({ state: 'detached' });
    await newest.getByRole('button').click();
    await mariaPage.waitForURL((u) => u.searchParams.get('file') === PROGRAM);
    await mariaPage.getByTestId('file-detail').getByRole('heading', { name: PROGRAM }).waitFor();
    await mariaPage.getByRole('button', { name: 'Close details' }).click();
  });

  it('filters the listing by state, kept in the URL', async () => {
    await tom.getByLabel('State').selectOption('released');
    await tom.waitForURL(/state=released/);
    await row(tom, SHEET).waitFor({ state: 'detached' });
    await row(tom, PROGRAM).waitFor();
    await tom.reload();
    reloaded = false; // the reload asked for here; none may follow
    await row(tom, PROGRAM).waitFor();
    expect(await row(tom, SECOND).count()).toBe(0);
    expect(await tom.getByLabel('State').inputValue()).toBe('released');
    await tom.getByLabel('State').selectOption('wip');
    await row(tom, SHEET).waitFor();
    await row(tom, PROGRAM).waitFor({ state: 'detached' });
    await tom.getByLabel('State').selectOption('');
    await row(tom, PROGRAM).waitFor();
    await waitLive(tom);
  });

  it('maria checks out the released file (revision A stays released); tom joins the lock queue', async () => {
    await row(mariaPage, PROGRAM)
      .getByRole('button', { name: /^Check out/ })
      .click();
    const co = mariaPage.getByRole('dialog', { name: 'Check out file' });
    await co.getByText('Revision A stays released for production until the next one is approved.', { exact: false }).waitFor();
    await co.getByLabel(/Message/).fill('faster finishing');
    await co.getByRole('button', { name: 'Check out', exact: true }).click();
    await mariaPage.getByRole('dialog', { name: 'Checked out' }).getByRole('button', { name: 'Close', exact: true }).click();

    await row(tom, PROGRAM)
      .getByText(/Locked by maria/)
      .waitFor();
    await stateOf(tom, PROGRAM).getByText('Released A').waitFor();
    await row(tom, PROGRAM)
      .getByRole('button', { name: `Notify me when ${PROGRAM} is available` })
      .click();
    const place = row(tom, PROGRAM).getByRole('button', { name: `Stop waiting for ${PROGRAM} (you are 1 of 1 in line)` });
    await place.waitFor();
    expect(await place.textContent()).toBe('#1 in line');
    expect(await place.getAttribute('aria-pressed')).toBe('true');
    // maria sees who waits for her file.
    await row(mariaPage, PROGRAM)
      .getByRole('button', { name: `Show details of ${PROGRAM}` })
      .click();
    await mariaPage.getByTestId('lock-queue').getByText('1. tom').waitFor();
    await mariaPage.getByRole('button', { name: 'Close details' }).click();
  });

  it('maria checks in B: the floor still downloads A by default, others get B or ask for A; tom is told it is free', async () => {
    const floor = await phonePage();
    await login(floor, 'floor', USER_PASSWORD);
    await openProject(floor, PROJECT);
    await waitLive(floor);
    await row(floor, PROGRAM).waitFor();

    const checkin = await maria.checkin(PROJECT, PROGRAM, REV_B, { message: 'S9000 finishing' });
    expect(checkin.status, checkin.text).toBe(200);
    await revisionOf(row(tom, PROGRAM)).getByText('B', { exact: true }).waitFor();
    await stateOf(tom, PROGRAM).getByText('WIP — released: A').waitFor();
    await stateOf(floor, PROGRAM).getByText('WIP — released: A').waitFor();
    expect(reloaded).toBe(false);

    const [forFloor] = await Promise.all([
      floor.waitForEvent('download'),
      row(floor, PROGRAM)
        .getByRole('link', { name: `Download ${PROGRAM} (released revision A)` })
        .tap(),
    ]);
    expect(Buffer.compare(await bytesOf(forFloor), REV_A)).toBe(0);
    expect(await row(floor, SHEET).getByText('Not released').count()).toBe(1);
    await expectNoSideScroll(floor, 390, 'the floor’s file browser');
    await shoot(floor, 'release-phone-floor');

    const [latest] = await Promise.all([
      tom.waitForEvent('download'),
      row(tom, PROGRAM)
        .getByRole('link', { name: `Download ${PROGRAM} (revision B)` })
        .click(),
    ]);
    expect(Buffer.compare(await bytesOf(latest), REV_B)).toBe(0);
    await row(tom, PROGRAM)
      .getByRole('button', { name: `Show details of ${PROGRAM}` })
      .click();
    const [released] = await Promise.all([
      tom.waitForEvent('download'),
      tom
        .getByTestId('file-detail')
        .getByRole('link', { name: `Download ${PROGRAM} (released revision A)` })
        .click(),
    ]);
    expect(Buffer.compare(await bytesOf(released), REV_A)).toBe(0);
    await tom.getByRole('button', { name: 'Close details' }).click();

    // First in line: tom's bell says the file is free (and a banner, since it asks for action).
    await bellCount(tom).filter({ hasText: /^1$/ }).waitFor();
    await tom.getByTestId('notice').filter({ hasText: PROGRAM }).waitFor();
  });

  it('at 390 px the lifecycle dialogs and badges fit the phone', async () => {
    const phone = await phonePage();
    await login(phone, 'maria', USER_PASSWORD);
    await openProject(phone, PROJECT);
    await row(phone, SECOND)
      .getByRole('button', { name: `Show details of ${SECOND}` })
      .tap();
    await phone
      .getByTestId('file-detail')
      .getByRole('button', { name: `Request release ${SECOND}` })
      .tap();
    const dialog = phone.getByRole('dialog', { name: 'Request release' });
    await dialog.getByLabel(/Comment/).fill('first article OK');
    await expectNoSideScroll(phone, 390, 'request-release dialog');
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await shoot(phone, 'release-phone-request');
    await dialog.getByRole('button', { name: 'Request release', exact: true }).tap();
    await dialog.waitFor({ state: 'detached' });
    await phone.getByTestId('file-detail').getByRole('button', { name: 'Close details' }).tap();
    await stateOf(phone, SECOND).getByText('In review 0/2').waitFor();
    await expectNoSideScroll(phone, 390, 'file browser with state badges');

    const approver = await phonePage();
    await login(approver, 'quinn', QUINN_PASSWORD);
    await approver.getByRole('button', { name: 'Menu' }).tap();
    await approver.getByRole('menuitem', { name: 'Dashboard' }).tap();
    await approver
      .getByTestId(`review-${PROJECT}/${SECOND}`)
      .getByRole('button', { name: `Approve ${SECOND}` })
      .tap();
    const approve = approver.getByRole('dialog', { name: 'Approve release' });
    await approve.getByTestId('review-summary').waitFor();
    await expectNoSideScroll(approver, 390, 'approve dialog');
    await shoot(approver, 'release-phone-approve');
    await approve.getByRole('button', { name: 'Cancel' }).tap();
    await expectNoSideScroll(approver, 390, 'dashboard with the review card');
    // The inbox is in the phone menu too.
    await approver.getByRole('button', { name: 'Menu' }).tap();
    await approver.getByRole('menuitem', { name: /Notifications/ }).tap();
    await approver.getByRole('heading', { name: 'Notifications' }).waitFor();
    await expectNoSideScroll(approver, 390, 'notifications page');
  }, 120_000);
});
