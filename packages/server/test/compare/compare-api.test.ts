/** Compare and preview over HTTP on real git revisions (upload → check-out → check-in). */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { api, type FileDiff, type HistoryEntry, type Toolpath } from '@lockstep/protocol';
import { startServer, type Client, type TestServer } from '../harness.js';
import { dxfDrawing } from './dxf-fixture.js';
import { FANUC, reformatted } from './programs.js';

let server: TestServer;
let admin: Client;
const P = 'shop';

async function revise(path: string, content: string | Buffer) {
  expect((await admin.checkout(P, path)).status).toBe(200);
  const r = await admin.checkin(P, path, content, { message: `new ${path}` });
  expect(r.status, r.text).toBe(200);
}
async function upload(path: string, content: string | Buffer) {
  const r = await admin.upload(P, path, content);
  expect(r.status, r.text).toBe(201);
}
const diff = (path: string, q: Parameters<typeof api.fileDiff>[2] = {}) =>
  admin.get<FileDiff & { error?: { code: string } }>(api.fileDiff(P, path, q));

const REV_B = reformatted(FANUC.replace('N170 T12 M06', 'N170 T7 M06').replace('S8000', 'S9500'));

beforeAll(async () => {
  server = await startServer({
    config: { previewMaxBytes: 64 * 1024 },
    env: { LOCKSTEP_ALLOWED_EXTENSIONS: '.nc,.tap,.txt,.mcam,.step,.pdf,.dxf,.png,.svg' },
  });
  admin = server.admin;
  await server.createProject(P);
  await upload('op1.nc', FANUC);
  await revise('op1.nc', REV_B);
  // A metadata edit: a commit that keeps revision B.
  expect((await admin.request('PATCH', api.file(P, 'op1.nc'), { description: 'bracket op 1', fields: { machine: 'VF-2' } })).status).toBe(
    200,
  );
  await upload('notes.txt', 'Clamp in vise\nStock 6061 100x50\n');
  await revise('notes.txt', 'Clamp in vise\nStock 6061 102x52\nDeburr\n');
  await upload('fixture.mcam', Buffer.from([1, 2, 0, 3, 4]));
  await revise('fixture.mcam', Buffer.from([1, 2, 0, 3, 4, 5, 6]));
  await upload('single.nc', 'O100\nG0 X0 Y0\nG1 X10. F100.\nM30\n');
  await upload('big.txt', 'x'.repeat(100 * 1024));
  await upload('sheet.pdf', '%PDF-1.4\n%fake\n');
  await upload('photo.png', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  await upload('logo.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  await upload('part.step', 'ISO-10303-21;\n');
  await upload('plate.dxf', dxfDrawing());
  await upload('broken.dxf', '0\nSECTION\n2\nENTITIES\n0\nLINE\n10\nnot-a-number\n');
}, 60_000);
afterAll(async () => server.close());

describe('diff', () => {
  test('by default: the previous revision → the latest, G-code aware, with the metadata changes', async () => {
    const r = await diff('op1.nc');
    expect(r.status, r.text).toBe(200);
    const d = r.body;
    expect([d.from?.revision, d.to.revision, d.kind, d.ignoreFormatting]).toEqual(['A', 'B', 'gcode', true]);
    expect(d.summary!.text).toBe('T12 removed, T7 added; S2500/8000→2500/9500; extent unchanged');
    // Only the two real edits, shown as the original lines of each side.
    const changed = d.hunks.flatMap((h) => h.lines.filter((l) => l.op !== ' ').map((l) => `${l.op}${l.text}`));
    expect(changed).toEqual([
      '-N40 G90 G54 G00 X-5. Y-5. S8000 M03',
      '+n20  g90  g54  g0  x-5.000  y-5.000  s9500  m3',
      '-N170 T12 M06 (6.8 DRILL)',
      expect.stringMatching(/^\+n85.*t7/),
    ]);
    expect(d.metadata).toEqual([
      { field: 'description', before: '', after: 'bracket op 1' },
      { field: 'fields.machine', before: null, after: 'VF-2' },
    ]);
    expect(d.from!.sha).not.toBe(d.to.sha);
  });

  test('by labels and by commit id; ignoreFormatting=false compares raw text', async () => {
    const history = (await admin.get<HistoryEntry[]>(api.fileHistory(P, 'op1.nc'))).body;
    const a = history.find((h) => h.revision === 'A')!.commit;
    const byId = await diff('op1.nc', { from: a.slice(0, 12), to: 'B' });
    expect(byId.status).toBe(200);
    expect(byId.body.from!.commit).toBe(a);
    expect(byId.body.added).toBe(2);
    const raw = await diff('op1.nc', { from: 'A', to: 'B', ignoreFormatting: false });
    expect(raw.body.ignoreFormatting).toBe(false);
    expect(raw.body.added).toBeGreaterThan(25);
    expect(raw.body.summary!.tools.added).toEqual([7]);
  });

  test("the revisions index places both sides at the file's commits and at the head: no git head or log", async () => {
    const vault = server.app.services.vault;
    const head = vi.spyOn(vault, 'head');
    const log = vi.spyOn(vault, 'log');
    try {
      const history = (await admin.get<HistoryEntry[]>(api.fileHistory(P, 'op1.nc'))).body;
      const projectHead = (await admin.get<HistoryEntry[]>(api.fileHistory(P, 'broken.dxf'))).body[0]!.commit;
      expect((await diff('op1.nc')).body.to.commit).toBe(history[0]!.commit);
      expect((await diff('op1.nc', { from: 'A', to: 'B' })).body.from!.revision).toBe('A');
      // The project's head is no commit of op1.nc: op1.nc as it stands there.
      const atHead = (await diff('op1.nc', { from: 'A', to: projectHead })).body;
      expect([atHead.to.commit, atHead.to.revision, atHead.from!.revision]).toEqual([projectHead, 'B', 'A']);
      expect(head).not.toHaveBeenCalled();
      expect(log).not.toHaveBeenCalled();
      // Any other commit (older than the head, not the file's): its history comes from git.
      const notes = (await admin.get<HistoryEntry[]>(api.fileHistory(P, 'notes.txt'))).body[0]!.commit;
      const atNotes = (await diff('op1.nc', { from: 'A', to: notes })).body;
      expect([atNotes.to.commit, atNotes.to.revision, atNotes.from!.revision]).toEqual([notes, 'B', 'A']);
      expect(log).toHaveBeenCalled();
    } finally {
      head.mockRestore();
      log.mockRestore();
    }
  });

  test('plain text: line hunks, no summary', async () => {
    const d = (await diff('notes.txt')).body;
    expect(d.kind).toBe('text');
    expect(d.summary).toBeNull();
    expect(d.hunks).toEqual([
      {
        oldStart: 1,
        oldLines: 2,
        newStart: 1,
        newLines: 3,
        lines: [
          { op: ' ', text: 'Clamp in vise', oldLine: 1, newLine: 1 },
          { op: '-', text: 'Stock 6061 100x50', oldLine: 2 },
          { op: '+', text: 'Stock 6061 102x52', newLine: 2 },
          { op: '+', text: 'Deburr', newLine: 3 },
        ],
      },
    ]);
  });

  test('binary: size and content hash only', async () => {
    const d = (await diff('fixture.mcam')).body;
    expect(d.kind).toBe('binary');
    expect(d.hunks).toEqual([]);
    expect([d.from!.size, d.to.size]).toEqual([5, 7]);
    expect(d.message).toBe('binary files differ (5 → 7 bytes)');
    const same = (await diff('fixture.mcam', { from: 'B', to: 'B' })).body;
    expect([same.identical, same.message]).toEqual([true, 'binary files are identical']);
  });

  test('the first revision compares with nothing: every line added', async () => {
    const d = (await diff('single.nc')).body;
    expect(d.from).toBeNull();
    expect([d.kind, d.added, d.removed]).toEqual(['gcode', 4, 0]);
    expect(d.summary!.tools.added).toEqual([]);
  });

  test('unknown revisions 404, malformed ones 400, past the size limit 413', async () => {
    expect((await diff('op1.nc', { from: 'Q' })).status).toBe(404);
    expect((await diff('op1.nc', { to: 'deadbeef' })).status).toBe(404);
    const bad = await diff('op1.nc', { from: 'not a rev!' });
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'validation']);
    expect((await diff('missing.nc')).status).toBe(404);
    const big = await diff('big.txt');
    expect([big.status, big.body.error?.code]).toEqual([413, 'too_large']);
  });
});

