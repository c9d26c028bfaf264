/**
 * Unified hunks over ORIGINAL lines from a diff of comparison keys. Pure: no I/O.
 *
 * Each side lists the lines that count (`keys`, with `at`: their original line index). For plain
 * text every line counts and its key is its text; for G-code the key is the normalised block and
 * blank/comment-only lines do not count. jsdiff aligns the keys; the hunks then show the original
 * lines, with the lines that do not count carried along as context.
 */
import { diffArrays } from 'diff';
import type { DiffHunk, DiffLine } from '@lockstep/protocol';

export interface DiffSideInput {
  lines: readonly string[];
  keys: readonly string[];
  /** Original line index of each key. */
  at: ArrayLike<number>;
}

export interface LineDiff {
  hunks: DiffHunk[];
  added: number;
  removed: number;
  aligned: boolean;
  truncated: boolean;
}

export interface LineDiffOptions {
  context?: number;
  /** Give up aligning after this long (very different files): one replacement hunk instead. */
  timeoutMs?: number;
  maxLines?: number;
}

/** Every original line is one key. */
export const plainSide = (lines: readonly string[]): DiffSideInput => ({ lines, keys: lines, at: lines.map((_, i) => i) });

type Row = { op: ' '; o: number; n: number } | { op: '-'; o: number } | { op: '+'; n: number };

function alignedRows(a: DiffSideInput, b: DiffSideInput, timeoutMs: number): { rows: Row[]; aligned: boolean } {
  // Common ends first: the usual small edit leaves jsdiff only the middle to align.
  let head = 0;
  while (head < a.keys.length && head < b.keys.length && a.keys[head] === b.keys[head]) head++;
  let tail = 0;
  while (
    tail < a.keys.length - head &&
    tail < b.keys.length - head &&
    a.keys[a.keys.length - 1 - tail] === b.keys[b.keys.length - 1 - tail]
  )
    tail++;
  const rows: Row[] = [];
  for (let i = 0; i < head; i++) rows.push({ op: ' ', o: i, n: i });
  const midA = a.keys.slice(head, a.keys.length - tail);
  const midB = b.keys.slice(head, b.keys.length - tail);
  const changes = midA.length && midB.length ? diffArrays(midA, midB, { timeout: timeoutMs }) : null;
  let aligned = true;
  let o = head,
    n = head;
  if (changes) {
    for (const c of changes) {
      for (let k = 0; k < c.count; k++) {
        if (c.added) rows.push({ op: '+', n: n++ });
        else if (c.removed) rows.push({ op: '-', o: o++ });
        else rows.push({ op: ' ', o: o++, n: n++ });
      }
    }
  } else {
    aligned = !(midA.length && midB.length);
  }
  // Nothing aligned in the middle (one side empty, or jsdiff timed out): all removed, then all added.
  while (o < a.keys.length - tail) rows.push({ op: '-', o: o++ });
  while (n < b.keys.length - tail) rows.push({ op: '+', n: n++ });
  for (let i = 0; i < tail; i++) rows.push({ op: ' ', o: o++, n: n++ });
  return { rows, aligned };
}

export function lineDiff(a: DiffSideInput, b: DiffSideInput, opts: LineDiffOptions = {}): LineDiff {
  const context = opts.context ?? 3;
  const maxLines = opts.maxLines ?? 20_000;
  const { rows, aligned } = alignedRows(a, b, opts.timeoutMs ?? 2_000);
  let added = 0,
    removed = 0;
  const changed: number[] = [];
  rows.forEach((r, i) => {
    if (r.op === '+') added++;
    if (r.op === '-') removed++;
    if (r.op !== ' ') changed.push(i);
  });
  // Row ranges of the hunks: each change with `context` rows around it, overlapping ranges merged.
  const ranges: Array<[number, number]> = [];
  for (const i of changed) {
    const lo = Math.max(0, i - context);
    const hi = Math.min(rows.length - 1, i + context);
    const last = ranges[ranges.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else ranges.push([lo, hi]);
  }
  const hunks: DiffHunk[] = [];
  let emitted = 0;
  let truncated = false;
  for (const [lo, hi] of ranges) {
    if (emitted >= maxLines) {
      truncated = true;
      break;
    }
    const hunk = renderHunk(a, b, rows, lo, hi);
    emitted += hunk.lines.length;
    hunks.push(hunk);
  }
  return { hunks, added, removed, aligned, truncated };
}

const oldAt = (a: DiffSideInput, r: Row) => ('o' in r ? a.at[r.o]! : -1);
const newAt = (b: DiffSideInput, r: Row) => ('n' in r ? b.at[r.n]! : -1);

function renderHunk(a: DiffSideInput, b: DiffSideInput, rows: Row[], lo: number, hi: number): DiffHunk {
  const lines: DiffLine[] = [];
  // Original line positions reached so far on each side (the next line to show).
  let nextOld = -1,
    nextNew = -1;
  for (let i = lo; i <= hi; i++) {
    const r = rows[i]!;
    const oa = oldAt(a, r),
      na = newAt(b, r);
    // Lines that do not count, between the previous row and this one, travel as context.
    {
      const olds: number[] = [];
      const news: number[] = [];
      if (oa >= 0 && nextOld >= 0) for (let k = nextOld; k < oa; k++) olds.push(k);
      if (na >= 0 && nextNew >= 0) for (let k = nextNew; k < na; k++) news.push(k);
      for (let k = 0; k < Math.max(olds.length, news.length); k++) lines.push(contextLine(a, b, olds[k], news[k]));
    }
    if (r.op === ' ') lines.push(contextLine(a, b, oa, na));
    else if (r.op === '-') lines.push({ op: '-', text: a.lines[oa]!, oldLine: oa + 1 });
    else lines.push({ op: '+', text: b.lines[na]!, newLine: na + 1 });
    if (oa >= 0) nextOld = oa + 1;
    if (na >= 0) nextNew = na + 1;
  }
  const oldNumbers = lines.flatMap((l) => (l.oldLine ? [l.oldLine] : []));
  const newNumbers = lines.flatMap((l) => (l.newLine ? [l.newLine] : []));
  return {
    oldStart: oldNumbers[0] ?? lineBefore(a, rows, lo, 'o'),
    oldLines: oldNumbers.length,
    newStart: newNumbers[0] ?? lineBefore(b, rows, lo, 'n'),
    newLines: newNumbers.length,
    lines,
  };
}

/** For a side with no lines in the hunk: the line after which the change goes, as in `diff -u`. */
function lineBefore(side: DiffSideInput, rows: Row[], lo: number, key: 'o' | 'n'): number {
  for (let i = lo - 1; i >= 0; i--) {
    const r = rows[i] as Partial<Record<'o' | 'n', number>>;
    if (r[key] !== undefined) return side.at[r[key]]! + 1;
  }
  return 0;
}

function contextLine(a: DiffSideInput, b: DiffSideInput, o: number | undefined, n: number | undefined): DiffLine {
  const oldText = o !== undefined && o >= 0 ? a.lines[o] : undefined;
  const newText = n !== undefined && n >= 0 ? b.lines[n] : undefined;
  const line: DiffLine = { op: ' ', text: newText ?? oldText ?? '' };
  if (oldText !== undefined && newText !== undefined && oldText !== newText) line.oldText = oldText;
  if (oldText !== undefined) line.oldLine = o! + 1;
  if (newText !== undefined) line.newLine = n! + 1;
  return line;
}
