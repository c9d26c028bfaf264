/**
 * A data-driven corpus of hostile requests. Every case names the exact 4xx it must get and must
 * come back as `{error:{code,message}}`. Git refs and every database row (but audit and sessions)
 * are snapshotted before and after: bad input changes nothing.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { type Client, startServer, type TestServer } from '../harness.js';
import { snapshot, type Snapshot } from '../snapshot.js';

const MAX_UPLOAD = 1024;
const P = 'p';
const enc = encodeURIComponent;

type Body = string | Buffer | FormData | { json: unknown };
interface Req {
  method: string;
  /** Sent byte-for-byte (no client-side normalisation of `..` or percent-escapes). */
  url: string;
  headers?: Record<string, string>;
  body?: Body;
  /** Whose credentials (cookie + CSRF token); default admin, who passes every role check. */
  as?: 'admin' | 'user' | 'none';
}
interface Case {
  name: string;
  request: Req;
  expectedStatus: number;
  /** Expected error.code; defaults from the status. */
  code?: string | null;
  holder?: string;
}

const CODE: Record<number, string> = {
  400: 'validation',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media_type',
};

const json = (value: unknown): Body => ({ json: value });
const fd = (parts: Array<[string, string] | [string, string | Buffer, string]>) => {
  const f = new FormData();
  for (const p of parts) {
    if (p.length === 2) f.append(p[0], p[1]);
    else f.append(p[0], new Blob([typeof p[1] === 'string' ? p[1] : new Uint8Array(p[1])]), p[2]);
  }
  return f;
};
const upload = (filePath: string | null, filename = 'x.mcam', content: string | Buffer = 'data') =>
  fd([...(filePath === null ? [] : [['path', filePath] as [string, string]]), ['file', content, filename]]);

// ------------------------------------------------------------------ the corpus
const HOSTILE_PATHS: Array<[string, string]> = [
  ['parent', '../x.mcam'],
  ['parent twice', '../../etc/passwd.txt'],
  ['parent in middle', 'a/../../x.mcam'],
  ['parent alone', '..'],
  ['dot segment', './x.mcam'],
  ['absolute', '/etc/passwd.txt'],
  ['absolute root file', '/x.mcam'],
  ['drive backslash', 'C:\\x.mcam'],
  ['drive slash', 'C:/x.mcam'],
  ['drive relative', 'c:x.mcam'],
  ['backslash', 'a\\x.mcam'],
  ['backslash traversal', '..\\..\\x.mcam'],
  ['UNC', '\\\\server\\share\\x.mcam'],
  ['NUL', 'a\u0000.mcam'],
  ['NUL before ext', 'x.exe\u0000.mcam'],
  ['newline', 'a\nb.mcam'],
  ['CR', 'a\rb.mcam'],
  ['tab', 'a\tb.mcam'],
  ['ESC', 'a\u001b[31m.mcam'],
  ['DEL', 'a\u007f.mcam'],
  ['over-long name', `${'n'.repeat(256)}.mcam`],
  ['over-long path', `${'d/'.repeat(511)}x.mcam`],
  ['.lockstep folder', '.lockstep/x.txt'],
  ['.lockstep meta', '.lockstep/part.mcam.json'],
  ['.LOCKSTEP folder', '.LOCKSTEP/x.txt'],
  ['.git folder', '.git/config.txt'],
  ['.git hooks', '.git/hooks/pre-commit.txt'],
  ['.Git folder', '.Git/x.txt'],
  ['CON', 'con.mcam'],
  ['CON upper', 'CON.txt'],
  ['AUX', 'aux.nc'],
  ['NUL name', 'nul.txt'],
  ['COM1', 'com1.tap'],
  ['LPT1', 'lpt1.pdf'],
  ['PRN in folder', 'a/prn.mcam'],
  ['reserved folder', 'con/x.mcam'],
  ['exe', 'x.exe'],
  ['shell script', 'x.sh'],
  ['double ext', 'x.mcam.exe'],
  ['html', 'x.html'],
  ['no ext', 'noext'],
  ['only ext', '.mcam'],
  ['double slash', 'a//b.mcam'],
  ['trailing slash', 'a/b.mcam/'],
  ['leading space', ' x.mcam'],
  ['trailing dot', 'x.mcam.'],
  ['lt gt', 'a<b>.mcam'],
  ['NTFS stream', 'x.mcam:evil.txt'],
  ['question', 'x?.mcam'],
  ['star', '*.mcam'],
  ['pipe', 'a|b.mcam'],
  ['quote', 'a"b.mcam'],
];

