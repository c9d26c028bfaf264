// `git log` output format and its parser. Fields are NUL-separated (git never prints NUL inside a
// commit message), records are NUL-separated too (`log -z`), so parsing is by field count.
import type { CommitRecord } from './types.js';

const FIELDS = ['%H', '%P', '%an', '%ae', '%aI', '%s', '%B', '%(trailers:only,unfold)'];
/** The last field ends with 0x1e as a sanity check that the field count lines up. */
export const LOG_FORMAT = `--format=${FIELDS.join('%x00')}%x1e`;
const END = '\x1e';

export function parseLog(output: string): CommitRecord[] {
  if (!output) return [];
  const tokens = output.split('\0');
  const records: CommitRecord[] = [];
  for (let i = 0; i + FIELDS.length <= tokens.length; i += FIELDS.length) {
    const [commit, parents, authorName, authorEmail, date, subject, raw, trailerText] = tokens.slice(i, i + FIELDS.length);
    if (!trailerText!.endsWith(END)) throw new Error(`unexpected git log output near commit ${commit}`);
    const trailers = parseTrailers(trailerText!.slice(0, -END.length));
    records.push({
      commit: commit!,
      parents: parents ? parents.split(' ') : [],
      authorName: authorName!,
      authorEmail: authorEmail!,
      date: new Date(date!).toISOString(),
      subject: subject!,
      body: stripTrailerBlock(raw!, Object.keys(trailers).length > 0),
      trailers,
    });
  }
  return records;
}

function parseTrailers(text: string): Record<string, string> {
  const trailers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return trailers;
}

/** git's trailer block is always the last paragraph; the body is everything before it. */
function stripTrailerBlock(message: string, hasTrailers: boolean): string {
  const text = message.trimEnd();
  if (!hasTrailers) return text;
  const cut = text.lastIndexOf('\n\n');
  return cut < 0 ? text : text.slice(0, cut).trimEnd();
}
