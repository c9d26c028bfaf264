import type { FileInfo, GroupSummary, ListFilesQuery } from '@lockstep/protocol';
import { CursorError, getFileInfo, listFiles, listGroups } from '../store/files.js';
import type { Actor, Services } from './context.js';
import { badRequest, notFound } from './errors.js';
import { requireEntry, requireProject } from './file-common.js';

/**
 * One page of a project's files as the actor sees them, as the JSON text of a FileList: the
 * entries are built as JSON by the database and spliced in (no object per entry).
 */
export async function fileListJson(s: Services, slug: string, actor: Actor, query: ListFilesQuery): Promise<string> {
  await requireProject(s, slug);
  try {
    const page = await listFiles(s.db, s.dialect, slug, actor.username, { ...query, limit: query.limit ?? 200 });
    return `{"items":[${page.items.join(',')}],"total":${page.total},"nextCursor":${JSON.stringify(page.nextCursor)}}`;
  } catch (err) {
    throw err instanceof CursorError ? badRequest(err.message) : err;
  }
}

export async function fileGroups(s: Services, slug: string): Promise<GroupSummary[]> {
  await requireProject(s, slug);
  return listGroups(s.db, slug);
}

export async function fileInfo(s: Services, slug: string, rawPath: string, actor: Actor): Promise<FileInfo> {
  const entry = await requireEntry(s, slug, rawPath);
  const info = await getFileInfo(s.db, slug, entry.path, actor.username);
  if (!info) throw notFound('file not found');
  return info;
}
