import { frameText } from '../../src/realtime/client-messages.js';
// Git-native access with the real clients (Debian git and git-lfs) against a real server:
// clone over HTTP with a token, Git LFS locks as Lockstep locks, pushes checked against the locks.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api, gitPaths } from '@lockstep/protocol';
import { ADMIN_PASSWORD, startServer, until, type Client, type TestServer } from '../harness.js';
import { gitUser, type GitUser } from './git-cli.js';

const P = 'cells';
const OP1 = '1234567_op1.mcam';
const OP2 = '1234567_op2.nc';
const OTHER = '7654321_fixture.step';

let server: TestServer;
let alice: Client;
let bob: Client;
let vera: Client;
let gAlice: GitUser;
let gBob: GitUser;
let gVera: GitUser;
let gAdmin: GitUser;
let work: string; // alice's clone
const sockets: WebSocket[] = [];

const serverGit = (...args: string[]) =>
  execFileSync('git', ['--git-dir', path.join(server.dataDir, 'repos', `${P}.git`), ...args], {
    env: { PATH: process.env.PATH },
  }).toString();
const fileInfo = async (p: string) => (await alice.get(api.file(P, p))).body as { revision: string; lockedBy: string | null };
const write = (dir: string, p: string, content: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
  const file = path.join(dir, p);
  if (fs.existsSync(file)) fs.chmodSync(file, 0o644); // lockable files are read-only until locked
  fs.writeFileSync(file, content);
};

beforeAll(async () => {
  server = await startServer();
  alice = await server.createUser('alice', 'user');
  bob = await server.createUser('bob', 'user');
  vera = await server.createUser('vera', 'viewer');
  await server.createProject(P);
  for (const [name, content] of [
    [OP1, 'G0 X0 Y0\n'],
    [OP2, 'N10 G1 X1\n'],
    [OTHER, 'ISO-10303-21;\n'],
  ] as const)
    expect((await alice.upload(P, name, content)).status).toBe(201);
  gAlice = await gitUser(server, alice);
  gBob = await gitUser(server, bob);
  gVera = await gitUser(server, vera);
  gAdmin = await gitUser(server, server.admin);
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const g of [gAlice, gBob, gVera, gAdmin] as Array<GitUser | undefined>) g?.cleanup();
  await server.close();
});

async function socketFor(client: Client): Promise<any[]> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}${api.ws}`, { headers: { cookie: client.cookie, origin: server.url } });
  sockets.push(ws);
  const messages: any[] = [];
  ws.on('message', (raw) => messages.push(JSON.parse(frameText(raw))));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'subscribe', project: P }));
  await until('subscribed', () => messages.some((m) => m.type === 'subscribed'));
  return messages;
}

describe('clone', { timeout: 90_000 }, () => {
  test('a token clones the project: its files and a .gitattributes marking them lockable', async () => {
    work = await gAlice.clone(P);
    expect(fs.readFileSync(path.join(work, OP1), 'utf8')).toBe('G0 X0 Y0\n');
    expect(fs.readFileSync(path.join(work, '.gitattributes'), 'utf8')).toMatch(/^\*\.\[mM\]\[cC\]\[aA\]\[mM\] lockable/m);
    expect(fs.existsSync(path.join(work, '.lockstep', `${OP1}.json`))).toBe(true);
    // lockable: read-only until locked (git-lfs sets this on checkout when the lfs hooks are installed)
    expect(await gAlice.ok(['check-attr', 'lockable', OP1], { cwd: work })).toContain('lockable: set');
    // The .gitattributes is the repository's, not a vault file.
    expect((await alice.get(api.files(P))).body.items.map((f: { path: string }) => f.path)).not.toContain('.gitattributes');
  });

  test('protocol v2 and v0 both clone', async () => {
    for (const version of ['0', '2']) {
      const dir = path.join(gAlice.home, `v${version}`);
      await gAlice.ok(['-c', `protocol.version=${version}`, 'clone', '--quiet', gAlice.remote(P), dir]);
      expect(fs.existsSync(path.join(dir, OP2))).toBe(true);
    }
  });

  test('a wrong or missing token is refused with 401 and the Basic challenge; no clone', async () => {
    const dir = path.join(gAlice.home, 'refused');
    const r = await gAlice.run(['clone', gAlice.remote(P, 'not-a-token'), dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Authentication failed|401/);
    expect(fs.existsSync(path.join(dir, OP1))).toBe(false);
    const url = `${server.url}${gitPaths.repo(P)}/info/refs?service=git-upload-pack`;
    const anon = await fetch(url);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Basic realm="Lockstep"');
    // Bob's token with Alice's name: the token must belong to the user named.
    const mixed = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`alice:${gBob.token}`).toString('base64')}` } });
    expect(mixed.status).toBe(401);
    const lfs = await fetch(`${server.url}${gitPaths.locks(P)}`, { headers: { accept: 'application/vnd.git-lfs+json' } });
    expect(lfs.status).toBe(401);
    expect(lfs.headers.get('www-authenticate')).toBe('Basic realm="Lockstep"');
  });

  test('an unknown project is 404 to a signed-in user', async () => {
    const res = await fetch(`${server.url}/git/nope.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`alice:${gAlice.token}`).toString('base64')}` },
    });
    expect(res.status).toBe(404);
  });
});