function buildCorpus(): Case[] {
  const cases: Case[] = [];
  const add = (name: string, request: Req, expectedStatus: number, code?: string | null, holder?: string) =>
    cases.push({ name, request, expectedStatus, code, holder });

  // ---- file paths, through every way a path reaches the server
  // Every path through upload, link and the URL; the other URL routes on a rotating subset.
  const secondary = [
    (p: string): Req => ({ method: 'GET', url: api.fileContent(P, p) }),
    (p: string): Req => ({ method: 'GET', url: api.fileHistory(P, p) }),
    (p: string): Req => ({ method: 'PATCH', url: api.file(P, p), body: json({ description: 'x' }) }),
    (p: string): Req => ({ method: 'DELETE', url: api.file(P, p) }),
    (p: string): Req => ({ method: 'POST', url: api.fileAction(P, p, 'cancel') }),
    (p: string): Req => ({ method: 'POST', url: api.links(P), body: json({ path: 'newlink.mcam', target: p }) }),
  ];
  HOSTILE_PATHS.forEach(([n, p], i) => {
    add(`path/upload field: ${n}`, { method: 'POST', url: api.files(P), body: upload(p) }, 400);
    add(`path/link path: ${n}`, { method: 'POST', url: api.links(P), body: json({ path: p, target: 'part.mcam' }) }, 400);
    // Paths over find-my-way's default parameter limit: see knownBugCases.
    if (encodeURIComponent(p).length <= 100) {
      add(`path/GET file: ${n}`, { method: 'GET', url: api.file(P, p) }, 400);
      add(`path/checkout: ${n}`, { method: 'POST', url: api.fileAction(P, p, 'checkout'), body: json({}) }, 400);
      const r = secondary[i % secondary.length]!(p);
      add(`path/${r.method} ${r.url.split('/').pop()!.split('?')[0]!.slice(0, 12)}: ${n}`, r, 400);
    }
  });
  // Percent-escapes decoded once by the server, and raw dot segments a browser would normalise away.
  add('path/raw %2e%2e', { method: 'GET', url: `/api/projects/${P}/files/%2e%2e` }, 400);
  add('path/raw %2e%2e%2f', { method: 'GET', url: `/api/projects/${P}/files/%2e%2e%2fpart.mcam` }, 400);
  add('path/raw ..%2f', { method: 'GET', url: `/api/projects/${P}/files/..%2f..%2fpart.mcam` }, 400);
  add('path/raw %2e%2e checkout', { method: 'POST', url: `/api/projects/${P}/files/%2e%2e%2fpart.mcam/checkout`, body: json({}) }, 400);
  add('path/raw %00', { method: 'GET', url: `/api/projects/${P}/files/part.mcam%00.txt` }, 400);
  add('path/raw %5c', { method: 'GET', url: `/api/projects/${P}/files/..%5cpart.mcam` }, 400);
  add('path/raw /../ (no route)', { method: 'GET', url: `/api/projects/${P}/files/../../../etc/passwd` }, 404);
  add('path/raw /.. project (no route)', { method: 'GET', url: `/api/projects/../users` }, 404);
  add('path/double-encoded is a literal name: not found', { method: 'GET', url: `/api/projects/${P}/files/%252e%252e%252fpart.mcam` }, 404);
  // Hostile names through the multipart filename alone (no path field).
  for (const name of ['con.mcam', 'x.exe', 'noext', '.mcam', 'nul.txt', 'x.mcam.']) {
    add(`path/upload filename: ${name}`, { method: 'POST', url: api.files(P), body: upload(null, name) }, 400);
  }
  // Case-insensitive (and Unicode-normalisation) collisions with existing files.
  for (const p of [
    'part.mcam',
    'Part.MCAM',
    'PART.mcam',
    'pArT.McAm',
    'sub/deep.NC',
    'SUB/DEEP.nc',
    'Sub/Deep.nc',
    'cafe\u0301.txt',
    'CAFÉ.TXT',
    'lnk.mcam',
    'LNK.MCAM',
  ]) {
    add(`collision/upload: ${p}`, { method: 'POST', url: api.files(P), body: upload(p) }, 409);
    add(`collision/link: ${p}`, { method: 'POST', url: api.links(P), body: json({ path: p, target: 'part.mcam' }) }, 409);
  }
  add('collision/upload filename only: Part.MCAM', { method: 'POST', url: api.files(P), body: upload(null, 'Part.MCAM') }, 409);
  add('collision/as user', { method: 'POST', url: api.files(P), body: upload('PART.MCAM'), as: 'user' }, 409);

  // ---- JSON bodies
  const co = api.fileAction(P, 'held.mcam', 'checkout');
  const ct = { 'content-type': 'application/json' };
  add('json/malformed', { method: 'POST', url: co, headers: ct, body: '{' }, 400);
  add('json/truncated', { method: 'POST', url: co, headers: ct, body: '{"message":' }, 400);
  add('json/trailing garbage', { method: 'POST', url: co, headers: ct, body: '{"message":"x"} x' }, 400);
  add('json/single quotes', { method: 'POST', url: co, headers: ct, body: "{'message':'x'}" }, 400);
  add('json/empty body', { method: 'POST', url: co, headers: ct, body: '' }, 400);
  add('json/array', { method: 'POST', url: co, body: json([]) }, 400);
  add('json/array of object', { method: 'POST', url: co, body: json([{ message: 'x' }]) }, 400);
  add('json/string', { method: 'POST', url: co, body: json('x') }, 400);
  add('json/number', { method: 'POST', url: co, body: json(123) }, 400);
  add('json/message object', { method: 'POST', url: co, body: json({ message: {} }) }, 400);
  add('json/message too long', { method: 'POST', url: co, body: json({ message: 'm'.repeat(2001) }) }, 400);
  add('json/extra property', { method: 'POST', url: co, body: json({ message: 'x', holder: 'admin' }) }, 400);
  add('json/__proto__', { method: 'POST', url: co, headers: ct, body: '{"__proto__":{"admin":true}}' }, 400);
  add('json/constructor', { method: 'POST', url: co, body: json({ constructor: { prototype: { x: 1 } } }) }, 400);
  add('json/over body limit', { method: 'POST', url: co, body: json({ message: 'm'.repeat(1_100_000) }) }, 413);
  add('json/wrong content-type', { method: 'POST', url: co, headers: { 'content-type': 'application/xml' }, body: '<message/>' }, 415);
  const ov = api.fileAction(P, 'held.mcam', 'override');
  add('json/override no reason', { method: 'POST', url: ov, body: json({}) }, 400);
  add('json/override empty reason', { method: 'POST', url: ov, body: json({ reason: '' }) }, 400);
  add('json/override null reason', { method: 'POST', url: ov, body: json({ reason: null }) }, 400);
  add('json/override reason object', { method: 'POST', url: ov, body: json({ reason: { a: 1 } }) }, 400);
  add('json/override reason too long', { method: 'POST', url: ov, body: json({ reason: 'r'.repeat(2001) }) }, 400);
  add('json/override extra', { method: 'POST', url: ov, body: json({ reason: 'x', user: 'admin' }) }, 400);
  add('json/override array', { method: 'POST', url: ov, body: json([{ reason: 'x' }]) }, 400);
  add('json/override no body', { method: 'POST', url: ov }, 400);
  const pf = api.file(P, 'held.mcam');
  add('json/patch empty', { method: 'PATCH', url: pf, body: json({}) }, 400);
  add('json/patch fields string', { method: 'PATCH', url: pf, body: json({ fields: 'x' }) }, 400);
  add('json/patch fields array', { method: 'PATCH', url: pf, body: json({ fields: [1, 2] }) }, 400);
  add('json/patch field value object', { method: 'PATCH', url: pf, body: json({ fields: { k: {} } }) }, 400);
  add('json/patch field value too long', { method: 'PATCH', url: pf, body: json({ fields: { k: 'v'.repeat(2001) } }) }, 400);
  add('json/patch description too long', { method: 'PATCH', url: pf, body: json({ description: 'd'.repeat(4001) }) }, 400);
  add('json/patch description object', { method: 'PATCH', url: pf, body: json({ description: { x: 1 } }) }, 400);
  add('json/patch part number too long', { method: 'PATCH', url: pf, body: json({ partNumber: 'p'.repeat(101) }) }, 400);
  add('json/patch revision', { method: 'PATCH', url: pf, body: json({ revision: 'Z' }) }, 400);
  add('json/patch path', { method: 'PATCH', url: pf, body: json({ path: 'evil.mcam' }) }, 400);
  add('json/patch lockedBy', { method: 'PATCH', url: pf, body: json({ description: 'x', lockedBy: null }) }, 400);
  add('json/patch null body', { method: 'PATCH', url: pf, body: json(null) }, 400);
  add('json/link missing target', { method: 'POST', url: api.links(P), body: json({ path: 'l2.mcam' }) }, 400);
  add('json/link empty', { method: 'POST', url: api.links(P), body: json({}) }, 400);
  add('json/link extra', { method: 'POST', url: api.links(P), body: json({ path: 'l2.mcam', target: 'part.mcam', x: 1 }) }, 400);
  add('json/link target object', { method: 'POST', url: api.links(P), body: json({ path: 'l2.mcam', target: {} }) }, 400);
  add('json/link to a link', { method: 'POST', url: api.links(P), body: json({ path: 'l2.mcam', target: 'lnk.mcam' }) }, 400);
  add('json/link to missing', { method: 'POST', url: api.links(P), body: json({ path: 'l2.mcam', target: 'missing.mcam' }) }, 404);
  add('json/project bad slug', { method: 'POST', url: api.projects, body: json({ slug: 'Bad Slug', name: 'x' }) }, 400);
  add('json/project slug dash', { method: 'POST', url: api.projects, body: json({ slug: '-x', name: 'x' }) }, 400);
  add('json/project slug dots', { method: 'POST', url: api.projects, body: json({ slug: '..', name: 'x' }) }, 400);
  add('json/project slug slash', { method: 'POST', url: api.projects, body: json({ slug: 'a/b', name: 'x' }) }, 400);
  add('json/project slug too long', { method: 'POST', url: api.projects, body: json({ slug: 's'.repeat(65), name: 'x' }) }, 400);
  add('json/project slug number', { method: 'POST', url: api.projects, body: json({ slug: { a: 1 }, name: 'x' }) }, 400);
  add('json/project empty name', { method: 'POST', url: api.projects, body: json({ slug: 'okslug', name: '' }) }, 400);
  add('json/project name too long', { method: 'POST', url: api.projects, body: json({ slug: 'okslug', name: 'n'.repeat(201) }) }, 400);
  add(
    'json/project remote javascript',
    { method: 'POST', url: api.projects, body: json({ slug: 'okslug', name: 'x', remoteUrl: 'javascript:alert(1)' }) },
    400,
  );
  add(
    'json/project remote ext::',
    { method: 'POST', url: api.projects, body: json({ slug: 'okslug', name: 'x', remoteUrl: 'ext::sh -c touch% /tmp/pwned' }) },
    400,
  );
  add(
    'json/project remote option',
    { method: 'POST', url: api.projects, body: json({ slug: 'okslug', name: 'x', remoteUrl: '--upload-pack=touch /tmp/pwned' }) },
    400,
  );
  add('json/project extra', { method: 'POST', url: api.projects, body: json({ slug: 'okslug', name: 'x', headCommit: 'abc' }) }, 400);
  add('json/project duplicate', { method: 'POST', url: api.projects, body: json({ slug: P, name: 'dup' }) }, 409);
  add('json/project patch empty', { method: 'PATCH', url: api.project(P), body: json({}) }, 400);
  add('json/project patch slug', { method: 'PATCH', url: api.project(P), body: json({ slug: 'other' }) }, 400);
  add('json/project patch remote ext::', { method: 'PATCH', url: api.project(P), body: json({ remoteUrl: 'ext::sh' }) }, 400);
  add(
    'json/user bad name',
    { method: 'POST', url: api.users, body: json({ username: 'a b', password: 'password-123', role: 'user' }) },
    400,
  );
  add(
    'json/user NUL name',
    { method: 'POST', url: api.users, body: json({ username: 'a\u0000b', password: 'password-123', role: 'user' }) },
    400,
  );
  add(
    'json/user short password',
    { method: 'POST', url: api.users, body: json({ username: 'newbie', password: 'short', role: 'user' }) },
    400,
  );
  add(
    'json/user long password',
    { method: 'POST', url: api.users, body: json({ username: 'newbie', password: 'p'.repeat(257), role: 'user' }) },
    400,
  );
  add(
    'json/user bad role',
    { method: 'POST', url: api.users, body: json({ username: 'newbie', password: 'password-123', role: 'root' }) },
    400,
  );
  add(
    'json/user extra',
    { method: 'POST', url: api.users, body: json({ username: 'newbie', password: 'password-123', role: 'user', id: 1 }) },
    400,
  );
  add(
    'json/user duplicate',
    { method: 'POST', url: api.users, body: json({ username: 'user1', password: 'password-123', role: 'user' }) },
    409,
  );
  add(
    'json/user duplicate other case',
    { method: 'POST', url: api.users, body: json({ username: 'ADMIN', password: 'password-123', role: 'user' }) },
    409,
  );
  add('json/user patch empty', { method: 'PATCH', url: api.user(2), body: json({}) }, 400);
  add('json/user patch disabled maybe', { method: 'PATCH', url: api.user(2), body: json({ disabled: 'maybe' }) }, 400);
  add('json/user patch role', { method: 'PATCH', url: api.user(2), body: json({ role: 'superuser' }) }, 400);
  add('json/user patch username', { method: 'PATCH', url: api.user(2), body: json({ username: 'renamed' }) }, 400);
  add('json/user patch last admin demote', { method: 'PATCH', url: api.user(1), body: json({ role: 'viewer' }) }, 409);
  add('json/user disable last admin', { method: 'DELETE', url: api.user(1) }, 409);
  add('json/token empty', { method: 'POST', url: api.tokens, body: json({}) }, 400);
  add('json/token empty name', { method: 'POST', url: api.tokens, body: json({ name: '' }) }, 400);
  add('json/token long name', { method: 'POST', url: api.tokens, body: json({ name: 't'.repeat(101) }) }, 400);
  add('json/login empty', { method: 'POST', url: api.login, body: json({}), as: 'none' }, 400);
  add('json/login no password', { method: 'POST', url: api.login, body: json({ username: 'admin' }), as: 'none' }, 400);
  add(
    'json/login operator injection',
    { method: 'POST', url: api.login, body: json({ username: { $ne: null }, password: 'x' }), as: 'none' },
    400,
  );
  add(
    'json/login sql injection',
    { method: 'POST', url: api.login, body: json({ username: "admin' OR '1'='1", password: "' OR '1'='1" }), as: 'none' },
    401,
  );
  add(
    'json/login wrong password',
    { method: 'POST', url: api.login, body: json({ username: 'admin', password: 'wrong' }), as: 'none' },
    401,
  );
  add('json/login malformed', { method: 'POST', url: api.login, headers: ct, body: '{"username":', as: 'none' }, 400);
  add(
    'json/login form encoded',
    {
      method: 'POST',
      url: api.login,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=admin&password=x',
      as: 'none',
    },
    415,
  );

  // ---- multipart
  const files = api.files(P);
  add('multipart/no file part', { method: 'POST', url: files, body: fd([['path', 'new.mcam']]) }, 400);
  add('multipart/no parts at all', { method: 'POST', url: files, body: fd([]) }, 400);
  add(
    'multipart/wrong field name',
    {
      method: 'POST',
      url: files,
      body: fd([
        ['path', 'new.mcam'],
        ['upload', 'x', 'new.mcam'],
      ]),
    },
    400,
  );
  add(
    'multipart/two files',
    {
      method: 'POST',
      url: files,
      body: fd([
        ['file', 'a', 'new1.mcam'],
        ['file', 'b', 'new2.mcam'],
      ]),
    },
    400,
    'validation',
  );
  add('multipart/json instead', { method: 'POST', url: files, body: json({ path: 'new.mcam', file: 'x' }) }, 415);
  add('multipart/text/plain', { method: 'POST', url: files, headers: { 'content-type': 'text/plain' }, body: 'x' }, 415);
  add('multipart/octet-stream', { method: 'POST', url: files, headers: { 'content-type': 'application/octet-stream' }, body: 'x' }, 415);
  add(
    'multipart/urlencoded',
    { method: 'POST', url: files, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'path=new.mcam&file=x' },
    415,
  );
  add('multipart/oversize by one', { method: 'POST', url: files, body: upload('big1.mcam', 'big1.mcam', 'x'.repeat(MAX_UPLOAD + 1)) }, 413);
  add('multipart/oversize 200 KB', { method: 'POST', url: files, body: upload('big2.mcam', 'big2.mcam', 'x'.repeat(200_000)) }, 413);
  add('multipart/oversize filename only', { method: 'POST', url: files, body: upload(null, 'big3.mcam', Buffer.alloc(5000)) }, 413);
  const ci = api.fileAction(P, 'held.mcam', 'checkin');
  add('multipart/checkin no message', { method: 'POST', url: ci, as: 'user', body: fd([['file', 'x', 'held.mcam']]) }, 400);
  add(
    'multipart/checkin blank message',
    {
      method: 'POST',
      url: ci,
      as: 'user',
      body: fd([
        ['message', '   '],
        ['file', 'x', 'held.mcam'],
      ]),
    },
    400,
  );
  add('multipart/checkin no file', { method: 'POST', url: ci, as: 'user', body: fd([['message', 'm']]) }, 400);
  add(
    'multipart/checkin bad bump',
    {
      method: 'POST',
      url: ci,
      as: 'user',
      body: fd([
        ['message', 'm'],
        ['bump', 'maybe'],
        ['file', 'x', 'held.mcam'],
      ]),
    },
    400,
  );
  add(
    'multipart/checkin bad keep',
    {
      method: 'POST',
      url: ci,
      as: 'user',
      body: fd([
        ['message', 'm'],
        ['keep', 'yes please'],
        ['file', 'x', 'held.mcam'],
      ]),
    },
    400,
  );
  add(
    'multipart/checkin oversize',
    {
      method: 'POST',
      url: ci,
      as: 'user',
      body: fd([
        ['message', 'm'],
        ['file', 'x'.repeat(MAX_UPLOAD + 1), 'held.mcam'],
      ]),
    },
    413,
  );
  add('multipart/checkin json', { method: 'POST', url: ci, as: 'user', body: json({ message: 'm' }) }, 415);
  add(
    'multipart/checkin wrong field',
    {
      method: 'POST',
      url: ci,
      as: 'user',
      body: fd([
        ['message', 'm'],
        ['content', 'x', 'held.mcam'],
      ]),
    },
    400,
  );
  add(
    'multipart/checkin not holder',
    {
      method: 'POST',
      url: ci,
      body: fd([
        ['message', 'm'],
        ['file', 'x', 'held.mcam'],
      ]),
    },
    409,
    'not_lock_holder',
    'user1',
  );

  // ---- query strings
  const list = api.files(P);
  for (const [n, q] of [
    ['limit 0', 'limit=0'],
    ['limit negative', 'limit=-1'],
    ['limit text', 'limit=abc'],
    ['limit too big', 'limit=5001'],
    ['limit fraction', 'limit=1.5'],
    ['limit twice', 'limit=1&limit=2'],
    ['limit huge', 'limit=99999999999999999999'],
    ['sort bogus', 'sort=bogus'],
    ['sort sql', `sort=${enc('path;DROP TABLE files')}`],
    ['status bogus', 'status=deleted'],
    ['cursor negative', `cursor=${Buffer.from('-5').toString('base64url')}`],
    ['cursor text', `cursor=${Buffer.from('abc').toString('base64url')}`],
    ['cursor fraction', `cursor=${Buffer.from('1.5').toString('base64url')}`],
    ['cursor too long', `cursor=${'A'.repeat(501)}`],
    ['q too long', `q=${'q'.repeat(201)}`],
    ['group too long', `group=${'g'.repeat(33)}`],
    ['unknown param', 'foo=1'],
  ] as const) {
    add(`query/files ${n}`, { method: 'GET', url: `${list}?${q}` }, 400);
  }
  const content = (rev: string) => `${api.file(P, 'part.mcam')}/content?rev=${rev}`;
  add('query/rev lower-case', { method: 'GET', url: content('zz') }, 400);
  add('query/rev option injection', { method: 'GET', url: content(enc('--output=/tmp/pwned')) }, 400);
  add('query/rev HEAD~1', { method: 'GET', url: content('HEAD~1') }, 400);
  add('query/rev path spec', { method: 'GET', url: content(enc('HEAD:part.mcam')) }, 400);
  add('query/rev traversal', { method: 'GET', url: content(enc('../../etc')) }, 400);
  add('query/rev too long', { method: 'GET', url: content('a'.repeat(65)) }, 400);
  add('query/rev twice', { method: 'GET', url: `${content('A')}&rev=B` }, 400);
  add('query/rev unknown label', { method: 'GET', url: content('Q') }, 404);
  add('query/rev unknown commit', { method: 'GET', url: content('deadbeef') }, 404);
  add('query/rev unknown full sha', { method: 'GET', url: content('0'.repeat(40)) }, 404);
  for (const [n, q] of [
    ['limit 0', 'limit=0'],
    ['limit too big', 'limit=10001'],
    ['since not a date', 'since=yesterday'],
    ['until bad date', 'until=2020-13-45T99:00:00Z'],
    ['unknown param', 'foo=1'],
    ['user too long', `user=${'u'.repeat(65)}`],
  ] as const) {
    add(`query/audit ${n}`, { method: 'GET', url: `${api.audit}?${q}` }, 400);
    add(`query/audit.csv ${n}`, { method: 'GET', url: `${api.auditCsv}?${q}` }, 400);
  }
  add('query/locks project too long', { method: 'GET', url: `${api.locks}?project=${'x'.repeat(65)}` }, 400);
  add('query/locks unknown param', { method: 'GET', url: `${api.locks}?bar=1` }, 400);

  // ---- headers
  const none = { as: 'none' as const };
  add('header/bogus cookie', { method: 'GET', url: api.me, headers: { cookie: 'lockstep_session=garbage' }, ...none }, 401);
  add('header/empty cookie', { method: 'GET', url: api.me, headers: { cookie: 'lockstep_session=' }, ...none }, 401);
  add('header/cookie other name', { method: 'GET', url: api.me, headers: { cookie: 'session=abc; lockstep=1' }, ...none }, 401);
  add(
    'header/bogus cookie POST',
    { method: 'POST', url: co, headers: { cookie: 'lockstep_session=garbage', 'x-csrf-token': 'x' }, body: json({}), ...none },
    401,
  );
  add('header/10 KB cookie', { method: 'GET', url: api.me, headers: { cookie: `lockstep_session=${'c'.repeat(10_000)}` }, ...none }, 401);
  add('header/bogus bearer', { method: 'GET', url: api.me, headers: { authorization: 'Bearer abc' }, ...none }, 401);
  add(
    'header/bearer lst_ prefix',
    { method: 'GET', url: api.me, headers: { authorization: `Bearer lst_${'A'.repeat(43)}` }, ...none },
    401,
  );
  add('header/bearer no token', { method: 'GET', url: api.me, headers: { authorization: 'Bearer' }, ...none }, 401);
  add(
    'header/basic auth',
    {
      method: 'GET',
      url: api.me,
      headers: { authorization: `Basic ${Buffer.from('admin:admin-password-1').toString('base64')}` },
      ...none,
    },
    401,
  );
  add('header/bogus bearer beats cookie', { method: 'GET', url: api.me, headers: { authorization: 'Bearer nope' } }, 401);
  add('header/bogus bearer POST', { method: 'POST', url: co, headers: { authorization: 'Bearer nope' }, body: json({}), ...none }, 401);
  add('header/8 KB csrf token', { method: 'POST', url: co, headers: { 'x-csrf-token': 'x'.repeat(8000) }, body: json({}) }, 403, 'csrf');
  add('header/csrf of wrong case', { method: 'POST', url: co, headers: { 'x-csrf-token': 'WRONG' }, body: json({}) }, 403, 'csrf');

  // ---- unknown projects, files, routes, ids
  add('unknown/project', { method: 'GET', url: api.project('nope') }, 404);
  add('unknown/project upper-case', { method: 'GET', url: api.project('P') }, 404);
  add('unknown/project slug too long', { method: 'GET', url: api.project('x'.repeat(65)) }, 400);
  add('unknown/project files', { method: 'GET', url: api.files('nope') }, 404);
  add('unknown/project groups', { method: 'GET', url: api.groups('nope') }, 404);
  add('unknown/project upload', { method: 'POST', url: api.files('nope'), body: upload('x.mcam') }, 404);
  add('unknown/project file', { method: 'GET', url: api.file('nope', 'part.mcam') }, 404);
  add('unknown/project checkout', { method: 'POST', url: api.fileAction('nope', 'part.mcam', 'checkout'), body: json({}) }, 404);
  add('unknown/project link', { method: 'POST', url: api.links('nope'), body: json({ path: 'a.mcam', target: 'part.mcam' }) }, 404);
  add('unknown/project patch', { method: 'PATCH', url: api.project('nope'), body: json({ name: 'x' }) }, 404);
  add('unknown/project delete', { method: 'DELETE', url: api.project('nope') }, 404);
  add('unknown/file', { method: 'GET', url: api.file(P, 'missing.mcam') }, 404);
  add('unknown/file checkout', { method: 'POST', url: api.fileAction(P, 'missing.mcam', 'checkout'), body: json({}) }, 404);
  add('unknown/file cancel', { method: 'POST', url: api.fileAction(P, 'missing.mcam', 'cancel') }, 404);
  add('unknown/file override', { method: 'POST', url: api.fileAction(P, 'missing.mcam', 'override'), body: json({ reason: 'x' }) }, 404);
  add(
    'unknown/file checkin',
    {
      method: 'POST',
      url: api.fileAction(P, 'missing.mcam', 'checkin'),
      body: fd([
        ['message', 'm'],
        ['file', 'x', 'missing.mcam'],
      ]),
    },
    404,
  );
  add('unknown/file patch', { method: 'PATCH', url: api.file(P, 'missing.mcam'), body: json({ description: 'x' }) }, 404);
  add('unknown/file delete', { method: 'DELETE', url: api.file(P, 'missing.mcam') }, 404);
  add('unknown/file history', { method: 'GET', url: api.fileHistory(P, 'missing.mcam') }, 404);
  add('unknown/file content', { method: 'GET', url: api.fileContent(P, 'missing.mcam') }, 404);
  add('unknown/file folder', { method: 'GET', url: api.file(P, 'sub/missing.nc') }, 404);
  add('unknown/file sub-route', { method: 'GET', url: `${api.file(P, 'part.mcam')}/bogus` }, 404);
  add('unknown/api route', { method: 'GET', url: '/api/nope' }, 404);
  add('unknown/method', { method: 'PUT', url: api.projects, body: json({}) }, 404);
  add('unknown/user id', { method: 'PATCH', url: api.user(999999), body: json({ role: 'user' }) }, 404);
  add('unknown/user id negative', { method: 'DELETE', url: api.user(-1) }, 404);
  add('unknown/user id text', { method: 'PATCH', url: '/api/users/abc', body: json({ role: 'user' }) }, 400);
  add('unknown/user id fraction', { method: 'DELETE', url: '/api/users/1.5' }, 400);
  add('unknown/token id', { method: 'DELETE', url: api.token(999999) }, 404);
  add('unknown/token id text', { method: 'DELETE', url: '/api/tokens/abc' }, 400);

  // ---- lock conflicts that must not change anything
  add('lock/checkout held by another', { method: 'POST', url: co, body: json({ message: 'mine now' }) }, 409, 'lock_conflict', 'user1');
  add('lock/holder checks out again', { method: 'POST', url: co, body: json({}), as: 'user' }, 409, 'lock_conflict', 'user1');
  add('lock/cancel by non-holder', { method: 'POST', url: api.fileAction(P, 'held.mcam', 'cancel') }, 409, 'not_lock_holder', 'user1');
  add(
    'lock/cancel of available file',
    { method: 'POST', url: api.fileAction(P, 'part.mcam', 'cancel'), as: 'user' },
    409,
    'not_lock_holder',
  );
  add(
    'lock/override of available file',
    { method: 'POST', url: api.fileAction(P, 'part.mcam', 'override'), body: json({ reason: 'x' }) },
    409,
  );
  add('lock/patch by non-holder', { method: 'PATCH', url: api.file(P, 'part.mcam'), body: json({ description: 'x' }), as: 'user' }, 403);
  add(
    'lock/checkout link of held file',
    { method: 'POST', url: api.fileAction(P, 'heldlink.mcam', 'checkout'), body: json({}) },
    409,
    'lock_conflict',
    'user1',
  );
  add('lock/delete project with locks', { method: 'DELETE', url: api.project(P) }, 409);
  add('lock/delete link target', { method: 'DELETE', url: api.file(P, 'part.mcam') }, 409);
  return cases;
}

