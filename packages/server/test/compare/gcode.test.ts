import { describe, expect, test } from 'vitest';
import { looksLikeGcode, programFacts, readBlock, readProgram, toolpathOf } from '../../src/domain/gcode/index.js';
import { textDiff } from '../../src/services/compare.js';
import { FANUC, reformatted } from './programs.js';

const diff = (a: string, b: string, ignoreFormatting = true) => textDiff('op1.nc', Buffer.from(a), Buffer.from(b), ignoreFormatting);
const edit = (from: string, to: string) => FANUC.replace(from, to);

describe('reading blocks', () => {
  test('number formatting, case, spacing, sequence numbers and comments are not part of the key', () => {
    const keys = ['N10 G01 X1. Y-.5 F200.', 'n20g1x1.000y-0.5f200 (finish)', 'G1  X1.0 Y-0.50 F200 ; note', 'N0030 G1X+1Y-.500F200.0'].map(
      (l) => readBlock(l, 0)?.key,
    );
    expect(new Set(keys)).toEqual(new Set(['G1 X1 Y-0.5 F200']));
  });

  test('comment-only, blank, percent and N-only lines carry no code', () => {
    for (const l of ['', '   ', '(TOOL LIST)', '; note', '%', 'N100', 'N100 (comment)']) expect(readBlock(l, 0), l).toBeNull();
  });

  test('block delete stays significant; macro lines are compared as squeezed text', () => {
    expect(readBlock('/N10 M01', 0)?.key).toBe('/M1');
    expect(readBlock('#100 = #101 + 1.', 0)).toMatchObject({ parsed: false, key: '#100=#101+1.' });
  });

  test('tabs, comments inside a word, unclosed comments, signs and long numbers read as a control would', () => {
    const cases: Array<[string, string, boolean]> = [
      ['G1\tX1.', 'G1 X1', true],
      ['X (c) 1. Y2', 'X1 Y2', true],
      ['G1 X1 (unclosed', 'G1 X1', true],
      ['x-0.000 y+00.500 z.5', 'X0 Y0.5 Z0.5', true],
      ['G1X1Y2;(c)', 'G1 X1 Y2', true],
      ['T1 (é) M6', 'T1 M6', true],
      ['G1 X1 \v', 'G1 X1', true],
      ['X1.2.3', 'X1.2.3', false],
      ['X\t1', 'X1', false],
      ['X1 ) Y2', 'X1)Y2', false],
      ['G1 Xé1', 'G1Xé1', false],
    ];
    for (const [line, key, parsed] of cases) expect(readBlock(line, 0), line).toMatchObject({ key, parsed });
    expect(readBlock('X123456789012345678.5 Y-0.1', 0)!.words).toEqual([
      { letter: 'X', value: Number('123456789012345678.5') },
      { letter: 'Y', value: -0.1 },
    ]);
    expect(Object.is(readBlock('Z-0.', 0)!.words[0]!.value, -0)).toBe(true);
  });

  test('a parts list in a .txt is not G-code; a program is', () => {
    expect(looksLikeGcode(readProgram('Bracket, qty 40\nMaterial: 6061\nDeburr all edges\n'))).toBe(false);
    expect(looksLikeGcode(readProgram(FANUC))).toBe(true);
  });
});

describe('program facts', () => {
  test('tools, speeds, feeds, offsets, program number, units and extent of the Fanuc program', () => {
    const f = programFacts(readProgram(FANUC));
    expect(f.tools).toEqual([5, 12]);
    expect(f.spindleSpeeds).toEqual([2500, 8000]);
    expect(f.feeds).toEqual([150, 200, 500]);
    expect(f.workOffsets).toEqual(['G54']);
    expect(f.programNumbers).toEqual(['O1234']);
    expect(f.units).toBe('mm');
    // The G28 reference returns and the G43 H words do not count; the drill goes to Z-12.
    expect(f.extent).toEqual({ min: { x: -5, y: -5, z: -12 }, max: { x: 50, y: 40, z: 25 } });
  });

  test('incremental moves (G91) add up; inch programs say so', () => {
    const f = programFacts(readProgram('O5\nG20 G90 G55 G0 X0 Y0 Z1.\nG91 G1 X1. F20.\nX1.\nY-2.\nG90\nM30\n'));
    expect(f.units).toBe('inch');
    expect(f.workOffsets).toEqual(['G55']);
    expect(f.extent).toEqual({ min: { x: 0, y: -2, z: 1 }, max: { x: 2, y: 0, z: 1 } });
  });
});

