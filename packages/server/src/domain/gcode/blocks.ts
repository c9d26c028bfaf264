/**
 * Reads NC program lines into blocks of words (Fanuc/Haas dialect). Pure: no I/O.
 *
 * Each line gets a `key`: its words without the sequence number, in canonical spelling
 * (`n10 g01 x1. (ROUGH)` and `N20G1X1.000` both give `G1 X1`). Two lines with the same key do
 * the same thing, so the diff compares keys and shows the original text.
 */

export interface Word {
  letter: string;
  value: number;
}

export interface Block {
  /** 0-based index of the line in the original text. */
  line: number;
  /** Canonical words joined by spaces; '' when the line carries no code (blank, comment, N only, %). */
  key: string;
  words: Word[];
  /** False for lines that are not plain words (macro B expressions, garbage): their key is the squeezed text. */
  parsed: boolean;
}

export interface Program {
  lines: string[];
  /** Lines that carry code, in order. */
  blocks: Block[];
  /** Blocks that could not be read as words. */
  unparsed: number;
}

// Letter, optional spaces, a signed decimal number: X-.5, Y+1., F200, G01.
const WORD = /([A-Z])\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*/y;

export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  // A final newline ends the last line rather than starting an empty one.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Canonical spelling of a number: X1. = X1.0 = X1.000 → 1; Z-.5 → -0.5; G01 → 1. */
export function canonicalNumber(raw: string): string {
  const n = Number(raw);
  return Object.is(n, -0) ? '0' : String(n);
}

function stripComments(line: string): string {
  // Fanuc comments do not nest; an unclosed "(" comments out the rest of the line.
  let out = line.replace(/\([^)]*\)?/g, ' ');
  const semi = out.indexOf(';');
  if (semi >= 0) out = out.slice(0, semi);
  return out;
}

export function readBlock(raw: string, line: number): Block | null {
  const code = stripComments(raw).trim().toUpperCase();
  if (code === '' || code === '%') return null;
  let body = code;
  let prefix = '';
  if (body.startsWith('/')) {
    // Block delete ("/N100 G0 X1") is an operator switch: it matters, keep it in the key.
    prefix = '/';
    body = body.slice(1).trimStart();
  }
  const words: Word[] = [];
  const parts: string[] = [];
  WORD.lastIndex = 0;
  let pos = 0;
  while (pos < body.length) {
    WORD.lastIndex = pos;
    const m = WORD.exec(body);
    if (!m) {
      // Not plain words: compare the text with spaces squeezed out (controls ignore them).
      return { line, key: prefix + body.replace(/\s+/g, ''), words: [], parsed: false };
    }
    pos = WORD.lastIndex;
    const letter = m[1]!;
    const value = Number(m[2]);
    if (letter === 'N') continue; // sequence numbers are labels, not behaviour
    words.push({ letter, value });
    parts.push(letter + canonicalNumber(m[2]!));
  }
  if (!parts.length) return prefix ? { line, key: prefix, words, parsed: true } : null;
  return { line, key: prefix + parts.join(' '), words, parsed: true };
}

export function readProgram(text: string): Program {
  const lines = splitLines(text);
  const blocks: Block[] = [];
  let unparsed = 0;
  for (let i = 0; i < lines.length; i++) {
    const b = readBlock(lines[i]!, i);
    if (!b) continue;
    if (!b.parsed) unparsed++;
    blocks.push(b);
  }
  return { lines, blocks, unparsed };
}

/**
 * Does this read as an NC program? Most code lines must be plain words and some must be G or M
 * codes (a parts list or a note in a .txt file is not). Macro lines are tolerated.
 */
export function looksLikeGcode(p: Program): boolean {
  if (!p.blocks.length) return false;
  if (p.unparsed > p.blocks.length * 0.2) return false;
  const motion = p.blocks.filter((b) => b.words.some((w) => w.letter === 'G' || w.letter === 'M')).length;
  return motion >= Math.min(3, p.blocks.length) && motion >= p.blocks.length * 0.05;
}
