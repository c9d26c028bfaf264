/**
 * Reads NC program lines into blocks of words (Fanuc/Haas dialect). Pure: no I/O.
 *
 * Each line gets a `key`: its words without the sequence number, in canonical spelling
 * (`n10 g01 x1. (ROUGH)` and `N20G1X1.000` both give `G1 X1`). Two lines with the same key do
 * the same thing, so the diff compares keys and shows the original text.
 *
 * A program is read into flat arrays (one entry per block, one per word) rather than an object
 * per block and per word: a 50,000-line CAM program has ~300,000 words, and as objects they cost
 * more in garbage collection than the reading itself.
 */

export interface Word {
  letter: string;
  value: number;
}

/** One block as objects, for callers that look at a single line. */
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
  /** Per block (a line that carries code), in order: its key… */
  keys: string[];
  /** …its 0-based line in `lines`… */
  lineOf: Int32Array;
  /** …1 if it was read as words (0: macro B or garbage, no words)… */
  parsed: Uint8Array;
  /** …and its words: `letters`/`values` from wordStart[b] to wordStart[b + 1]. */
  wordStart: Int32Array;
  /** Char code of each word's letter (A–Z). */
  letters: Uint8Array;
  values: Float64Array;
  /** Blocks that could not be read as words. */
  unparsed: number;
}

export const blockCount = (p: Program) => p.keys.length;

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

/** Growable flat storage of a program's blocks and words. */
class ProgramBuilder {
  keys: string[] = [];
  lineOf: Int32Array;
  parsed: Uint8Array;
  wordStart: Int32Array;
  letters: Uint8Array;
  values: Float64Array;
  blocks = 0;
  words = 0;
  unparsed = 0;

  constructor(blocks: number, words: number) {
    this.lineOf = new Int32Array(Math.max(blocks, 16));
    this.parsed = new Uint8Array(this.lineOf.length);
    this.wordStart = new Int32Array(this.lineOf.length + 1);
    this.letters = new Uint8Array(Math.max(words, 64));
    this.values = new Float64Array(this.letters.length);
  }

  word(letter: number, value: number): void {
    if (this.words === this.letters.length) {
      this.letters = grown(this.letters, new Uint8Array(this.words * 2));
      this.values = grown(this.values, new Float64Array(this.words * 2));
    }
    this.letters[this.words] = letter;
    this.values[this.words++] = value;
  }

  /** Ends a block whose words were added since the last one. */
  block(line: number, key: string, parsed: boolean): void {
    const b = this.blocks;
    if (b === this.lineOf.length) {
      this.lineOf = grown(this.lineOf, new Int32Array(b * 2));
      this.parsed = grown(this.parsed, new Uint8Array(b * 2));
      this.wordStart = grown(this.wordStart, new Int32Array(b * 2 + 1));
    }
    this.keys.push(key);
    this.lineOf[b] = line;
    this.parsed[b] = parsed ? 1 : 0;
    if (!parsed) this.unparsed++;
    this.blocks = b + 1;
    this.wordStart[b + 1] = this.words;
  }

  /** Forgets the words added since the last block (a line that turned out not to be plain words). */
  dropWords(): void {
    this.words = this.wordStart[this.blocks]!;
  }

  program(lines: string[]): Program {
    const b = this.blocks;
    return {
      lines,
      keys: this.keys,
      lineOf: this.lineOf.subarray(0, b),
      parsed: this.parsed.subarray(0, b),
      wordStart: this.wordStart.subarray(0, b + 1),
      letters: this.letters.subarray(0, this.words),
      values: this.values.subarray(0, this.words),
      unparsed: this.unparsed,
    };
  }
}

function grown<T extends Int32Array | Uint8Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** From `pos`, past spaces (and tabs unless `spacesOnly`) and comments, which read as a space; stops at ';' or the end. */
function skipBlank(raw: string, pos: number, spacesOnly: boolean): number {
  const n = raw.length;
  for (; pos < n; pos++) {
    const c = raw.charCodeAt(pos);
    if (c === 32 || (c === 9 && !spacesOnly)) continue;
    if (c !== 40) return pos;
    // Fanuc comments do not nest; an unclosed "(" comments out the rest of the line.
    const close = raw.indexOf(')', pos + 1);
    if (close < 0) return n;
    pos = close;
  }
  return n;
}

