import { api, type NotificationList } from '@lockstep/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { notify } from '../../src/services/notifications.js';
import { startServer, until, type Client, type TestServer } from '../harness.js';
import { freePort } from '../instances.js';
import { TestClient, withTimeout } from '../realtime/realtime-harness.js';
import { SMTP_USER, startSmtp, type TestSmtp } from './smtp.js';

const P = 'shop';

async function setup(server: TestServer) {
  await server.createProject(P);
  const bob = await server.createUser('bob', 'user');
  const carol = await server.createUser('carol', 'user');
  expect((await bob.request('PATCH', api.me, { email: 'bob@example.com' })).status).toBe(200);
  return { bob, carol };
}

/** `holder` checks out a new file, the admin overrides: a lock_overridden notification for the holder. */
async function override(server: TestServer, holder: Client, path: string) {
  expect((await server.admin.upload(P, path.split('/').pop()!, 'G0\n', { path })).status).toBe(201);
  expect((await holder.checkout(P, path)).status).toBe(200);
  const res = await server.admin.post(api.fileAction(P, path, 'override'), { reason: 'spindle crash' });
  expect(res.status, res.text).toBe(200);
}

describe('notification mail through a real SMTP server', () => {
  let smtp: TestSmtp;
  let server: TestServer;
  let bob: Client;
  let carol: Client;

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startServer({
      env: {
        LOCKSTEP_SMTP_URL: smtp.url,
        LOCKSTEP_SMTP_FROM: 'Lockstep PDM <pdm@shop.example.com>',
        LOCKSTEP_PUBLIC_URL: 'https://pdm.shop.example.com/',
      },
    });
    ({ bob, carol } = await setup(server));
  });
  afterAll(async () => {
    await (server as TestServer | undefined)?.close();
    await (smtp as TestSmtp | undefined)?.close();
  });

  it('mails a notification to the user, with subject, project, file and a link', async () => {
    const path = 'mill/1234567_op1.nc';
    await override(server, bob, path);
    const mail = await until('the mail', () => smtp.mails.find((m) => m.text.includes(path)));
    expect(mail.rcptTo).toEqual(['bob@example.com']);
    expect(mail.to).toBe('bob@example.com');
    expect(mail.user).toBe(SMTP_USER);
    expect(mail.from).toBe('"Lockstep PDM" <pdm@shop.example.com>');
    expect(mail.subject).toBe(`Lockstep: Your lock on ${path} was overridden by admin: spindle crash`);
    expect(mail.text).toContain(`Project: ${P}`);
    expect(mail.text).toContain(`File:    ${path}`);
    expect(mail.text).toContain(`Open: https://pdm.shop.example.com/projects/${P}?q=${encodeURIComponent(path)}`);
  });

  it('sends nothing to users without an address', async () => {
    const before = smtp.mails.length;
    await override(server, carol, '2222222_op1.nc');
    // One batch, the address-less user first: once bob's mail is in, carol's would have been too.
    const s = server.app.services;
    const draft = { kind: 'file_available' as const, actor: 'admin', project: P, path: '2222222_op1.nc', message: 'batch' };
    await notify(s, [
      { ...draft, to: 'carol' },
      { ...draft, to: 'bob' },
    ]);
    await until('bob’s mail of the batch', () => smtp.mails.some((m) => m.subject === 'Lockstep: batch'));
    expect(smtp.mails.slice(before).map((m) => [m.rcptTo, m.subject])).toEqual([[['bob@example.com'], 'Lockstep: batch']]);
    // Carol's notifications are stored all the same.
    const carols = (await carol.get<NotificationList>(api.notifications())).body.items;
    expect(carols.map((n) => n.kind)).toEqual(['file_available', 'lock_overridden']);
  });
});

describe('when mail fails', () => {
  it('a dead SMTP server or refused credentials never fail the change; the notice is stored and live', async () => {
    const smtp = await startSmtp();
    const dead = `smtp://127.0.0.1:${await freePort()}`;
    for (const url of [dead, smtp.url.replace('mail-secret', 'wrong-password')]) {
      const server = await startServer({ env: { LOCKSTEP_SMTP_URL: url } });
      try {
        const { bob } = await setup(server);
        const ws = new TestClient(`${server.url.replace('http', 'ws')}/ws`, { cookie: bob.cookie });
        await withTimeout(ws.opened, 5000, 'socket open');
        await ws.next('connection.established', () => true, 5000);
        await override(server, bob, '1234567_op1.nc');
        const notice = await ws.next('notice', () => true, 5000);
        expect(notice.data).toMatchObject({ kind: 'lock_overridden', path: '1234567_op1.nc' });
        const stored = (await bob.get<NotificationList>(api.notifications())).body;
        expect(stored.items.map((n) => n.id)).toEqual([notice.data.id]);
        // The server goes on serving changes.
        expect((await bob.checkout(P, '1234567_op1.nc')).status).toBe(200);
        ws.ws.close();
      } finally {
        await server.close();
      }
    }
    expect(smtp.mails).toEqual([]);
    await smtp.close();
  });
});

describe('mail configuration', () => {
  it('accepts smtp:// and smtps:// URLs and a sender; refuses anything else at start', () => {
    const ok = loadConfig({
      LOCKSTEP_SMTP_URL: 'smtps://u:p@mail.example.com:465',
      LOCKSTEP_SMTP_FROM: 'pdm@example.com',
      LOCKSTEP_PUBLIC_URL: 'https://pdm.example.com/',
      LOCKSTEP_QUEUE_TURN_MINUTES: '2.5',
      LOCKSTEP_QUEUE_CHECK_MS: '1000',
    });
    expect([ok.smtpUrl, ok.smtpFrom, ok.publicUrl, ok.queueTurnMs, ok.queueCheckMs]).toEqual([
      'smtps://u:p@mail.example.com:465',
      'pdm@example.com',
      'https://pdm.example.com',
      150_000,
      1000,
    ]);
    const defaults = loadConfig({});
    expect([defaults.smtpUrl, defaults.smtpFrom, defaults.publicUrl, defaults.queueTurnMs, defaults.queueCheckMs]).toEqual([
      null,
      'Lockstep <lockstep@localhost>',
      null,
      15 * 60_000,
      30_000,
    ]);
    for (const env of [
      { LOCKSTEP_SMTP_URL: 'http://mail.example.com' },
      { LOCKSTEP_SMTP_URL: 'mail.example.com:25' },
      { LOCKSTEP_SMTP_FROM: 'not an address' },
      { LOCKSTEP_PUBLIC_URL: 'ftp://pdm.example.com' },
      { LOCKSTEP_QUEUE_TURN_MINUTES: '0' },
      { LOCKSTEP_QUEUE_TURN_MINUTES: 'soon' },
      { LOCKSTEP_QUEUE_CHECK_MS: '-1' },
    ])
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(/LOCKSTEP_/);
  });
});
