import { META_DIR } from '../domain/paths.js';
import { treeProblems } from '../domain/tree-rules.js';
import { readBlobs, treeEntries } from '../vault/bulk.js';
import type { Services } from './context.js';
import { AppError } from './errors.js';

const SHOWN = 20;

/** 409 naming the offending paths when the tree of `commit` breaks the upload rules; call before `main` moves. */
export async function assertTreeAcceptable(s: Services, slug: string, commit: string, what: string): Promise<void> {
  const items = await treeEntries(s.vault, slug, commit);
  const metaItems = items.filter((i) => i.path.startsWith(`${META_DIR}/`) && i.type === 'blob');
  const texts = await readBlobs(s.vault, slug, [...new Set(metaItems.map((i) => i.sha))]);
  const metaTexts = new Map<string, string>();
  for (const i of metaItems) {
    const text = texts.get(i.sha);
    if (text !== undefined) metaTexts.set(i.path, text);
  }
  const problems = treeProblems(items, metaTexts, s.config.allowedExtensions);
  if (!problems.length) return;
  const more = problems.length > SHOWN ? `; and ${problems.length - SHOWN} more` : '';
  throw new AppError(
    409,
    'conflict',
    `${what} ${commit.slice(0, 10)} breaks Lockstep's path rules (${problems.length} problem${problems.length > 1 ? 's' : ''}): ${problems.slice(0, SHOWN).join('; ')}${more}. Nothing was changed; fix the remote and sync again`,
  );
}