/** Edge cases that once reached a 500 or a non-JSON error (regression guards). */
function knownBugCases(): Case[] {
  const b = 'LockstepBoundary';
  const mp = { 'content-type': `multipart/form-data; boundary=${b}` };
  return [
    // src/api/multipart.ts:20 readUpload — busboy's "Unexpected end of multipart data" has no status → 500.
    {
      name: 'multipart/truncated: boundary never closes',
      request: {
        method: 'POST',
        url: api.files(P),
        headers: mp,
        body: `--${b}\r\nContent-Disposition: form-data; name="file"; filename="t.mcam"\r\n\r\nabc`,
      },
      expectedStatus: 400,
    },
    {
      name: 'multipart/truncated after a field',
      request: {
        method: 'POST',
        url: api.files(P),
        headers: mp,
        body: `--${b}\r\nContent-Disposition: form-data; name="path"\r\n\r\nt.mcam`,
      },
      expectedStatus: 400,
    },
    {
      name: 'multipart/no boundary parameter',
      request: { method: 'POST', url: api.files(P), headers: { 'content-type': 'multipart/form-data' }, body: 'garbage' },
      expectedStatus: 400,
    },
    { name: 'multipart/garbage body', request: { method: 'POST', url: api.files(P), headers: mp, body: 'garbage' }, expectedStatus: 400 },
    {
      name: 'multipart/checkin truncated',
      request: {
        method: 'POST',
        url: api.fileAction(P, 'held.mcam', 'checkin'),
        as: 'user',
        headers: mp,
        body: `--${b}\r\nContent-Disposition: form-data; name="message"\r\n\r\nm\r\n--${b}\r\nContent-Disposition: form-data; name="file"; filename="held.mcam"\r\n\r\nabc`,
      },
      expectedStatus: 400,
    },
    // src/domain/paths.ts:42 — ".git" is refused only as the first segment; the vault then throws → 500.
    {
      name: 'path/nested .git upload',
      request: { method: 'POST', url: api.files(P), body: upload('sub/.git/config.txt') },
      expectedStatus: 400,
    },
    {
      name: 'path/nested .GIT link',
      request: { method: 'POST', url: api.links(P), body: json({ path: 'a/.GIT/x.mcam', target: 'part.mcam' }) },
      expectedStatus: 400,
    },
    // Control characters in commit messages: the vault's buildMessage throws VaultInputError → 500.
    {
      name: 'multipart/upload description with control chars',
      request: {
        method: 'POST',
        url: api.files(P),
        body: fd([
          ['path', 'desc.mcam'],
          ['description', 'bad\u0001desc'],
          ['file', 'x', 'desc.mcam'],
        ]),
      },
      expectedStatus: 400,
    },
    {
      name: 'multipart/checkin message with control chars',
      request: {
        method: 'POST',
        url: api.fileAction(P, 'held.mcam', 'checkin'),
        as: 'user',
        body: fd([
          ['message', 'bad\u0007msg'],
          ['file', 'x', 'held.mcam'],
        ]),
      },
      expectedStatus: 400,
    },
    // Fastify's own 400 for a bad percent-escape is not in the {error:{code,message}} shape.
    { name: 'path/bad percent-escape', request: { method: 'GET', url: `/api/projects/${P}/files/%zz` }, expectedStatus: 400 },
    // src/api/routes/files.ts:25 decodeCursor — an undecodable cursor decodes to "" and Number("") === 0.
    { name: 'query/cursor garbage', request: { method: 'GET', url: `${api.files(P)}?cursor=!!!` }, expectedStatus: 400 },
    {
      name: 'query/cursor blank',
      request: { method: 'GET', url: `${api.files(P)}?cursor=${Buffer.from('  ').toString('base64url')}` },
      expectedStatus: 400,
    },
    // find-my-way's default maxParamLength (100) refuses any file path over 100 URL-encoded
    // characters with Fastify's own 414 body, although paths up to 1024 characters are valid.
    { name: 'path/GET over-long name', request: { method: 'GET', url: api.file(P, `${'n'.repeat(256)}.mcam`) }, expectedStatus: 400 },
    // Node's 431 for an oversized header block is not in the {error:{code,message}} shape.
    {
      name: 'header/huge header',
      request: { method: 'GET', url: api.me, headers: { 'x-huge': 'h'.repeat(20_000) } },
      expectedStatus: 431,
      code: null,
    },
  ];
}

