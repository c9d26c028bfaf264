import crypto from 'node:crypto';
import { baseName, collisionKey, fileFromMetaPath, META_DIR } from '../domain/paths.js';
import { GIT_ATTRIBUTES } from '../domain/git-files.js';
import { groupOf, partNumberOf } from '../domain/grouping.js';
import { firstRevision } from '../domain/revision.js';
import type { FileRow } from '../store/files.js';
import { lastCommits, readBlobs } from '../vault/bulk.js';
import type { Services } from './context.js';
import type { FileMeta } from './file-common.js';

const BATCH = 500;

/**
 * Rebuilds a project's file index from git (the source of truth): the tree at HEAD, each file's
 * metadata file, and the last commit that touched it. Locks are kept; upload reservations whose
 * file never got committed are dropped. Reports `process.*` events.
 */
export async function rebuildIndex(s: Services, slug: string): Promise<{ files: number; ms: number }> {
  const started = Date.now();
  const processId = crypto.randomUUID();
  const report = (type: 'process.started' | 'process.progress' | 'process.completed', progress: number) =>
    s.bus.publish(slug, type, { processId, kind: 'index.rebuild', label: `Rebuilding index of ${slug}`, progress });
  await report('process.started', 0);
  return s.projectWrites.run(slug, async () => {
    const head = await s.vault.head(slug);
    const rows = head ? await rowsFromGit(s, slug, head) : [];
    await report('process.progress', 60);
    await s.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('files').where('project', '=', slug).execute();
      for (let i = 0; i < rows.length; i += BATCH)
        await trx
          .insertInto('files')
          .values(rows.slice(i, i + BATCH))
          .execute();
      const keys = new Set(rows.map((r) => r.path_key));
      const stale = await trx
        .selectFrom('locks')
        .select('path_key')
        .where('project', '=', slug)
        .where('message', '=', 'uploading')
        .execute();
      const orphaned = stale.map((l) => l.path_key).filter((k) => !keys.has(k));
      if (orphaned.length) await trx.deleteFrom('locks').where('project', '=', slug).where('path_key', 'in', orphaned).execute();
      await trx.updateTable('projects').set({ head_commit: head }).where('slug', '=', slug).execute();
    });
    await report('process.completed', 100);
    return { files: rows.length, ms: Date.now() - started };
  });
}

async function rowsFromGit(s: Services, slug: string, head: string): Promise<FileRow[]> {
  const tree = await s.vault.listTree(slug, head);
  const blobs = new Map<string, { sha: string; size: number }>();
  const metaShas = new Map<string, string>();
  for (const e of tree) {
    if (e.path.startsWith(`${META_DIR}/`)) {
      const file = fileFromMetaPath(e.path);
      if (file) metaShas.set(file, e.sha);
    } else if (e.path !== GIT_ATTRIBUTES) {
      // .gitattributes (lockable patterns for git clients) is the repository's, not a vault file.
      blobs.set(e.path, { sha: e.sha, size: e.size });
    }
  }
  const metaTexts = await readBlobs(s.vault, slug, [...new Set(metaShas.values())]);
  const lastTouched = await lastCommits(s.vault, slug, head);
  const rows: FileRow[] = [];
  const paths = new Set([...blobs.keys(), ...metaShas.keys()]);
  for (const path of paths) {
    const metaSha = metaShas.get(path);
    const meta = parseMeta(metaSha ? metaTexts.get(metaSha) : undefined);
    const blob = blobs.get(path);
    if (!blob && !meta?.link) continue; // metadata without its file: ignore
    const name = baseName(path);
    const last = lastTouched.get(path) ?? lastTouched.get(`${META_DIR}/${path}.json`);
    rows.push({
      project: slug,
      path,
      path_key: collisionKey(path),
      name,
      grp: groupOf(name),
      revision: meta?.revision ?? firstRevision(s.config.revisionScheme),
      description: meta?.description ?? '',
      part_number: meta ? meta.partNumber : partNumberOf(name),
      fields_json: JSON.stringify(meta?.fields ?? {}),
      size: blob?.size ?? 0,
      blob_sha: blob?.sha ?? '',
      commit_sha: last?.commit ?? head,
      modified_at: meta?.modifiedAt ?? last?.date ?? new Date(0).toISOString(),
      modified_by: meta?.modifiedBy ?? last?.author ?? 'unknown',
      link_target: meta?.link ?? null,
    });
  }
  return rows;
}

function parseMeta(text: string | undefined): FileMeta | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as FileMeta;
  } catch {
    return null;
  }
}

/** At start: any project whose git head moved past the index (a crash between commit and index) is rebuilt. */
export async function reconcileAll(s: Services): Promise<string[]> {
  const projects = await s.db.selectFrom('projects').select(['slug', 'head_commit']).execute();
  const rebuilt: string[] = [];
  for (const p of projects) {
    if (!(await s.vault.exists(p.slug))) continue;
    await s.vault.sweepSpool(p.slug);
    if ((await s.vault.head(p.slug)) !== p.head_commit) {
      await rebuildIndex(s, p.slug);
      rebuilt.push(p.slug);
    }
  }
  return rebuilt;
}
