import crypto from 'node:crypto';
import { baseName, collisionKey, fileFromMetaPath, META_DIR } from '../domain/paths.js';
import { GIT_ATTRIBUTES } from '../domain/git-files.js';
import { groupOf, partNumberOf } from '../domain/grouping.js';
import { firstRevision } from '../domain/revision.js';
import { NEW_ENTRY, type FileRow } from '../store/files.js';
import { setProjectStatus } from '../store/projects.js';
import { releaseTag } from '../domain/lifecycle.js';
import { commitsWithPaths, lastCommits, readBlobs } from '../vault/bulk.js';
import { deleteProjectRevisions, hasRevisions, insertRevisions, type RevisionRow } from '../store/revisions.js';
import { revisionRowsOf } from './revision-log.js';
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
    const revisions = head ? await revisionsFromGit(s, slug, head) : [];
    await report('process.progress', 60);
    await s.db.transaction().execute(async (trx) => {
      // The lock queue is not in git: it stays as it is.
      const queues = await trx
        .selectFrom('files')
        .select(['path_key', 'waiting_json', 'waiting_notified_at'])
        .where('project', '=', slug)
        .where('waiting_json', '<>', '[]')
        .execute();
      const queueOf = new Map(queues.map((q) => [q.path_key, q]));
      await trx.deleteFrom('files').where('project', '=', slug).execute();
      for (let i = 0; i < rows.length; i += BATCH)
        await trx
          .insertInto('files')
          .values(rows.slice(i, i + BATCH).map((r) => ({ ...r, ...pick(queueOf.get(r.path_key)) })))
          .execute();
      await deleteProjectRevisions(trx, slug);
      await insertRevisions(trx, revisions);
      const keys = new Set(rows.map((r) => r.path_key));
      const stale = await trx
        .selectFrom('locks')
        .select('path_key')
        .where('project', '=', slug)
        .where('message', '=', 'uploading')
        .execute();
      const orphaned = stale.map((l) => l.path_key).filter((k) => !keys.has(k));
      if (orphaned.length) await trx.deleteFrom('locks').where('project', '=', slug).where('path_key', 'in', orphaned).execute();
      await trx.updateTable('projects').set({ head_commit: head, status: 'ok', status_error: null }).where('slug', '=', slug).execute();
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
  const releaseTags = await s.vault.tags(slug, 'released/');
  const rows: FileRow[] = [];
  const paths = new Set([...blobs.keys(), ...metaShas.keys()]);
  for (const path of paths) {
    const metaSha = metaShas.get(path);
    const meta = parseMeta(metaSha ? metaTexts.get(metaSha) : undefined);
    const blob = blobs.get(path);
    if (!blob && !meta?.link) continue; // metadata without its file: ignore
    const name = baseName(path);
    // The entry's commit is the last one that changed it, its content or its metadata.
    const last = [lastTouched.get(path), lastTouched.get(`${META_DIR}/${path}.json`)]
      .filter((c) => c !== undefined)
      .sort((a, b) => a.age - b.age)[0];
    rows.push({
      ...NEW_ENTRY,
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
      ...lifecycleOf(path, meta, releaseTags),
    });
  }
  return rows;
}

const pick = (q: { waiting_json: string; waiting_notified_at: string | null } | undefined) =>
  q ? { waiting_json: q.waiting_json, waiting_notified_at: q.waiting_notified_at } : {};

/** Every file's changes, oldest first, from the whole history's trailers (see services/revision-log.ts). */
async function revisionsFromGit(s: Services, slug: string, head: string): Promise<RevisionRow[]> {
  const [commits, touched] = await Promise.all([s.vault.log(slug, { rev: head }), commitsWithPaths(s.vault, slug, head)]);
  const paths = new Map(touched.map((c) => [c.commit, c.paths]));
  return commits.reverse().flatMap((c) =>
    revisionRowsOf(slug, {
      commit: c.commit,
      author: c.authorName,
      date: c.date,
      message: c.body.trim(),
      trailers: c.trailers,
      paths: paths.get(c.commit) ?? [],
    }),
  );
}

/** State, review and released revision from the metadata; the released commit is its tag's. */
function lifecycleOf(path: string, meta: FileMeta | null, tags: Map<string, string>) {
  const released = meta?.released ?? null;
  return {
    state: meta?.state ?? 'wip',
    review_json: meta?.review ? JSON.stringify(meta.review) : null,
    released_revision: released?.revision ?? null,
    released_at: released?.at ?? null,
    released_by: released?.by ?? null,
    released_commit: released ? (tags.get(releaseTag(path, released.revision)) ?? null) : null,
  } satisfies Partial<FileRow>;
}

function parseMeta(text: string | undefined): FileMeta | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as FileMeta;
  } catch {
    return null;
  }
}

/**
 * At start, per project, git and the recorded head are made to agree. SQL is a change's commit
 * point, so commits past the recorded head are changes that never completed (a crash between
 * git and the transaction): main is moved back to the recorded head, and no event ever said they
 * happened. A head that is not an ancestor (no record yet, or a repository changed outside
 * Lockstep) is taken as it is: the index is rebuilt from git.
 * Project by project: one that fails is marked `failed` with the reason (shown to admins) and
 * logged, and the server starts with the others. A project without a revisions index yet (data from
 * before it existed) is rebuilt too.
 */
export async function reconcileAll(s: Services): Promise<string[]> {
  const projects = await s.db.selectFrom('projects').select(['slug', 'head_commit', 'status']).execute();
  const rebuilt: string[] = [];
  for (const p of projects) {
    try {
      if (!(await s.vault.exists(p.slug))) throw new Error(`its repository ${s.vault.repoPath(p.slug)} is missing`);
      await s.vault.sweepSpool(p.slug);
      const head = await s.vault.head(p.slug);
      if (head === p.head_commit && p.status !== 'failed' && (!head || (await hasRevisions(s.db, p.slug)))) continue;
      if (head && p.head_commit && p.status !== 'failed' && (await rollBackUnrecorded(s, p.slug, p.head_commit, head))) continue;
      await rebuildIndex(s, p.slug);
      rebuilt.push(p.slug);
    } catch (err) {
      const message = `index rebuild failed: ${(err instanceof Error ? err.message : String(err)).slice(0, 1000)}`;
      s.log.error({ err, project: p.slug }, 'start-up reconcile: project marked failed');
      await setProjectStatus(s.db, p.slug, message);
    }
  }
  return rebuilt;
}

/** Moves main back to the recorded head when the commits past it are unfinished changes; false when it is not their ancestor. */
async function rollBackUnrecorded(s: Services, slug: string, recorded: string, head: string): Promise<boolean> {
  return s.projectWrites.run(slug, async () => {
    if (!(await s.vault.isAncestor(slug, recorded, head))) return false;
    if (!(await s.vault.resetMain(slug, recorded, head))) return false;
    // A release tag of a rolled-back change goes with it.
    for (const [tag, commit] of await s.vault.tags(slug, 'released/'))
      if (!(await s.vault.isAncestor(slug, commit, recorded))) await s.vault.restoreTag(slug, tag, null);
    s.log.warn({ slug, from: head, to: recorded }, 'rolled back commits of changes that did not complete (crash between git and SQL)');
    return true;
  });
}