// ------------------------------------------------------------------ running
let server: TestServer;
let user: Client;

interface Result {
  status: number;
  text: string;
  body: any;
}

async function perform(req: Req): Promise<Result> {
  const headers: Record<string, string> = {};
  if (req.as !== 'none') Object.assign(headers, (req.as === 'user' ? user : server.admin).headers());
  let payload: Buffer | undefined;
  if (req.body instanceof FormData) {
    const r = new Response(req.body);
    headers['content-type'] = r.headers.get('content-type')!;
    payload = Buffer.from(await r.arrayBuffer());
  } else if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) {
    payload = Buffer.from(req.body);
  } else if (req.body) {
    headers['content-type'] = 'application/json';
    payload = Buffer.from(JSON.stringify(req.body.json));
  }
  Object.assign(headers, req.headers);
  if (payload) headers['content-length'] = String(payload.length);
  return new Promise((resolve, reject) => {
    const r = http.request({ agent: false, host: '127.0.0.1', port: server.port, method: req.method, path: req.url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: any = null;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode!, text, body });
      });
    });
    r.setTimeout(15_000, () => r.destroy(new Error(`timeout: ${req.method} ${req.url}`)));
    r.on('error', reject);
    if (payload) r.write(payload);
    r.end();
  });
}

function check(c: Case, res: Result) {
  const label = `${c.name}: ${res.status} ${res.text.slice(0, 200)}`;
  expect(res.status, label).toBe(c.expectedStatus);
  expect(res.body, label).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
  expect(
    Object.keys(res.body.error).every((k) => ['code', 'message', 'holder'].includes(k)),
    label,
  ).toBe(true);
  const code = c.code === undefined ? CODE[c.expectedStatus] : c.code;
  if (code) expect(res.body.error.code, label).toBe(code);
  if (c.holder) expect(res.body.error.holder, label).toBe(c.holder);
  // Internals never leak.
  expect(res.text, label).not.toMatch(/\bat .+\.(ts|js):\d+|SQLITE_|stack/i);
}

