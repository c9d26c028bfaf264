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

export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  // A final newline ends the last line rather than starting an empty one.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Canonical spelling of a number, done on the text (X1. = X1.0 = X1.000 → 1; Z-.5 → -0.5; G01 → 1;
 * +2 → 2; -0 → 0): string work is several times cheaper than String(Number(raw)) on 10⁶ words.
 */
export function canonicalNumber(raw: string): string {
  // Fast path, most words of CAM output: "12.345", "-3.5", "200": already canonical.
  const first = raw.charCodeAt(0);
  const last = raw.charCodeAt(raw.length - 1);
  const digitStart = first === 45 ? raw.charCodeAt(1) : first;
  if (digitStart > 48 && digitStart <= 57 && last !== 46 && (last !== 48 || !raw.includes('.'))) return raw;
  let sign = '';
  let s = raw;
  if (s[0] === '+' || s[0] === '-') {
    sign = s[0] === '-' ? '-' : '';
    s = s.slice(1);
  }
  let dot = s.indexOf('.');
  if (dot >= 0) {
    let end = s.length;
    while (end > dot + 1 && s.charCodeAt(end - 1) === 48) end--; // trailing zeros
    if (end === dot + 1) end = dot; // and a bare point
    s = s.slice(0, end);
    dot = s.indexOf('.');
  }
  let start = 0;
  const intEnd = dot >= 0 ? dot : s.length;
  while (start < intEnd - 1 && s.charCodeAt(start) === 48) start++; // leading zeros, keep one
  s = s.slice(start);
  if (s === '' || s[0] === '.') s = '0' + s;
  return s === '0' ? '0' : sign + s;
}

function stripComments(line: string): string {
  // Fanuc comments do not nest; an unclosed "(" comments out the rest of the line.
  let out = line.includes('(') ? line.replace(/\([^)]*\)?/g, ' ') : line;
  const semi = out.indexOf(';');
  if (semi >= 0) out = out.slice(0, semi);
  return out;
}

// Not plain words (macro B, garbage): compare the text with spaces squeezed out (controls ignore them).
const unparsed = (line: number, prefix: string, body: string): Block => ({
  line,
  key: prefix + body.replace(/\s+/g, ''),
  words: [],
  parsed: false,
});

export function readBlock(raw: string, line: number): Block | null {
  let code = stripComments(raw).trim();
  if (/[a-z]/.test(code)) code = code.toUpperCase();
  if (code === '' || code === '%') return null;
  let body = code;
  let prefix = '';
  if (body.startsWith('/')) {
    // Block delete ("/N100 G0 X1") is an operator switch: it matters, keep it in the key.
    prefix = '/';
    body = body.slice(1).trimStart();
  }
  const words: Word[] = [];
  let key = '';
  let pos = 0;
  const n = body.length;
  while (pos < n) {
    const letter = body.charCodeAt(pos);
    if (letter < 65 || letter > 90) return unparsed(line, prefix, body);
    pos++;
    while (pos < n && body.charCodeAt(pos) === 32) pos++;
    const numStart = pos;
    if (pos < n && (body[pos] === '+' || body[pos] === '-')) pos++;
    let digits = 0;
    let dots = 0;
    for (; pos < n; pos++) {
      const c = body.charCodeAt(pos);
      if (c >= 48 && c <= 57) digits++;
      else if (c === 46 && dots === 0) dots++;
      else break;
    }
    if (digits === 0) return unparsed(line, prefix, body);
    const raw = body.slice(numStart, pos);
    while (pos < n && (body.charCodeAt(pos) === 32 || body.charCodeAt(pos) === 9)) pos++;
    if (letter === 78) continue; // N: sequence numbers are labels, not behaviour
    const ch = String.fromCharCode(letter);
    words.push({ letter: ch, value: Number(raw) });
    key += (key ? ' ' : '') + ch + canonicalNumber(raw);
  }
  if (!key) return prefix ? { line, key: prefix, words, parsed: true } : null;
  return { line, key: prefix + key, words, parsed: true };
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