describe('Git LFS locks are Lockstep locks', { timeout: 90_000 }, () => {
  test('git lfs lock checks the file out: the API shows it and a browser gets file.checked_out', async () => {
    const seen = await socketFor(bob);
    const out = await gAlice.ok(['lfs', 'lock', OP1], { cwd: work });
    expect(out).toContain(`Locked ${OP1}`);
    expect((await fileInfo(OP1)).lockedBy).toBe('alice');
    const event = await until('file.checked_out', () => seen.find((m) => m.type === 'file.checked_out' && m.data.path === OP1));
    expect(event.data.actor).toBe('alice');
    const audit = (await server.admin.get(`${api.audit}?project=${P}&action=file.checked_out`)).body as Array<{
      user: string;
      path: string;
    }>;
    expect(audit.some((a) => a.user === 'alice' && a.path === OP1)).toBe(true);
  });

  test('git lfs locks lists web and git locks alike, owner = username', async () => {
    expect((await bob.checkout(P, OP2, 'fixing feeds')).status).toBe(200);
    const out = await gAlice.ok(['lfs', 'locks'], { cwd: work });
    expect(out).toMatch(new RegExp(`${OP1}\\s+alice`));
    expect(out).toMatch(new RegExp(`${OP2}\\s+bob`));
    const json = JSON.parse(await gAlice.ok(['lfs', 'locks', '--json'], { cwd: work })) as Array<{ path: string; owner: { name: string } }>;
    expect(json.map((l) => [l.path, l.owner.name]).sort()).toEqual([
      [OP1, 'alice'],
      [OP2, 'bob'],
    ]);
  });

  test('locking a file someone holds is a 409 naming the holder', async () => {
    const r = await gAlice.run(['lfs', 'lock', OP2], { cwd: work });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('bob');
  });

  test('the API pages, filters by path and id, and verifies ours/theirs', async () => {
    const auth = {
      authorization: `Basic ${Buffer.from(`alice:${gAlice.token}`).toString('base64')}`,
      accept: 'application/vnd.git-lfs+json',
    };
    const first = await (await fetch(`${server.url}${gitPaths.locks(P)}?limit=1`, { headers: auth })).json();
    expect(first.locks).toHaveLength(1);
    expect(first.next_cursor).toBeTruthy();
    const second = await (await fetch(`${server.url}${gitPaths.locks(P)}?limit=1&cursor=${first.next_cursor}`, { headers: auth })).json();
    expect(second.locks).toHaveLength(1);
    expect(second.next_cursor).toBeUndefined();
    expect(second.locks[0].id).not.toBe(first.locks[0].id);
    const byPath = await (await fetch(`${server.url}${gitPaths.locks(P)}?path=${OP2}`, { headers: auth })).json();
    expect(byPath.locks.map((l: any) => l.owner.name)).toEqual(['bob']);
    const byId = await (await fetch(`${server.url}${gitPaths.locks(P)}?id=${byPath.locks[0].id}`, { headers: auth })).json();
    expect(byId.locks[0].path).toBe(OP2);
    const res = await fetch(`${server.url}${gitPaths.locks(P)}/verify`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/vnd.git-lfs+json' },
      body: JSON.stringify({ ref: { name: 'refs/heads/main' } }),
    });
    expect(res.headers.get('content-type')).toContain('application/vnd.git-lfs+json');
    const verify = await res.json();
    expect(verify.ours.map((l: any) => l.path)).toEqual([OP1]);
    expect(verify.theirs.map((l: any) => l.path)).toEqual([OP2]);
  });

  test('bad LFS bodies are 4xx in the LFS shape', async () => {
    const headers = {
      authorization: `Basic ${Buffer.from(`alice:${gAlice.token}`).toString('base64')}`,
      'content-type': 'application/vnd.git-lfs+json',
    };
    const post = (body: string) => fetch(`${server.url}${gitPaths.locks(P)}`, { method: 'POST', headers, body });
    const notJson = await post('{not json');
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('content-type')).toContain('application/vnd.git-lfs+json');
    expect((await notJson.json()).message).toBeTruthy();
    const wrongShape = await post(JSON.stringify({ path: 42 }));
    expect(wrongShape.status).toBe(422);
    expect((await wrongShape.json()).message).toBeTruthy();
    const badPath = await post(JSON.stringify({ path: '../etc/passwd.nc' }));
    expect(badPath.status).toBe(422);
    const missing = await post(JSON.stringify({ path: 'no-such-file.nc' }));
    expect(missing.status).toBe(404);
    const badId = await fetch(`${server.url}${gitPaths.locks(P)}/not-an-id/unlock`, { method: 'POST', headers, body: '{}' });
    expect(badId.status).toBe(404);
  });
});