describe('preview', () => {
  const preview = (path: string, q: Parameters<typeof api.filePreview>[2] = {}) => admin.get(api.filePreview(P, path, q));

  test('PDFs inline in a sandbox; images inline with their type', async () => {
    const pdf = await preview('sheet.pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(/^inline; filename="sheet.pdf"/);
    expect(pdf.headers.get('content-security-policy')).toBe('sandbox');
    expect(pdf.headers.get('x-content-type-options')).toBe('nosniff');
    const png = await preview('photo.png');
    expect([png.status, png.headers.get('content-type'), png.headers.get('content-disposition')?.split(';')[0]]).toEqual([
      200,
      'image/png',
      'inline',
    ]);
  });

  test('NC programs as text, or as a toolpath', async () => {
    const text = await preview('op1.nc', { rev: 'A' });
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(text.text).toBe(FANUC);
    const t = await preview('op1.nc', { rev: 'A', as: 'toolpath' });
    expect(t.headers.get('content-type')).toMatch(/^application\/json/);
    const path = t.body as Toolpath;
    expect(path.bounds).toEqual({ min: [-5, -5, -12], max: [50, 40, 25] });
    expect(path.moves.filter((m) => m.rapid).length).toBeGreaterThan(3);
    expect(path.moves.filter((m) => !m.rapid).length).toBeGreaterThan(3);
    const notGcode = await preview('notes.txt', { as: 'toolpath' });
    expect([notGcode.status, notGcode.body.error?.code]).toEqual([422, 'unprocessable']);
  });

  test('DXF as an SVG we draw: each entity kind, text escaped, no script', async () => {
    const r = await preview('plate.dxf');
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/svg+xml');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    for (const kind of ['line', 'arc', 'circle', 'polyline']) expect(r.text, kind).toContain(`<path class="${kind}"`);
    expect(r.text).toContain('BRACKET &lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;');
    expect(r.text).toContain('>MATERIAL</tspan><tspan');
    expect(r.text).not.toContain('<b>');
    // The INSERT's block circle lands at the insert point (80,20): its rightmost point x=83.
    expect(r.text).toMatch(/class="circle"[^>]*d="M83 -20L/);
    const broken = await preview('broken.dxf');
    expect([broken.status, broken.body.error?.code]).toEqual([422, 'unprocessable']);
  });

  test('CAD binaries and uploaded SVGs are never served: 415; past the limit 413; unknown revision 404', async () => {
    for (const p of ['fixture.mcam', 'part.step', 'logo.svg']) {
      const r = await preview(p);
      expect([r.status, r.body.error?.code], p).toEqual([415, 'unsupported_media_type']);
    }
    expect((await preview('big.txt')).status).toBe(413);
    expect((await preview('op1.nc', { rev: 'Q' })).status).toBe(404);
    expect((await preview('op1.nc', { rev: '!!' })).status).toBe(400);
  });
});