const CORPUS = buildCorpus();
let before: Snapshot;

beforeAll(async () => {
  server = await startServer({ config: { maxUploadBytes: MAX_UPLOAD } });
  user = await server.createUser('user1', 'user');
  await server.createUser('other1', 'user');
  await server.createProject(P);
  await server.createProject('second');
  for (const name of ['part.mcam', 'Sub/Deep.nc', 'caf\u00e9.txt', 'held.mcam']) {
    const r = await server.admin.upload(P, name, `content of ${name}`, { path: name });
    if (r.status !== 201) throw new Error(`upload ${name}: ${r.status} ${r.text}`);
  }
  for (const [link, target] of [
    ['lnk.mcam', 'part.mcam'],
    ['heldlink.mcam', 'held.mcam'],
  ]) {
    const r = await server.admin.post(api.links(P), { path: link, target });
    if (r.status !== 201) throw new Error(`link ${link}: ${r.status} ${r.text}`);
  }
  const r = await user.checkout(P, 'held.mcam', 'editing');
  if (r.status !== 200) throw new Error(`checkout: ${r.status} ${r.text}`);
  before = snapshot(server.dataDir);
  expect(Object.keys(before.refs)).toEqual(['p.git', 'second.git']);
  expect(before.rows.files?.length).toBe(6);
  expect(before.rows.locks?.length).toBe(1);
});
afterAll(async () => server.close());