describe('pushes obey the locks', { timeout: 90_000 }, () => {
  test("a push touching another user's locked file is refused, names the holder, and changes nothing", async () => {
    const before = serverGit('rev-parse', 'main').trim();
    write(work, OP2, 'N10 G1 X2\n');
    await gAlice.ok(['commit', '-qam', 'tweak op2'], { cwd: work });
    // --no-verify skips git-lfs's own pre-push check: the server must refuse by itself.
    const r = await gAlice.run(['push', '--no-verify', 'origin', 'main'], { cwd: work });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${OP2}: checked out by bob`);
    expect(serverGit('rev-parse', 'main').trim()).toBe(before);
    await gAlice.ok(['reset', '-q', '--hard', 'origin/main'], { cwd: work });
  });

  test('with git-lfs hooks, the client itself stops before sending', async () => {
    await gAlice.ok(['lfs', 'install', '--local'], { cwd: work });
    write(work, OP2, 'N10 G1 X3\n');
    await gAlice.ok(['commit', '-qam', 'tweak op2 again'], { cwd: work });
    const r = await gAlice.run(['push', 'origin', 'main'], { cwd: work, env: { GIT_TERMINAL_PROMPT: '0' } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/bob/);
    await gAlice.ok(['reset', '-q', '--hard', 'origin/main'], { cwd: work });
  });

  test('a push of your own locked file is check-in B: commit message and author in the history, lock kept', async () => {
    const seen = await socketFor(bob);
    write(work, OP1, 'G0 X0 Y0\nG1 X10 F200\n');
    await gAlice.ok(['commit', '-qam', 'Raise the feed on op1'], { cwd: work });
    const r = await gAlice.run(['push', 'origin', 'main'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('the locks allow this push of 1 file(s)');
    expect(r.stderr).toContain('git pull');
    expect(r.stderr).not.toContain('rejected');
    const info = await fileInfo(OP1);
    expect(info.revision).toBe('B');
    expect(info.lockedBy).toBe('alice');
    const history = (await alice.get(api.fileHistory(P, OP1))).body as Array<{
      revision: string;
      author: string;
      message: string;
      action: string;
    }>;
    expect(history[0]).toMatchObject({ revision: 'B', author: 'alice', message: 'Raise the feed on op1', action: 'checkin' });
    const content = await (await fetch(`${server.url}${api.fileContent(P, OP1)}`, { headers: { cookie: alice.cookie } })).text();
    expect(content).toBe('G0 X0 Y0\nG1 X10 F200\n');
    await until('file.checked_in', () => seen.find((m) => m.type === 'file.checked_in' && m.data.path === OP1 && m.data.revision === 'B'));
    // git pull brings the metadata commit; the next push is a fast-forward again.
    await gAlice.ok(['pull', '-q', '--ff-only'], { cwd: work });
    expect(JSON.parse(fs.readFileSync(path.join(work, '.lockstep', `${OP1}.json`), 'utf8')).revision).toBe('B');
  });

  test('a new file by push is an upload at revision A', async () => {
    write(work, 'setups/7654321_sheet.pdf', '%PDF-1.4\n');
    await gAlice.ok(['add', '.'], { cwd: work });
    await gAlice.ok(['commit', '-qm', 'Add the set-up sheet'], { cwd: work });
    await gAlice.ok(['push', '-q', 'origin', 'main'], { cwd: work });
    const info = await fileInfo('setups/7654321_sheet.pdf');
    expect(info.revision).toBe('A');
    expect(info.lockedBy).toBeNull();
    await gAlice.ok(['pull', '-q', '--ff-only'], { cwd: work });
  });

  test('an edit of a file nobody locked is refused: lock it first', async () => {
    write(work, OTHER, 'ISO-10303-21; changed\n');
    await gAlice.ok(['commit', '-qam', 'unlocked edit'], { cwd: work });
    const r = await gAlice.run(['push', 'origin', 'main'], { cwd: work });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${OTHER}: not checked out; lock it first: git lfs lock ${OTHER}`);
    expect((await fileInfo(OTHER)).revision).toBe('A');
  });

  test('every refused file is listed; other refs, tags, .lockstep edits, bad paths and non-fast-forwards are refused', async () => {
    await gAlice.ok(['reset', '-q', '--hard', 'origin/main'], { cwd: work });
    write(work, OTHER, 'changed\n');
    write(work, '.lockstep/forged.json', '{}\n');
    write(work, 'notes.exe', 'MZ\n');
    write(work, OP1.toUpperCase(), 'twin\n');
    await gAlice.ok(['add', '.'], { cwd: work });
    await gAlice.ok(['commit', '-qm', 'many wrongs'], { cwd: work });
    const r = await gAlice.run(['push', 'origin', 'main'], { cwd: work });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${OTHER}: not checked out`);
    expect(r.stderr).toContain('.lockstep/ belongs to the server');
    expect(r.stderr).toContain('notes.exe: extension ".exe" is not allowed');
    expect(r.stderr).toContain(`${OP1.toUpperCase()}: collides with existing "${OP1}"`);
    await gAlice.ok(['reset', '-q', '--hard', 'origin/main'], { cwd: work });
    const branch = await gAlice.run(['push', 'origin', 'HEAD:refs/heads/feature'], { cwd: work });
    expect(branch.code).not.toBe(0);
    expect(branch.stderr).toContain('only main can be pushed');
    await gAlice.ok(['tag', 'v1'], { cwd: work });
    const tag = await gAlice.run(['push', 'origin', 'v1'], { cwd: work });
    expect(tag.code).not.toBe(0);
    expect(serverGit('tag')).toBe('');
    // Rewrite history: a forced push is refused.
    await gAlice.ok(['commit', '-q', '--amend', '-m', 'rewritten'], { cwd: work });
    const forced = await gAlice.run(['push', '--force', 'origin', 'main'], { cwd: work });
    expect(forced.code).not.toBe(0);
    expect(serverGit('branch', '--list')).toContain('main');
    expect(serverGit('for-each-ref', '--format=%(refname)')).toBe('refs/heads/main\n');
    await gAlice.ok(['reset', '-q', '--hard', 'origin/main'], { cwd: work });
  });

  test('deleting needs an admin', async () => {
    await gAlice.ok(['rm', '-q', 'setups/7654321_sheet.pdf'], { cwd: work });
    await gAlice.ok(['commit', '-qm', 'drop the sheet'], { cwd: work });
    const r = await gAlice.run(['push', 'origin', 'main'], { cwd: work });
    expect(r.stderr).toContain('setups/7654321_sheet.pdf: deleting a file needs an admin');
    await gAlice.ok(['reset', '-q', '--hard', 'origin/main'], { cwd: work });
    const adminWork = await gAdmin.clone(P);
    await gAdmin.ok(['rm', '-q', 'setups/7654321_sheet.pdf'], { cwd: adminWork });
    await gAdmin.ok(['commit', '-qm', 'drop the sheet'], { cwd: adminWork });
    await gAdmin.ok(['push', '-q', 'origin', 'main'], { cwd: adminWork });
    expect((await alice.get(api.file(P, 'setups/7654321_sheet.pdf'))).status).toBe(404);
    await gAlice.ok(['pull', '-q', '--ff-only'], { cwd: work });
  });

  test('git lfs unlock releases; an admin --force releases another user’s lock and the holder is told', async () => {
    await gAlice.ok(['lfs', 'unlock', OP1], { cwd: work });
    expect((await fileInfo(OP1)).lockedBy).toBeNull();
    const bobSeen = await socketFor(bob);
    const adminWork = await gAdmin.clone(P);
    const refused = await gAlice.run(['lfs', 'unlock', '--force', OP2], { cwd: work });
    expect(refused.code).not.toBe(0);
    expect((await fileInfo(OP2)).lockedBy).toBe('bob');
    await gAdmin.ok(['lfs', 'unlock', '--force', OP2], { cwd: adminWork });
    expect((await fileInfo(OP2)).lockedBy).toBeNull();
    await until('notice to bob', () => bobSeen.find((m) => m.type === 'notice' && String(m.data.message).includes(OP2)));
    await until('file.lock_overridden', () => bobSeen.find((m) => m.type === 'file.lock_overridden' && m.data.formerHolder === 'bob'));
  });

  test('a viewer clones but cannot lock or push', async () => {
    const dir = await gVera.clone(P);
    expect(fs.existsSync(path.join(dir, OP1))).toBe(true);
    const lock = await gVera.run(['lfs', 'lock', OP1], { cwd: dir });
    expect(lock.code).not.toBe(0);
    expect((await fileInfo(OP1)).lockedBy).toBeNull();
    write(dir, OP1, 'viewer edit\n');
    await gVera.ok(['commit', '-qam', 'viewer edit'], { cwd: dir });
    const push = await gVera.run(['push', '--no-verify', 'origin', 'main'], { cwd: dir });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/403/);
  });
});

describe('released files', { timeout: 90_000 }, () => {
  const release = async (file: string) => {
    expect((await alice.post(api.fileLifecycle(P, file, 'release-request'), { comment: 'proven' })).status).toBe(200);
    const r = await server.admin.post(api.fileLifecycle(P, file, 'approve'), { comment: 'ok', password: ADMIN_PASSWORD });
    expect(r.body.state).toBe('released');
  };

  test('a clone shows the release tag; a push of a released file is its next revision, in work; the floor keeps the released one', async () => {
    await gAlice.ok(['pull', '-q', '--ff-only'], { cwd: work });
    const released = (await fileInfo(OP2)).revision;
    await release(OP2);
    // Lifecycle steps are metadata commits on main: git pull brings them, with the tag.
    await gAlice.ok(['pull', '-q', '--ff-only', '--tags'], { cwd: work });
    expect((await gAlice.ok(['tag', '-l'], { cwd: work })).split('\n')).toContain(`released/${OP2}/${released}`);
    await gAlice.ok(['lfs', 'lock', OP2], { cwd: work });
    write(work, OP2, 'N10 G1 X2\n');
    await gAlice.ok(['commit', '-qam', 'next op2'], { cwd: work });
    const r = await gAlice.run(['push', 'origin', 'main'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    const info = (await alice.get(api.file(P, OP2))).body;
    expect(info).toMatchObject({ state: 'wip', releasedRevision: released });
    expect(info.revision).not.toBe(released);
    expect((await vera.get(api.fileContent(P, OP2))).text).toBe('N10 G1 X1\n');
    await gAlice.ok(['lfs', 'unlock', OP2], { cwd: work });
    await gAlice.ok(['pull', '-q', '--ff-only'], { cwd: work });
  });

  test('a file in review cannot be locked from git; a released file cannot be deleted by a push', async () => {
    expect((await alice.post(api.fileLifecycle(P, OP2, 'release-request'), { comment: 'again' })).status).toBe(200);
    const locked = await gAlice.run(['lfs', 'lock', OP2], { cwd: work });
    expect(locked.code).not.toBe(0);
    expect(locked.stderr).toMatch(/in review/);
    expect((await alice.post(api.fileLifecycle(P, OP2, 'withdraw'))).status).toBe(200);

    await release(OTHER);
    const adminWork = await gAdmin.clone(P);
    await gAdmin.ok(['rm', '-q', OTHER], { cwd: adminWork });
    await gAdmin.ok(['commit', '-qm', 'drop the fixture'], { cwd: adminWork });
    const r = await gAdmin.run(['push', 'origin', 'main'], { cwd: adminWork });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${OTHER}: is released (production runs it); obsolete it first`);
    expect((await fileInfo(OTHER)).revision).toBe('A');
  });
});

describe('bad input', { timeout: 90_000 }, () => {
  const auth = () => ({ authorization: `Basic ${Buffer.from(`alice:${gAlice.token}`).toString('base64')}` });

  test('malformed pkt-lines are a 4xx, nothing changes', async () => {
    const before = serverGit('rev-parse', 'main').trim();
    for (const service of ['git-upload-pack', 'git-receive-pack']) {
      const res = await fetch(`${server.url}${gitPaths.repo(P)}/${service}`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': `application/x-${service}-request` },
        body: 'zzzzgarbage',
      });
      expect(res.status, service).toBeGreaterThanOrEqual(400);
      expect(res.status, service).toBeLessThan(500);
    }
    expect(serverGit('rev-parse', 'main').trim()).toBe(before);
  });

  test('the dumb protocol is not served', async () => {
    expect((await fetch(`${server.url}${gitPaths.repo(P)}/info/refs`, { headers: auth() })).status).toBe(403);
  });

  test('git fsck --strict stays clean', () => {
    expect(() => serverGit('fsck', '--strict', '--no-dangling')).not.toThrow();
  });
});