describe('G-code aware diff', () => {
  test('a renumbered, re-commented, re-formatted program has no differences', () => {
    const other = reformatted(FANUC);
    expect(other).not.toBe(FANUC);
    const d = diff(FANUC, other);
    expect(d.kind).toBe('gcode');
    expect(d.identical).toBe(true);
    expect(d.hunks).toEqual([]);
    expect(d.summary!.text).toBe('extent unchanged');
    expect(d.message).toBe('no differences but formatting; extent unchanged');
    // …and with ignoreFormatting off nearly every line differs.
    const raw = diff(FANUC, other, false);
    expect(raw.identical).toBe(false);
    expect(raw.removed).toBeGreaterThan(25);
  });

  test('a new tool shows as exactly that, with the original lines in the hunk', () => {
    const d = diff(FANUC, edit('N170 T12 M06 (6.8 DRILL)', 'N170 T7 M06 (7.0 DRILL)'));
    expect(d.summary!.text).toBe('T12 removed, T7 added; extent unchanged');
    expect(d.summary!.tools).toMatchObject({ added: [7], removed: [12] });
    expect(d.hunks).toHaveLength(1);
    const changed = d.hunks[0]!.lines.filter((l) => l.op !== ' ');
    expect(changed).toEqual([
      { op: '-', text: 'N170 T12 M06 (6.8 DRILL)', oldLine: 20 },
      { op: '+', text: 'N170 T7 M06 (7.0 DRILL)', newLine: 20 },
    ]);
    expect(d.hunks[0]).toMatchObject({ oldStart: 17, oldLines: 7, newStart: 17, newLines: 7 });
  });

  test('speed, feed, work offset and program number changes are named, nothing else', () => {
    const changedProgram = FANUC.replace('O1234', 'O1235')
      .replace('G54 G00 X-5. Y-5. S8000', 'G55 G00 X-5. Y-5. S9500')
      .replace('N80 X40. F500.', 'N80 X40. F650.')
      .replace('N180 G90 G54', 'N180 G90 G55');
    const d = diff(FANUC, changedProgram);
    expect(d.summary!.text).toBe('S2500/8000→2500/9500; F150/200/500→150/200/650; G54→G55; program O1234→O1235; extent unchanged');
    expect(d.added).toBe(4);
    expect(d.removed).toBe(4);
  });

  test('a longer cut changes the extent', () => {
    const d = diff(FANUC, edit('N130 Y0.', 'N130 Y-8.'));
    expect(d.summary!.extent.changed).toBe(true);
    expect(d.summary!.text).toBe('extent Y -5…40→-8…40');
  });

  test('a formatting-only edit next to a real one: the hunk shows both sides of the context line', () => {
    const d = diff(FANUC, edit('N60 Z2.', 'N60 Z2.000').replace('N70 G01 Z-3. F200.', 'N70 G01 Z-4. F200.'));
    const lines = d.hunks[0]!.lines;
    expect(lines.find((l) => l.newLine === 9)).toEqual({ op: ' ', text: 'N60 Z2.000', oldText: 'N60 Z2.', oldLine: 9, newLine: 9 });
    expect(lines.filter((l) => l.op !== ' ').map((l) => l.text)).toEqual(['N70 G01 Z-3. F200.', 'N70 G01 Z-4. F200.']);
  });

  test('a side read before (same blob id) gives the same diff, and the same blob under a text name is read as text', () => {
    const a = Buffer.from(FANUC);
    const b = Buffer.from(edit('N170 T12 M06', 'N170 T7 M06'));
    const blobs = { before: 'blob-a', after: 'blob-b' };
    const first = textDiff('op1.nc', a, b, true, blobs);
    expect(textDiff('op1.nc', a, b, true, blobs)).toEqual(first);
    expect(first).toEqual(diff(FANUC, edit('N170 T12 M06', 'N170 T7 M06')));
    const asText = textDiff('op1.md', a, b, true, blobs);
    expect([asText.kind, asText.summary]).toEqual(['text', null]);
  });

  test('a .nc file that does not read as G-code still diffs as text', () => {
    const d = textDiff('notes.nc', Buffer.from('first draft\nof the setup notes\n'), Buffer.from('first draft\nof the set-up notes\n'));
    expect(d.kind).toBe('text');
    expect(d.summary).toBeNull();
    expect(d.hunks[0]!.lines.map((l) => l.op + l.text)).toEqual([' first draft', '-of the setup notes', '+of the set-up notes']);
  });
});

describe('toolpath', () => {
  test('rapids and feeds are separate runs; arcs become chords ending exactly on the end point', () => {
    const t = toolpathOf(readProgram(FANUC));
    expect(t.moves.some((m) => m.rapid)).toBe(true);
    expect(t.moves.some((m) => !m.rapid)).toBe(true);
    expect(t.bounds).toEqual({ min: [-5, -5, -12], max: [50, 40, 25] });
    // The G03 from (40,-5) to (50,5) about (40,5) is flattened into many points on its 10 mm radius.
    const cut = t.moves.find((m) => !m.rapid && m.points.length > 30)!;
    const pts = [];
    for (let i = 0; i < cut.points.length; i += 3) pts.push([cut.points[i]!, cut.points[i + 1]!]);
    const onArc = pts.filter(([x, y]) => Math.abs(Math.hypot(x! - 40, y! - 5) - 10) < 1e-3);
    expect(onArc.length).toBeGreaterThan(10);
    expect(pts).toContainEqual([50, 5]);
  });

  test('an R arc with a negative radius takes the long way round', () => {
    // Chord (0,0)→(6,0) with R5: centres at (3,±4). Clockwise, the short arc peaks at y=1, the long one at y=9.
    const short = toolpathOf(readProgram('G90 G0 X0 Y0 Z0\nG2 X6. Y0 R5.\n'));
    const long = toolpathOf(readProgram('G90 G0 X0 Y0 Z0\nG2 X6. Y0 R-5.\n'));
    expect(short.bounds!.max[1]).toBeCloseTo(1, 2);
    expect(long.bounds!.max[1]).toBeCloseTo(9, 2);
  });
});