describe('hostile input', () => {
  test('the corpus is large and every case is well-formed', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(200);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
    for (const c of CORPUS) {
      expect(c.expectedStatus, c.name).toBeGreaterThanOrEqual(400);
      expect(c.expectedStatus, c.name).toBeLessThan(500);
    }
  });

  test(`every case gets its exact 4xx and an {error:{code,message}} body (${CORPUS.length} cases)`, async () => {
    const failures: string[] = [];
    // Small batches: concurrent enough to be quick, serial enough to keep the server honest.
    for (let i = 0; i < CORPUS.length; i += 12) {
      const batch = CORPUS.slice(i, i + 12);
      const results = await Promise.all(
        batch.map((c) => perform(c.request).catch((err: unknown) => ({ status: -1, text: String(err), body: null }))),
      );
      batch.forEach((c, j) => {
        try {
          check(c, results[j]!);
        } catch (err) {
          failures.push((err as Error).message.split('\n')[0]!);
        }
      });
    }
    expect(failures).toEqual([]);
  });

  describe('regressions: framework-level and parser errors', () => {
    for (const c of knownBugCases()) {
      test(c.name, async () => check(c, await perform(c.request)));
    }
  });

  test('nothing changed: git refs and every database row but audit/sessions are identical', () => {
    const after = snapshot(server.dataDir);
    expect(after.refs).toEqual(before.refs);
    expect(after.rows).toEqual(before.rows);
  });

  test('the server still answers, and sane requests still work', async () => {
    const h = await fetch(`${server.url}${api.health}`);
    expect(await h.json()).toEqual({ status: 'ok' });
    expect((await server.admin.get(api.file(P, 'part.mcam'))).body.revision).toBe('A');
    expect((await server.admin.get(api.fileContent(P, 'held.mcam'))).text).toBe('content of held.mcam');
    // The upload limit is inclusive: exactly maxUploadBytes is accepted.
    const ok = await server.admin.upload(P, 'exact.mcam', Buffer.alloc(MAX_UPLOAD, 1));
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.size).toBe(MAX_UPLOAD);
  });

  // find-my-way's maxParamLength defaults to 100: a longer encoded path must still be usable.
  test('a valid file with a 150-character path can be read and checked out', async () => {
    const long = `${'folder-'.repeat(10)}/${'n'.repeat(75)}.mcam`;
    const up = await server.admin.upload(P, 'long.mcam', 'long', { path: long });
    expect(up.status, up.text).toBe(201);
    const get = await server.admin.get(api.file(P, long));
    expect(get.status, get.text).toBe(200);
    const co = await user.checkout(P, long);
    expect(co.status, co.text).toBe(200);
  });

  // C1 control characters are control characters too. Runs last: a regression would commit a file.
  test('a path with a C1 control character (U+0085) is refused', async () => {
    const res = await perform({ method: 'POST', url: api.files(P), body: upload('a\u0085b.mcam') });
    check({ name: 'C1', request: { method: 'POST', url: '' }, expectedStatus: 400 }, res);
  });
});
