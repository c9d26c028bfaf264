/** Revision schemes: letters (A…Z, AA, AB…, like spreadsheet columns) or numeric (1, 2, 3…). */
export type RevisionScheme = 'letters' | 'numeric';

export function firstRevision(scheme: RevisionScheme): string {
  return scheme === 'letters' ? 'A' : '1';
}

export function nextRevision(current: string, scheme: RevisionScheme): string {
  if (scheme === 'numeric') {
    const n = Number(current);
    if (!Number.isInteger(n) || n < 1) throw new Error(`not a numeric revision: ${current}`);
    return String(n + 1);
  }
  return toLetters(fromLetters(current) + 1);
}

/** Is `rev` a revision label of the scheme (as opposed to a commit id)? */
export function isRevisionLabel(rev: string, scheme: RevisionScheme): boolean {
  return scheme === 'letters' ? /^[A-Z]{1,4}$/.test(rev) : /^[1-9]\d{0,6}$/.test(rev);
}

/** Sort key so that B < Z < AA < AB (length first, then alphabet). */
export function revisionOrder(rev: string, scheme: RevisionScheme): number {
  return scheme === 'numeric' ? Number(rev) : fromLetters(rev);
}

function fromLetters(label: string): number {
  if (!/^[A-Z]+$/.test(label)) throw new Error(`not a letter revision: ${label}`);
  let n = 0;
  for (const ch of label) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

function toLetters(n: number): string {
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}
