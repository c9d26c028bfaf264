/** Compare two revisions of a file: G-code aware hunks, a programmer's summary, metadata changes. */
import type { DiffKind, DiffSide, FileDiff, MetadataChange } from '@lockstep/protocol';
import { kindByName, looksBinary, mayBeGcode } from '../domain/compare/file-kind.js';
import { lineDiff, plainSide, type DiffSideInput } from '../domain/compare/line-diff.js';
import {
  compareFacts,
  looksLikeGcode,
  programFacts,
  readProgram,
  splitLines,
  type Program,
  type ProgramFacts,
} from '../domain/gcode/index.js';
import type { Services } from './context.js';
import { notFound } from './errors.js';
import { requireProject } from './file-common.js';
import { historyPath, resolveRevision } from './history.js';
import { historyAt, metadataAt, revisionBytes, type RevisionInfo, type RevisionBytes } from './revision-content.js';

export interface DiffRequest {
  from?: string;
  to?: string;
  ignoreFormatting?: boolean;
}

export async function compareRevisions(s: Services, slug: string, rawPath: string, q: DiffRequest): Promise<FileDiff> {
  const project = await requireProject(s, slug);
  const path = await historyPath(s, slug, rawPath);
  const toCommit = q.to ? await resolveRevision(s, slug, path, q.to) : await latestCommit(s, slug, path, project.head_commit);
  const toHistory = await historyAt(s, slug, path, toCommit);
  if (!toHistory.length) throw notFound(`"${path}" has no history at ${q.to ?? 'the latest revision'}`);
  const fromCommit = q.from ? await resolveRevision(s, slug, path, q.from) : previousOf(toHistory);
  const fromInfo = fromCommit ? ((await historyAt(s, slug, path, fromCommit, 1))[0] ?? null) : null;
  if (fromCommit && !fromInfo) throw notFound(`"${path}" has no history at ${q.from}`);

  const byName = kindByName(path);
  const read = byName !== 'opaque' && byName !== 'pdf' && byName !== 'image';
  const [after, before] = await Promise.all([
    revisionBytes(s, slug, toCommit, path, read),
    fromCommit ? revisionBytes(s, slug, fromCommit, path, read) : Promise.resolve(null),
  ]);
  const [metaAfter, metaBefore] = await Promise.all([
    metadataAt(s, slug, toCommit, path),
    fromCommit ? metadataAt(s, slug, fromCommit, path) : Promise.resolve({}),
  ]);
  const base = {
    path,
    from: fromInfo && before ? side(fromInfo, fromCommit!, before) : null,
    to: side(toHistory[0]!, toCommit, after),
    metadata: metadataChanges(metaBefore, metaAfter),
  };
  const ignoreFormatting = q.ignoreFormatting ?? true;
  if (!read || (after.bytes && looksBinary(after.bytes)) || (before?.bytes && looksBinary(before.bytes))) {
    const identical = !!before && before.sha === after.sha;
    return {
      ...base,
      kind: 'binary',
      ignoreFormatting,
      identical,
      hunks: [],
      added: 0,
      removed: 0,
      aligned: true,
      truncated: false,
      summary: null,
      message: !before
        ? 'first revision'
        : identical
          ? 'binary files are identical'
          : `binary files differ (${before.size} → ${after.size} bytes)`,
    };
  }
  const blobs = { before: before?.sha, after: after.sha };
  return { ...base, ...textDiff(path, before?.bytes ?? Buffer.alloc(0), after.bytes!, ignoreFormatting, blobs) };
}

/** One side of a text diff, read once: its text and, for files that may be G-code, the program and its facts. */
interface ReadSide {
  text: string;
  program: Program | null;
  facts?: ProgramFacts;
}

function readSide(bytes: Buffer, gcode: boolean): ReadSide {
  const text = bytes.toString('utf8');
  return { text, program: gcode ? readProgram(text) : null };
}

/**
 * Sides read recently, by git blob id: comparing B with C after A with B reads B once. Bounded by
 * the text they hold (a read program takes ~3× its text in memory).
 */
class ReadSides {
  private entries = new Map<string, ReadSide>();
  private chars = 0;
  constructor(private readonly maxChars: number) {}

  get(blob: string | undefined, gcode: boolean, bytes: Buffer): ReadSide {
    const key = blob && `${gcode ? 'g' : 't'}${blob}`;
    const hit = key ? this.entries.get(key) : undefined;
    if (hit) {
      this.entries.delete(key!);
      this.entries.set(key!, hit); // most recently used last
      return hit;
    }
    const side = readSide(bytes, gcode);
    if (!key || side.text.length > this.maxChars / 4) return side;
    this.entries.set(key, side);
    this.chars += side.text.length;
    for (const [k, old] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(k);
      this.chars -= old.text.length;
    }
    return side;
  }
}

