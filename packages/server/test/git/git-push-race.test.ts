// A push racing an admin override of the pusher's lock (on the other instance when scaled out):
// the client is told "ok" only for a push that landed (git main, index, history, one event), and a
// push it is told failed left nothing behind. Offsets are spread over a measured push.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { frameText } from '../../src/realtime/client-messages.js';
import { ADMIN_PASSWORD, loginAs, until, USER_PASSWORD, type Client, type TestServer } from '../harness.js';
import { startInstance, type Instance } from '../instances.js';
import { createTestDatabase, type TestDatabase } from '../scaleout/pg.js';
import { GitUser, tokenFor } from './git-cli.js';

const P = 'race';
const FILE = '1234567_op1.mcam';
const ROUNDS = 12;

describe.each(['sqlite', 'postgres'] as const)('a push racing an override on %s', (store) => {
  let database: TestDatabase | null = null;
  let dataDir: string;
  const instances: Instance[] = [];
  let maria: Client;
  let admin: Client;
  let gMaria: GitUser;
  let work: string;

  const git = (...args: string[]) =>
    execFileSync('git', ['--git-dir', path.join(dataDir, 'repos', `${P}.git`), ...args], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .toString()
      .trim();
  const inMain = (sha: string) => {
    try {
      git('merge-base', '--is-ancestor', sha, 'main');
      return true;
    } catch {
      return false;
    }
  };
  /** file.checked_in events of FILE in the outbox, replayed from seq 0. */
  async function checkins(): Promise<Array<{ data: { revision: string } }>> {
    const socket = new WebSocket(`${instances[0]!.url.replace('http', 'ws')}${api.ws}`, { headers: { cookie: maria.cookie } });
    const messages: any[] = [];
    socket.on('message', (raw) => messages.push(JSON.parse(frameText(raw))));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ type: 'resume', project: P, after_seq: 0 }));
    await until('replay', () => messages.some((m) => m.type === 'subscribed'));
    socket.close();
    return messages.filter((m) => m.type === 'file.checked_in' && m.data.path === FILE);
  }
  /** A local commit of FILE on top of the server's main. */
  async function commitLocally(content: string): Promise<string> {
    await gMaria.ok(['fetch', '-q', 'origin'], { cwd: work });
    await gMaria.ok(['reset', '-q', '--hard', 'origin/main'], { cwd: work });
    fs.chmodSync(path.join(work, FILE), 0o644); // lockable files are read-only in a clone
    fs.writeFileSync(path.join(work, FILE), content);
    await gMaria.ok(['commit', '-qam', content], { cwd: work });
    return gMaria.ok(['rev-parse', 'HEAD'], { cwd: work }).then((s) => s.trim());
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `lockstep-push-race-${store}-`));
    if (store === 'postgres') {
      database = await createTestDatabase();
      for (let i = 0; i < 2; i++) instances.push(await startInstance({ dataDir, databaseUrl: database.url }));
    } else instances.push(await startInstance({ dataDir }));
    const first = await loginAs(instances[0]!.url, 'admin', ADMIN_PASSWORD);
    expect((await first.post(api.projects, { slug: P, name: 'Race' })).status).toBe(201);
    expect((await first.post(api.users, { username: 'maria', password: USER_PASSWORD, role: 'user' })).status).toBe(201);
    maria = await loginAs(instances[0]!.url, 'maria', USER_PASSWORD);
    // The override comes through the other instance when there is one.
    admin = await loginAs(instances[instances.length - 1]!.url, 'admin', ADMIN_PASSWORD);
    expect((await maria.upload(P, FILE, 'G0\n')).status).toBe(201);
    const server = { port: instances[0]!.port, url: instances[0]!.url } as unknown as TestServer;
    gMaria = new GitUser('maria', await tokenFor(maria), server);
    work = await gMaria.clone(P);
  }, 120_000);

  afterAll(async () => {
    gMaria.cleanup();
    await Promise.all(instances.map((i) => i.stop()));
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test(`never "ok" for a push that did not land, nor a failure for one that did (${ROUNDS} rounds at offsets across a push)`, async () => {
    // Calibration: unraced pushes, timed (the slower of two: the machine is shared).
    expect((await maria.checkout(P, FILE, 'calibration')).status).toBe(200);
    let span = 0;
    for (const n of [1, 2]) {
      await commitLocally(`calibration ${n}\n`);
      const started = Date.now();
      await gMaria.ok(['push', '-q', 'origin', 'main'], { cwd: work });
      span = Math.max(span, Date.now() - started);
    }
    let events = (await checkins()).length;
    expect(events).toBe(2);
    const outcomes: string[] = [];
    const spread = ROUNDS / 2;
    let refusedAt = 0;
    let landedAt = 1.6 * span;
    for (let round = 0; round < ROUNDS; round++) {
      if (!(await maria.get(api.file(P, FILE))).body.lockedBy) expect((await maria.checkout(P, FILE, `round ${round}`)).status).toBe(200);
      const before = (await maria.get(api.file(P, FILE))).body as { revision: string };
      const head = git('rev-parse', 'main');
      const sha = await commitLocally(`round ${round}\n`);
      // The first half spreads from a third of a push to 1.6 times one (the hook's check comes late,
      // after the pack is sent); the second half bisects between the latest refused and the earliest
      // landed offset, where the window between the hook's verdict and the commit lies.
      const offset = Math.round(round < spread ? span * (0.3 + (1.3 * round) / (spread - 1)) : (refusedAt + landedAt) / 2);
      const [push, override] = await Promise.all([
        gMaria.run(['push', 'origin', 'main'], { cwd: work }),
        new Promise((r) => setTimeout(r, offset)).then(() => admin.post(api.fileAction(P, FILE, 'override'), { reason: `round ${round}` })),
      ]);
      const what = `round ${round} at ${offset} ms of ${span}: push ${push.code}, override ${override.status}\n${push.stderr}`;
      expect(override.status, what).toBe(200); // a push keeps the lock, so the override always finds it
      const after = (await maria.get(api.file(P, FILE))).body;
      const seen = (await checkins()).length;
      if (push.code === 0) {
        expect(inMain(sha), what).toBe(true);
        expect(after.revision, what).toBe(String.fromCharCode(before.revision.charCodeAt(0) + 1));
        const history = (await maria.get(api.fileHistory(P, FILE))).body as Array<{ revision: string; message: string }>;
        expect(history[0], what).toMatchObject({ revision: after.revision, message: `round ${round}` });
        expect(seen, what).toBe(events + 1);
        outcomes.push(`${offset}:landed`);
        landedAt = Math.min(landedAt, offset);
      } else {
        expect(push.stderr, what).toMatch(/Lockstep refused this push[^\n]*\n[^\n]*1234567_op1\.mcam/);
        expect(inMain(sha), what).toBe(false);
        expect(git('rev-parse', 'main'), what).toBe(head);
        expect(after.revision, what).toBe(before.revision);
        expect(seen, what).toBe(events);
        outcomes.push(`${offset}:${/override|meanwhile/.test(push.stderr) ? 'refused after the check' : 'refused at the check'}`);
        if (offset < landedAt) refusedAt = Math.max(refusedAt, offset);
      }
      events = seen;
    }
    console.log(`${store}: push ${span} ms; ${outcomes.join(', ')}`);
  }, 300_000);
});
