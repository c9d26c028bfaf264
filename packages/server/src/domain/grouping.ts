/** Part-number grouping: `1234567_op1.mcam` → `12XXXXX`; anything else → Miscellaneous. */
export const MISC_GROUP = 'Miscellaneous';

export function groupOf(name: string): string {
  const m = /^(\d{2})\d{5}/.exec(name);
  return m ? `${m[1]}XXXXX` : MISC_GROUP;
}

/** The 7-digit part number a file name starts with, if any. */
export function partNumberOf(name: string): string | null {
  const m = /^\d{7}/.exec(name);
  return m ? m[0] : null;
}