/** The key being spelled, as Latin-1 bytes: one flat string per key, no concatenations. */
let spelling = Buffer.alloc(256);

/**
 * The common line, in one pass over its characters: ASCII words, spaces, tabs, `( … )` and `;`
 * comments. Adds its block (if it carries code) and returns true, or returns false with nothing
 * added for anything else — block delete, `%`, macro B, other characters — which `readSlow` then
 * reads. Gives the same result as `readSlow` on every line it accepts.
 */
function readFast(raw: string, line: number, into: ProgramBuilder): boolean {
  const n = raw.length;
  // A key is at most twice its line (".5" → "0.5", "X1Y2" → "X1 Y2").
  if (spelling.length < 2 * n + 2) spelling = Buffer.alloc(2 * n + 2);
  const out = spelling;
  let len = 0;
  let pos = skipBlank(raw, 0, false);
  while (pos < n) {
    let letter = raw.charCodeAt(pos);
    if (letter === 59) break; // ';' ends the code
    if (letter >= 97 && letter <= 122) letter -= 32;
    if (letter < 65 || letter > 90) return abandon(into);
    pos = skipBlank(raw, pos + 1, true);
    const numStart = pos;
    let c = pos < n ? raw.charCodeAt(pos) : 0;
    const negative = c === 45;
    if (negative || c === 43) pos++;
    const intStart = pos;
    let intEnd = -1;
    let mantissa = 0;
    for (; pos < n; pos++) {
      c = raw.charCodeAt(pos);
      if (c >= 48 && c <= 57) mantissa = mantissa * 10 + (c - 48);
      else if (c === 46 && intEnd < 0) intEnd = pos;
      else break;
    }
    const numEnd = pos;
    const hasDot = intEnd >= 0;
    if (!hasDot) intEnd = numEnd;
    const fracStart = hasDot ? intEnd + 1 : numEnd;
    const digits = intEnd - intStart + (numEnd - fracStart);
    if (digits === 0) return abandon(into);
    pos = skipBlank(raw, pos, false);
    if (letter === 78) continue; // N: sequence numbers are labels, not behaviour
    // m / 10^f is Number(text) exactly up to 15 digits: both exactly representable, one correctly rounded division.
    const magnitude = mantissa / POW10[numEnd - fracStart]!;
    into.word(letter, digits > 15 ? Number(raw.slice(numStart, numEnd)) : negative ? -magnitude : magnitude);
    // The number in canonical spelling (as canonicalNumber): no "+", no leading or trailing zeros, no bare point, "-0" → "0".
    if (len) out[len++] = 32;
    out[len++] = letter;
    let fracEnd = numEnd;
    while (fracEnd > fracStart && raw.charCodeAt(fracEnd - 1) === 48) fracEnd--;
    let from = intStart;
    while (from < intEnd - 1 && raw.charCodeAt(from) === 48) from++;
    const zero = fracEnd === fracStart && (from === intEnd || (from === intEnd - 1 && raw.charCodeAt(from) === 48));
    if (zero) {
      out[len++] = 48;
      continue;
    }
    if (negative) out[len++] = 45;
    if (from === intEnd) out[len++] = 48;
    for (let k = from; k < intEnd; k++) out[len++] = raw.charCodeAt(k);
    if (fracEnd > fracStart) {
      out[len++] = 46;
      for (let k = fracStart; k < fracEnd; k++) out[len++] = raw.charCodeAt(k);
    }
  }
  if (len) into.block(line, out.toString('latin1', 0, len), true); // else blank, comments or N only: no code
  return true;
}

function abandon(into: ProgramBuilder): false {
  into.dropWords();
  return false;
}

