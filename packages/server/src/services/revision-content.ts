/** Reading one revision of a file for compare and preview: its place in history, its bytes (capped), its metadata. */
import { collisionKey, metaPathFor } from '../domain/paths.js';
import { recordedHead } from '../store/projects.js';
import { revisionsOf } from '../store/revisions.js';
import type { Services } from './context.js';
import { AppError, notFound } from './errors.js';

export interface RevisionInfo {
  commit: string;
  revision: string;
  date: string;
  author: string;
  action: string;
}

/**
 * The file's changes at or before `commit`, newest first: from the revisions index when `commit`
 * is one of the file's own commits or the head the index was brought to, else (any other commit
 * id, or a head git has and the index not yet) from git. Deciding that asks the database, not git.
 */
export async function historyAt(s: Services, slug: string, path: string, commit: string, limit?: number): Promise<RevisionInfo[]> {
  const entries = await revisionsOf(s.db, slug, collisionKey(path));
  let at = entries.findIndex((e) => e.commit === commit);
  if (at < 0 && commit === (await recordedHead(s.db, slug))) at = 0;
  if (at >= 0) return entries.slice(at, limit === undefined ? undefined : at + limit);
  const commits = await s.vault.log(slug, { rev: commit, paths: [path, metaPathFor(path)], limit });
  return commits.map((c) => ({
    commit: c.commit,
    revision: c.trailers['Revision'] ?? '',
    date: c.date,
    author: c.authorName,
    action: c.trailers['Lockstep-Action'] ?? 'commit',
  }));
}

export const tooLarge = (path: string, limit: number) =>
  new AppError(413, 'too_large', `"${path}" is larger than the ${Math.round(limit / 1024 / 1024)} MB compare/preview limit`);

export interface RevisionBytes {
  size: number;
  sha: string;
  /** Null when not read (over the cap, or not asked for). */
  bytes: Buffer | null;
}

/** Size and git object id of `path` at `commit`, and its bytes when `read` (413 past the preview cap). */
export async function revisionBytes(s: Services, slug: string, commit: string, path: string, read: boolean): Promise<RevisionBytes> {
  const blob = await s.vault.readBlob(slug, commit, path);
  if (!blob) throw notFound(`"${path}" does not exist at ${commit.slice(0, 10)}`);
  if (!read || blob.size > s.config.previewMaxBytes) {
    // Closing the stream stops git; nothing of it is needed.
    (blob.stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
    if (read) throw tooLarge(path, s.config.previewMaxBytes);
    return { size: blob.size, sha: blob.sha, bytes: null };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of blob.stream) chunks.push(chunk as Buffer);
  return { size: blob.size, sha: blob.sha, bytes: Buffer.concat(chunks) };
}

/** The versioned metadata (`.lockstep/<path>.json`) at `commit`; {} when absent or unreadable. */
export async function metadataAt(s: Services, slug: string, commit: string, path: string): Promise<Record<string, unknown>> {
  const text = await s.vault.readText(slug, commit, metaPathFor(path));
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
