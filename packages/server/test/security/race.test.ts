/**
 * Races over real HTTP: many logged-in users hitting the same file at once. At most one holder,
 * ever; every loser is told who won.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { type Client, type Response, startServer, type TestServer } from '../harness.js';

const P = 'race';
const USERS = 50;
const ROUNDS = 5;
let server: TestServer;
const users: Client[] = [];

function git(...args: string[]): string {
  return execFileSync('git', ['--git-dir', path.join(server.dataDir, 'repos', `${P}.git`), ...args], { encoding: 'utf8' });
}

beforeAll(async () => {
  server = await startServer();
  await server.createProject(P);
  // Created in small parallel batches (argon2 hashing dominates).
  for (let i = 0; i < USERS; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, USERS - i) }, (_, j) => server.createUser(`racer${String(i + j).padStart(2, '0')}`, 'user')),
    );
    users.push(...batch);
  }
  for (const name of ['race.mcam', 'target.mcam']) {
    const r = await server.admin.upload(P, name, `content of ${name}`);
    if (r.status !== 201) throw new Error(`upload ${name}: ${r.status} ${r.text}`);
  }
  const l = await server.admin.post(api.links(P), { path: 'target-link.mcam', target: 'target.mcam' });
  if (l.status !== 201) throw new Error(`link: ${l.status} ${l.text}`);
}, 120_000);
afterAll(async () => server.close());

function winnerOf(results: Array<{ who: Client; res: Response }>, okStatus: number) {
  const winners = results.filter((r) => r.res.status === okStatus);
  const losers = results.filter((r) => r.res.status !== okStatus);
  return { winners, losers };
}

describe('concurrent check-outs', () => {
  test(`${USERS} users check out one file at once, ${ROUNDS} rounds: exactly one wins, 49 are told who`, async () => {
    const seenWinners: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.all(
        users.map(async (who) => ({ who, res: await who.checkout(P, 'race.mcam', `round ${round} by ${who.username}`) })),
      );
      const { winners, losers } = winnerOf(results, 200);
      expect(winners.length, `round ${round}: ${results.map((r) => r.res.status).join(',')}`).toBe(1);
      const winner = winners[0]!.who.username;
      expect(winners[0]!.res.body).toMatchObject({
        path: 'race.mcam',
        status: 'checked_out_by_me',
        lockedBy: winner,
        lockMessage: `round ${round} by ${winner}`,
      });
      expect(losers.length).toBe(USERS - 1);
      for (const { res } of losers) {
        expect(res.status, res.text).toBe(409);
        expect(res.body.error.code).toBe('lock_conflict');
        expect(res.body.error.holder).toBe(winner);
        expect(res.body.error.message).toContain(winner);
      }
      // Everyone now sees the same single holder.
      const locks = (await server.admin.get(`${api.locks}?project=${P}`)).body as Array<{ path: string; user: string }>;
      expect(locks).toEqual([expect.objectContaining({ path: 'race.mcam', user: winner })]);
      const seenBy = await Promise.all(users.slice(0, 5).map((u) => u.get(api.file(P, 'race.mcam'))));
      for (const s of seenBy) expect(s.body.lockedBy).toBe(winner);
      seenWinners.push(winner);
      // A loser cannot cancel it; the winner can.
      const loser = losers[0]!.who;
      const bad = await loser.post(api.fileAction(P, 'race.mcam', 'cancel'));
      expect([bad.status, bad.body.error.holder]).toEqual([409, winner]);
      const cancel = await winners[0]!.who.post(api.fileAction(P, 'race.mcam', 'cancel'));
      expect(cancel.status, cancel.text).toBe(200);
      expect(cancel.body.status).toBe('available');
    }
    // The audit log recorded exactly one check-out and one cancel per round.
    const audit = (await server.admin.get(`${api.audit}?project=${P}`)).body as Array<{ action: string; user: string; path: string }>;
    const checkouts = audit.filter((a) => a.action === 'file.checked_out' && a.path === 'race.mcam');
    expect(checkouts.map((a) => a.user).sort()).toEqual([...seenWinners].sort());
    expect(audit.filter((a) => a.action === 'file.checkout_cancelled').length).toBe(ROUNDS);
    expect((await server.admin.get(`${api.locks}?project=${P}`)).body).toEqual([]);
  });

  test('check-outs through a link and of its target race for the same lock', async () => {
    const racers = users.slice(0, 20);
    const results = await Promise.all(
      racers.map(async (who, i) => ({ who, res: await who.checkout(P, i % 2 ? 'target-link.mcam' : 'target.mcam') })),
    );
    const { winners, losers } = winnerOf(results, 200);
    expect(winners.length, results.map((r) => r.res.status).join(',')).toBe(1);
    const winner = winners[0]!.who.username;
    for (const { res } of losers) expect([res.status, res.body.error.holder]).toEqual([409, winner]);
    const locks = (await server.admin.get(`${api.locks}?project=${P}`)).body as Array<{ path: string; user: string }>;
    expect(locks).toEqual([expect.objectContaining({ path: 'target.mcam', user: winner })]);
    expect((await winners[0]!.who.post(api.fileAction(P, 'target.mcam', 'cancel'))).status).toBe(200);
  });
});

describe('concurrent uploads of one new path', () => {
  async function race(names: string[], label: string) {
    const racers = users.slice(0, names.length);
    const headBefore = git('rev-parse', 'HEAD').trim();
    const results = await Promise.all(
      racers.map(async (who, i) => ({
        who,
        name: names[i]!,
        res: await who.upload(P, names[i]!, `${label} by ${who.username}`, { path: names[i]! }),
      })),
    );
    const winners = results.filter((r) => r.res.status === 201);
    expect(winners.length, results.map((r) => r.res.status).join(',')).toBe(1);
    const w = winners[0]!;
    for (const r of results) {
      if (r === w) continue;
      expect(r.res.status, r.res.text).toBe(409);
      expect(r.res.body.error.code).toBe('conflict');
    }
    // Exactly one entry, one commit, one variant of the name in git, with the winner's content.
    const key = names[0]!.toLowerCase();
    const listed = ((await server.admin.get(`${api.files(P)}?limit=5000`)).body.items as Array<{ path: string }>).filter(
      (f) => f.path.toLowerCase() === key,
    );
    expect(listed.map((f) => f.path)).toEqual([w.name]);
    const tree = git('ls-tree', '-r', '--name-only', 'HEAD')
      .split('\n')
      .filter((p) => p.toLowerCase() === key || p.toLowerCase() === `.lockstep/${key}.json`);
    expect(tree.sort()).toEqual([`.lockstep/${w.name}.json`, w.name].sort());
    expect(git('rev-list', '--count', `${headBefore}..HEAD`).trim()).toBe('1');
    expect(git('log', '-1', '--format=%an').trim()).toBe(w.who.username);
    const content = await server.admin.get(api.fileContent(P, w.name));
    expect(content.text).toBe(`${label} by ${w.who.username}`);
    expect((await server.admin.get(api.file(P, w.name))).body).toMatchObject({
      revision: 'A',
      status: 'available',
      modifiedBy: w.who.username,
    });
    // No upload reservation is left behind as a lock.
    expect((await server.admin.get(`${api.locks}?project=${P}`)).body).toEqual([]);
  }

  test('20 users upload the same new path at once: exactly one 201', async () => {
    await race(
      Array.from({ length: 20 }, () => '7654321_op1.mcam'),
      'same',
    );
  });

  test('20 users upload case variants of one new path at once: exactly one 201', async () => {
    const variants = ['Fixture.NC', 'fixture.nc', 'FIXTURE.NC', 'fIxTuRe.Nc', 'Fixture.nc'];
    await race(
      Array.from({ length: 20 }, (_, i) => variants[i % variants.length]!),
      'variant',
    );
  });

  test('20 users upload case variants inside folders at once: exactly one 201', async () => {
    const variants = ['Jobs/Op2.tap', 'jobs/op2.tap', 'JOBS/OP2.TAP', 'Jobs/OP2.tap'];
    await race(
      Array.from({ length: 20 }, (_, i) => variants[i % variants.length]!),
      'folder',
    );
  });
});