function stripComments(line: string): string {
  // Fanuc comments do not nest; an unclosed "(" comments out the rest of the line.
  let out = line.includes('(') ? line.replace(/\([^)]*\)?/g, ' ') : line;
  const semi = out.indexOf(';');
  if (semi >= 0) out = out.slice(0, semi);
  return out;
}

/** Every line, the general way (regular expressions, string copies); adds its block if it carries code. */
function readSlow(raw: string, line: number, into: ProgramBuilder): void {
  let code = stripComments(raw).trim();
  if (/[a-z]/.test(code)) code = code.toUpperCase();
  if (code === '' || code === '%') return;
  let body = code;
  let prefix = '';
  if (body.startsWith('/')) {
    // Block delete ("/N100 G0 X1") is an operator switch: it matters, keep it in the key.
    prefix = '/';
    body = body.slice(1).trimStart();
  }
  let key = '';
  let pos = 0;
  const n = body.length;
  const unparsed = () => {
    // Not plain words (macro B, garbage): compare the text with spaces squeezed out (controls ignore them).
    into.dropWords();
    into.block(line, prefix + body.replace(/\s+/g, ''), false);
  };
  while (pos < n) {
    const letter = body.charCodeAt(pos);
    if (letter < 65 || letter > 90) {
      unparsed();
      return;
    }
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
    if (digits === 0) {
      unparsed();
      return;
    }
    const raw = body.slice(numStart, pos);
    while (pos < n && (body.charCodeAt(pos) === 32 || body.charCodeAt(pos) === 9)) pos++;
    if (letter === 78) continue; // N: sequence numbers are labels, not behaviour
    into.word(letter, Number(raw));
    key += (key ? ' ' : '') + String.fromCharCode(letter) + canonicalNumber(raw);
  }
  if (key || prefix) into.block(line, prefix + key, true);
}

function readLine(raw: string, line: number, into: ProgramBuilder): void {
  if (!readFast(raw, line, into)) readSlow(raw, line, into);
}

export function readBlock(raw: string, line: number): Block | null {
  const into = new ProgramBuilder(1, 16);
  readLine(raw, line, into);
  if (!into.blocks) return null;
  const words: Word[] = [];
  for (let w = 0; w < into.words; w++) words.push({ letter: String.fromCharCode(into.letters[w]!), value: into.values[w]! });
  return { line, key: into.keys[0]!, words, parsed: into.parsed[0] === 1 };
}

export function readProgram(text: string): Program {
  const lines = splitLines(text);
  // Typical CAM output: ~6 words per line.
  const into = new ProgramBuilder(lines.length, lines.length * 8);
  for (let i = 0; i < lines.length; i++) readLine(lines[i]!, i, into);
  return into.program(lines);
}

/** Does block `b` hold a word with this letter (char code)? */
export function hasLetter(p: Program, b: number, letter: number): boolean {
  for (let w = p.wordStart[b]!; w < p.wordStart[b + 1]!; w++) if (p.letters[w] === letter) return true;
  return false;
}

/**
 * Does this read as an NC program? Most code lines must be plain words and some must be G or M
 * codes (a parts list or a note in a .txt file is not). Macro lines are tolerated.
 */
export function looksLikeGcode(p: Program): boolean {
  const blocks = blockCount(p);
  if (!blocks) return false;
  if (p.unparsed > blocks * 0.2) return false;
  let motion = 0;
  for (let b = 0; b < blocks; b++) if (hasLetter(p, b, 71) || hasLetter(p, b, 77)) motion++;
  return motion >= Math.min(3, blocks) && motion >= blocks * 0.05;
}

/** The units the program selects (G20 inch, G21 mm); both (odd) reads as mm. */
export function programUnits(p: Program): 'mm' | 'inch' | null {
  let inch = false;
  let mm = false;
  for (let w = 0; w < p.letters.length; w++) {
    if (p.letters[w] !== 71) continue;
    if (p.values[w] === 20) inch = true;
    else if (p.values[w] === 21) mm = true;
  }
  return mm ? 'mm' : inch ? 'inch' : null;
}