const recentSides = new ReadSides(32 * 1024 * 1024);

/**
 * The pure part: kind, hunks and summary from two contents (the benchmark calls this too). With
 * `blobs` (the contents' git object ids), each side is read once and kept for the next compare.
 */
export function textDiff(
  path: string,
  before: Buffer,
  after: Buffer,
  ignoreFormatting = true,
  blobs?: { before?: string; after?: string },
) {
  const gcodeName = mayBeGcode(path);
  const oldSide = recentSides.get(blobs?.before, gcodeName, before);
  const newSide = recentSides.get(blobs?.after, gcodeName, after);
  const oldText = oldSide.text;
  const newText = newSide.text;
  let kind: DiffKind = 'text';
  const oldProgram = oldSide.program;
  const newProgram = newSide.program;
  if (oldProgram && newProgram) {
    // An empty side (first revision) does not decide; a side that does not parse makes it text.
    const parses = (p: Program) => p.keys.length === 0 || looksLikeGcode(p);
    if (parses(oldProgram) && parses(newProgram) && (looksLikeGcode(oldProgram) || looksLikeGcode(newProgram))) kind = 'gcode';
  }
  const sides: [DiffSideInput, DiffSideInput] =
    kind === 'gcode' && ignoreFormatting
      ? [programSide(oldProgram!), programSide(newProgram!)]
      : [plainSide(linesOf(oldSide)), plainSide(linesOf(newSide))];
  const diff = lineDiff(sides[0], sides[1]);
  const factsOf = (side: ReadSide) => (side.facts ??= programFacts(side.program!));
  const summary = kind === 'gcode' ? compareFacts(factsOf(oldSide), factsOf(newSide)) : null;
  const identical = diff.added === 0 && diff.removed === 0;
  const counts = identical
    ? oldText === newText
      ? 'no differences'
      : 'no differences but formatting'
    : `${diff.added} line${diff.added === 1 ? '' : 's'} added, ${diff.removed} removed`;
  return {
    kind,
    ignoreFormatting,
    identical,
    ...diff,
    summary,
    message: summary ? `${counts}; ${summary.text}` : counts,
  };
}

/** An empty file has no lines (not one empty line). */
const linesOf = (side: ReadSide) => (side.text ? (side.program?.lines ?? splitLines(side.text)) : []);

const programSide = (p: Program): DiffSideInput => ({ lines: p.lines, keys: p.keys, at: p.lineOf });

/** The file's newest live commit at the head the index was brought to (`head`, the project row's). */
async function latestCommit(s: Services, slug: string, path: string, head: string | null): Promise<string> {
  const live = head ? (await historyAt(s, slug, path, head)).find((h) => h.action !== 'delete') : undefined;
  if (!live) throw notFound(`"${path}" has no revisions`);
  return live.commit;
}

/** The revision before `to`'s: the newest commit with another label, else the commit before (a metadata edit). */
function previousOf(history: RevisionInfo[]): string | null {
  const [to, ...older] = history;
  const live = older.filter((h) => h.action !== 'delete');
  return (live.find((h) => h.revision !== to!.revision) ?? live[0])?.commit ?? null;
}

function side(info: RevisionInfo, commit: string, bytes: RevisionBytes): DiffSide {
  return { commit, revision: info.revision, date: info.date, author: info.author, size: bytes.size, sha: bytes.sha };
}

const asText = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));

/** Description, part number, state and each custom field, where they differ. */
export function metadataChanges(before: Record<string, unknown>, after: Record<string, unknown>): MetadataChange[] {
  const changes: MetadataChange[] = [];
  // Metadata written before the release lifecycle has no state: it was work in progress.
  const stateOf = (m: Record<string, unknown>) => m.state ?? (m.revision !== undefined ? 'wip' : undefined);
  for (const field of ['description', 'partNumber', 'state']) {
    const b = asText(field === 'state' ? stateOf(before) : before[field]);
    const a = asText(field === 'state' ? stateOf(after) : after[field]);
    if (b !== a) changes.push({ field, before: b, after: a });
  }
  const fb = (before.fields ?? {}) as Record<string, unknown>;
  const fa = (after.fields ?? {}) as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(fb), ...Object.keys(fa)])].sort()) {
    const b = asText(fb[key]);
    const a = asText(fa[key]);
    if (b !== a) changes.push({ field: `fields.${key}`, before: b, after: a });
  }
  return changes;
}
