/**
 * What a programmer checks first when an NC program changes: tools, spindle speeds, feeds, work
 * offsets, program number and how far the motion reaches. Pure: no I/O.
 */
import type { Extent, GcodeSummary } from '@lockstep/protocol';
import { canonicalNumber, programUnits, type Program } from './blocks.js';
import { runMachine } from './machine.js';

export interface ProgramFacts {
  tools: number[];
  spindleSpeeds: number[];
  feeds: number[];
  workOffsets: string[];
  programNumbers: string[];
  units: 'mm' | 'inch' | null;
  extent: Extent | null;
}

const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);

function workOffset(g: number, p: number | undefined): string | null {
  if (g >= 54 && g <= 59 && Number.isInteger(g)) return `G${g}`;
  if (g === 54.1) return p === undefined ? 'G54.1' : `G54.1 P${canonicalNumber(String(p))}`;
  if (g >= 110 && g <= 129 && Number.isInteger(g)) return `G${g}`; // Haas extended offsets
  return null;
}

/** The first P word of block `b`. */
function pWord(p: Program, b: number): number | undefined {
  for (let w = p.wordStart[b]!; w < p.wordStart[b + 1]!; w++) if (p.letters[w] === 80) return p.values[w];
  return undefined;
}

export function programFacts(p: Program): ProgramFacts {
  const tools = new Set<number>();
  const speeds = new Set<number>();
  const feeds = new Set<number>();
  const offsets = new Set<string>();
  const programs: string[] = [];
  const { letters, values, wordStart } = p;
  for (let b = 0; b < p.parsed.length; b++) {
    for (let w = wordStart[b]!; w < wordStart[b + 1]!; w++) {
      const letter = letters[w]!;
      const value = values[w]!;
      if (letter === 84) tools.add(value);
      else if (letter === 83) speeds.add(value);
      else if (letter === 70) feeds.add(value);
      else if (letter === 79) programs.push(`O${canonicalNumber(String(value))}`);
      else if (letter === 71 && value >= 54) {
        const off = workOffset(value, pWord(p, b));
        if (off) offsets.add(off);
      }
    }
  }
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  runMachine(p, {
    move(_rapid, _from, to) {
      for (let n = 0; n < 3; n++) {
        const a = to[n]!;
        if (a < min[n]!) min[n] = a;
        if (a > max[n]!) max[n] = a;
      }
    },
  });
  const axes = (v: number[]) => ({ x: fin(v[0]!), y: fin(v[1]!), z: fin(v[2]!) });
  return {
    tools: sorted(tools),
    spindleSpeeds: sorted(speeds),
    feeds: sorted(feeds),
    workOffsets: [...offsets].sort(),
    programNumbers: [...new Set(programs)],
    units: programUnits(p),
    extent: min[0] === Infinity && min[1] === Infinity && min[2] === Infinity ? null : { min: axes(min), max: axes(max) },
  };
}

const fin = (n: number) => (Number.isFinite(n) ? Math.round(n * 1e4) / 1e4 : null);

const same = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const minus = <T>(a: readonly T[], b: readonly T[]) => a.filter((x) => !b.includes(x));

function sameExtent(a: Extent | null, b: Extent | null): boolean {
  if (!a || !b) return a === b;
  return (['min', 'max'] as const).every((k) => (['x', 'y', 'z'] as const).every((ax) => a[k][ax] === b[k][ax]));
}

const num = (n: number) => canonicalNumber(String(n));

/** "S8000→9500", or for long lists "S: +12000 −8000". */
function beforeAfter(letter: string, before: number[], after: number[]): string | null {
  if (same(before, after)) return null;
  if (before.length <= 3 && after.length <= 3) {
    const side = (v: number[]) => (v.length ? v.map(num).join('/') : 'none');
    return `${letter}${side(before)}→${side(after)}`;
  }
  const added = minus(after, before).map(num);
  const removed = minus(before, after).map(num);
  const parts = [
    added.length ? `+${added.slice(0, 5).join(' +')}${added.length > 5 ? ' …' : ''}` : '',
    removed.length ? `−${removed.slice(0, 5).join(' −')}${removed.length > 5 ? ' …' : ''}` : '',
  ];
  return `${letter}: ${parts.filter(Boolean).join(' ')}`;
}

function extentText(a: Extent | null, b: Extent | null): string {
  if (sameExtent(a, b)) return 'extent unchanged';
  if (!a || !b) return a ? 'no motion any more' : 'motion added';
  const changed = (['x', 'y', 'z'] as const)
    .filter((ax) => a.min[ax] !== b.min[ax] || a.max[ax] !== b.max[ax])
    .map((ax) => `${ax.toUpperCase()} ${range(a, ax)}→${range(b, ax)}`);
  return `extent ${changed.join(', ')}`;
}

const range = (e: Extent, ax: 'x' | 'y' | 'z') => `${e.min[ax] ?? '?'}…${e.max[ax] ?? '?'}`;

export function compareFacts(before: ProgramFacts, after: ProgramFacts): GcodeSummary {
  const added = minus(after.tools, before.tools);
  const removed = minus(before.tools, after.tools);
  const parts: string[] = [];
  const toolText = [
    removed.length ? `${removed.map((t) => `T${num(t)}`).join(', ')} removed` : '',
    added.length ? `${added.map((t) => `T${num(t)}`).join(', ')} added` : '',
  ]
    .filter(Boolean)
    .join(', ');
  if (toolText) parts.push(toolText);
  for (const [letter, b, a] of [
    ['S', before.spindleSpeeds, after.spindleSpeeds],
    ['F', before.feeds, after.feeds],
  ] as const) {
    const t = beforeAfter(letter, b, a);
    if (t) parts.push(t);
  }
  if (!same(before.workOffsets, after.workOffsets))
    parts.push(`${before.workOffsets.join('/') || 'no offset'}→${after.workOffsets.join('/') || 'no offset'}`);
  if (!same(before.programNumbers, after.programNumbers))
    parts.push(`program ${before.programNumbers.join('/') || 'none'}→${after.programNumbers.join('/') || 'none'}`);
  if (before.units !== after.units) parts.push(`units ${before.units ?? 'unset'}→${after.units ?? 'unset'}`);
  const extentChanged = !sameExtent(before.extent, after.extent);
  parts.push(extentText(before.extent, after.extent));
  return {
    tools: { before: before.tools, after: after.tools, added, removed },
    spindleSpeeds: { before: before.spindleSpeeds, after: after.spindleSpeeds },
    feeds: { before: before.feeds, after: after.feeds },
    workOffsets: { before: before.workOffsets, after: after.workOffsets },
    programNumbers: { before: before.programNumbers, after: after.programNumbers },
    units: { before: before.units, after: after.units },
    extent: { before: before.extent, after: after.extent, changed: extentChanged },
    text: parts.join('; '),
  };
}
