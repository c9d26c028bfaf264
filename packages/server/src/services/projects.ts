import type { CreateProjectRequest, Project, UpdateProjectRequest } from '@lockstep/protocol';
import { RemoteUrlError, validateRemoteUrl } from '../domain/remote-url.js';
import { appendAudit } from '../store/audit.js';
import { isUniqueViolation, nowIso } from '../store/db.js';
import { deleteProjectRows, getProject, insertProject, listProjects, NEW_PROJECT, updateProjectRow } from '../store/projects.js';
import type { Actor, Services } from './context.js';
import type { SyncService } from './sync.js';
import { badRequest, conflict, notFound } from './errors.js';
import { requireProject } from './file-common.js';
import { commitChange, writeUnit } from './unit-of-work.js';
import { GIT_ATTRIBUTES, lockableAttributes } from '../domain/git-files.js';

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

function checkRemote(s: Services, url: string | null | undefined): void {
  if (!url) return;
  try {
    validateRemoteUrl(url, { allowFile: s.config.allowFileRemotes });
  } catch (err) {
    if (err instanceof RemoteUrlError) throw badRequest(err.message);
    throw err;
  }
}

/** `https://user:token@host/…` is stored without credentials, so its password becomes the token. */
function tokenOf(remoteUrl: string | null | undefined, remoteToken: string | null | undefined): string | null | undefined {
  if (remoteToken !== undefined || !remoteUrl) return remoteToken;
  try {
    const password = new URL(remoteUrl).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined; // not a URL: checkRemote rejects it
  }
}

/**
 * A new project (a new bare repository). With a remote, its token is stored sealed and a push is
 * scheduled; with `import`, the remote's history fills the project first (removed again on failure).
 */
export async function createProject(s: Services, sync: SyncService, actor: Actor, req: CreateProjectRequest): Promise<Project> {
  checkRemote(s, req.remoteUrl);
  if (req.import && !req.remoteUrl) throw badRequest('import needs a remoteUrl');
  const token = tokenOf(req.remoteUrl, req.remoteToken);
  if (await s.vault.exists(req.slug)) throw conflict(`project "${req.slug}" already exists`);
  try {
    await insertProject(s.db, {
      ...NEW_PROJECT,
      slug: req.slug,
      name: req.name,
      description: req.description ?? '',
      created_at: nowIso(),
      remote_url: req.remoteUrl ? publicRemoteUrl(req.remoteUrl) : null,
      remote_secret: sync.sealToken(req.slug, token) ?? null,
      approvals_required: req.approvalsRequired ?? 1,
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
  // A new project starts with .gitattributes so git clients get read-only files until `git lfs
  // lock`. Not with a remote: the remote's history comes first (an import takes it as it is, and
  // a commit of ours before the first push would make an existing remote diverge).
  if (!req.remoteUrl) await writeGitAttributes(s, actor, req.slug);
  if (req.remoteUrl && req.import) {
    try {
      await sync.importRemote(req.slug, actor);
    } catch (err) {
      await deleteProject(s, sync, actor, req.slug).catch((e: unknown) =>
        s.log.error({ err: e }, 'could not remove the project of a failed import'),
      );
      throw err;
    }
  } else if (req.remoteUrl) {
    sync.schedule(req.slug);
  }
  const project = (await getProject(s.db, req.slug))!;
  await s.bus.publish(req.slug, 'project.created', { actor: actor.username, project });
  return project;
}

async function writeGitAttributes(s: Services, actor: Actor, slug: string): Promise<void> {
  const blob = await s.vault.writeBlobBuffer(slug, lockableAttributes(s.config.allowedExtensions));
  await writeUnit(s, slug, () =>
    commitChange(
      s,
      slug,
      actor,
      {
        changes: [{ op: 'put', path: GIT_ATTRIBUTES, blob }],
        message: 'Set up git access: allowed file types are lockable',
        trailers: { 'Lockstep-Action': 'setup' },
      },
      () => Promise.resolve([]),
    ),
  );
}

export async function updateProject(
  s: Services,
  sync: SyncService,
  actor: Actor,
  slug: string,
  req: UpdateProjectRequest,
): Promise<Project> {
  await requireProject(s, slug);
  checkRemote(s, req.remoteUrl);
  const token = tokenOf(req.remoteUrl, req.remoteToken);
  await updateProjectRow(s.db, slug, {
    ...(req.name !== undefined ? { name: req.name } : {}),
    ...(req.description !== undefined ? { description: req.description } : {}),
    ...(req.remoteUrl !== undefined ? { remote_url: req.remoteUrl && publicRemoteUrl(req.remoteUrl) } : {}),
    ...(token !== undefined ? { remote_secret: sync.sealToken(slug, token) ?? null } : {}),
    ...(req.approvalsRequired !== undefined ? { approvals_required: req.approvalsRequired } : {}),
  });
  if (req.remoteUrl || token) sync.schedule(slug);
  const changed = Object.keys(req)
    .map((k) => (k === 'remoteToken' ? 'remoteToken (hidden)' : k))
    .join(', ');
  await appendAudit(s.db, { username: actor.username, action: 'project.updated', project: slug, message: `changed ${changed}` });
  const project = (await getProject(s.db, slug))!;
  await s.bus.publish(slug, 'project.updated', { actor: actor.username, project });
  return project;
}

/**
 * Deletes the project and its repository. Refused while files are checked out. Runs in the
 * project's write queue, so no commit+index of that project is half-way when rows and repository
 * go; its sync timers are cancelled first, so no background push starts on a vanishing repository.
 */
export async function deleteProject(s: Services, sync: SyncService, actor: Actor, slug: string): Promise<void> {
  await s.projectWrites.run(slug, async () => {
    const project = await getProject(s.db, slug);
    if (!project) await requireProject(s, slug);
    if (project!.lockCount > 0) throw conflict(`project "${slug}" has ${project!.lockCount} checked-out file(s); release them first`);
    sync.forget(slug);
    await s.bus.publish(slug, 'project.deleted', { actor: actor.username, slug });
    await deleteProjectRows(s.db, slug);
    await s.vault.deleteRepo(slug);
    await appendAudit(s.db, { username: actor.username, action: 'project.deleted', project: slug });
  });
}

/** Why a project failed its rebuild can name server paths: admins see it, others see only the state. */
export function asSeenByRole<P extends Project>(project: P, actor: Actor): P {
  if (actor.role === 'admin' || project.status.error === null) return project;
  return { ...project, status: { state: project.status.state, error: null } };
}

export async function projectsSeenBy(s: Services, actor: Actor): Promise<Project[]> {
  return (await listProjects(s.db)).map((p) => asSeenByRole(p, actor));
}

export async function projectSeenBy(s: Services, slug: string, actor: Actor): Promise<Project> {
  const project = await getProject(s.db, slug);
  if (!project) throw notFound(`project "${slug}" not found`);
  return asSeenByRole(project, actor);
}
