// A fetched or imported tree must obey the upload rules before main moves: 409 naming the paths.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { DEFAULT_EXTENSIONS } from '../../src/config.js';
import { treeProblems } from '../../src/domain/tree-rules.js';
import { until, type Client, type TestServer } from '../harness.js';
import { bareRepo, fastImportCommit, headOf, startSyncServer, type SyncContext } from './remotes.js';

const blob = (p: string) => ({ path: p, mode: '100644', type: 'blob' });

describe('treeProblems', () => {
  test('a clean tree, .gitattributes and metadata of existing files and links pass', () => {
    const meta = new Map([
      ['.lockstep/a.nc.json', '{"revision":"B"}'],
      ['.lockstep/lnk.nc.json', '{"link":"a.nc"}'],
    ]);
    const items = [blob('.gitattributes'), blob('a.nc'), blob('cell/b.mcam'), blob('.lockstep/a.nc.json'), blob('.lockstep/lnk.nc.json')];
    expect(treeProblems(items, meta, DEFAULT_EXTENSIONS)).toEqual([]);
  });

  test('each rule names its path', () => {
    const meta = new Map([
      ['.lockstep/x.nc.json', 'not json'],
      ['.lockstep/gone.nc.json', '{}'],
      ['.lockstep/l.nc.json', '{"link":"missing.nc"}'],
    ]);
    const items = [
      blob('A.nc'),
      blob('a.nc'),
      blob('part.nc'),
      blob('PART.NC/x.nc'),
      blob('README.md'),
      { path: 'shortcut.nc', mode: '120000', type: 'blob' },
      { path: 'vendor.nc', mode: '160000', type: 'commit' },
      blob('x.nc'),
      blob('.lockstep/x.nc.json'),
      blob('.lockstep/gone.nc.json'),
      blob('.lockstep/l.nc.json'),
      blob('.lockstep/notes.txt'),
      blob('sub/.gitattributes'),
    ];
    const problems = treeProblems(items, meta, DEFAULT_EXTENSIONS).join('\n');
    expect(problems).toMatch(/"a.nc" and "A.nc" differ only in case/);
    expect(problems).toMatch(/"part.nc\/x.nc" is inside "part.nc", which is a file/i);
    expect(problems).toMatch(/"README.md": extension ".md" is not allowed/);
    expect(problems).toMatch(/"shortcut.nc" is a symbolic link/);
    expect(problems).toMatch(/"vendor.nc" is a submodule/);
    expect(problems).toMatch(/"\.lockstep\/x.nc.json": .* JSON object/);
    expect(problems).toMatch(/"\.lockstep\/gone.nc.json": metadata for "gone.nc", which is not a file/);
    expect(problems).toMatch(/"\.lockstep\/l.nc.json": the link points at "missing.nc"/);
    expect(problems).toMatch(/"\.lockstep\/notes.txt"/);
    expect(problems).toMatch(/"sub\/.gitattributes"/);
  });
});

describe('sync now and import', () => {
  let ctx: SyncContext;
  let server: TestServer;
  let alice: Client;
  beforeAll(async () => {
    ctx = await startSyncServer();
    ({ server, alice } = ctx);
  }, 60_000);
  afterAll(() => ctx.stop());

  test('a remote that gains A.nc next to a.nc: sync now → 409 naming both; main and the index unchanged', async () => {
    const remote = bareRepo(path.join(ctx.remotes, 'case.git'));
    expect((await server.admin.post(api.projects, { slug: 'case', name: 'Case', remoteUrl: `file://${remote}` })).status).toBe(201);
    const up = await alice.upload('case', 'a.nc', 'ours\n');
    await until('pushed', () => headOf(remote) === up.body.commit);
    fastImportCommit(remote, { 'A.nc': 'theirs\n', 'b.nc': 'more\n' }, 'Case collision');
    const res = await server.admin.post(api.projectSync('case'));
    expect(res.status, res.text).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(res.body.error.message).toMatch(/"A.nc" and "a.nc" differ only in case|"a.nc" and "A.nc" differ only in case/);
    expect(headOf(path.join(server.dataDir, 'repos', 'case.git'))).toBe(up.body.commit);
    const list = await alice.get(api.files('case'));
    expect(list.body.items.map((f: { path: string }) => f.path)).toEqual(['a.nc']);
    const project = (await server.admin.get(api.project('case'))).body;
    expect(project.sync.state).toBe('failed');
    expect(project.sync.lastError).toMatch(/differ only in case/);
    // The server keeps working on the project.
    expect((await alice.upload('case', 'c.nc', 'new\n')).status).toBe(201);
  });

  test('import of a remote with A.nc and a.nc → 409; no project is left behind', async () => {
    const remote = bareRepo(path.join(ctx.remotes, 'case-import.git'));
    fastImportCommit(remote, { 'A.nc': 'one\n', 'a.nc': 'two\n', 'part.nc': 'p\n', 'PART.NC/x.nc': 'q\n' }, 'Bad tree');
    const res = await server.admin.post(api.projects, { slug: 'caseimport', name: 'x', remoteUrl: `file://${remote}`, import: true });
    expect(res.status, res.text).toBe(409);
    expect(res.body.error.message).toMatch(/differ only in case/);
    expect(res.body.error.message).toMatch(/inside "part.nc", which is a file/);
    expect((await server.admin.get(api.project('caseimport'))).status).toBe(404);
  });
});
