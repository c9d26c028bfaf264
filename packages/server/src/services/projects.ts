import type { CreateProjectRequest, Project, UpdateProjectRequest } from '@lockstep/protocol';
import { appendAudit } from '../store/audit.js';
import { isUniqueViolation, nowIso } from '../store/db.js';
import { deleteProjectRows, getProject, insertProject, updateProjectRow } from '../store/projects.js';
import type { Actor, Services } from './context.js';
import { badRequest, conflict } from './errors.js';
import { requireProject } from './file-common.js';

/** Remote URLs are shown without credentials; the token is stored apart and never returned. */
export function publicRemoteUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

function checkRemote(url: string | null | undefined): void {
  if (url && !/^(https?|file|ssh|git):\/\//.test(url)) throw badRequest('remoteUrl must be an http(s)://, ssh://, git:// or file:// URL');
}

export async function createProject(s: Services, actor: Actor, req: CreateProjectRequest): Promise<Project> {
  checkRemote(req.remoteUrl);
  if (await s.vault.exists(req.slug)) throw conflict(`project "${req.slug}" already exists`);
  try {
    await insertProject(s.db, {
      slug: req.slug, name: req.name, description: req.description ?? '', created_at: nowIso(), head_commit: null,
      remote_url: req.remoteUrl ? publicRemoteUrl(req.remoteUrl) : null, remote_secret: req.remoteToken ?? null,
      sync_state: 'idle', sync_error: null, last_sync_at: null,
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`project "${req.slug}" already exists`);
    throw err;
  }
  try {
    await s.vault.createRepo(req.slug);
  } catch (err) {
    await deleteProjectRows(s.db, req.slug);
    throw err;
  }
  await appendAudit(s.db, { username: actor.username, action: 'project.created', project: req.slug, message: req.name });
  const project = (await getProject(s.db, req.slug))!;
  await s.bus.publish(req.slug, 'project.created', { actor: actor.username, project });
  return project;
}

export async function updateProject(s: Services, actor: Actor, slug: string, req: UpdateProjectRequest): Promise<Project> {
  await requireProject(s, slug);
  checkRemote(req.remoteUrl);
  await updateProjectRow(s.db, slug, {
    ...(req.name !== undefined ? { name: req.name } : {}),
    ...(req.description !== undefined ? { description: req.description } : {}),
    ...(req.remoteUrl !== undefined ? { remote_url: req.remoteUrl && publicRemoteUrl(req.remoteUrl) } : {}),
    ...(req.remoteToken !== undefined ? { remote_secret: req.remoteToken } : {}),
  });
  const changed = Object.keys(req).map((k) => (k === 'remoteToken' ? 'remoteToken (hidden)' : k)).join(', ');
  await appendAudit(s.db, { username: actor.username, action: 'project.updated', project: slug, message: `changed ${changed}` });
  const project = (await getProject(s.db, slug))!;
  await s.bus.publish(slug, 'project.updated', { actor: actor.username, project });
  return project;
}

/** Deletes the project and its repository. Refused while files are checked out. */
export async function deleteProject(s: Services, actor: Actor, slug: string): Promise<void> {
  const project = await getProject(s.db, slug);
  if (!project) await requireProject(s, slug);
  if (project!.lockCount > 0) throw conflict(`project "${slug}" has ${project!.lockCount} checked-out file(s); release them first`);
  await s.bus.publish(slug, 'project.deleted', { actor: actor.username, slug });
  await deleteProjectRows(s.db, slug);
  await s.vault.deleteRepo(slug);
  await appendAudit(s.db, { username: actor.username, action: 'project.deleted', project: slug });
}
