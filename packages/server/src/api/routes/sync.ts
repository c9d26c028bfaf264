import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, SyncResult, type CreateProjectRequest, type Project, type UpdateProjectRequest } from '@lockstep/protocol';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services/context.js';
import { badRequest } from '../../services/errors.js';
import { deleteProject } from '../../services/projects.js';
import type { SyncService } from '../../services/sync.js';
import { getProject } from '../../store/projects.js';
import { requireAuth } from '../auth-hook.js';

const Params = Type.Object({ project: Type.String({ maxLength: 64 }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 502: ErrorBody };

/** POST /api/projects/:project/sync — the admin's "sync now". */
export const syncRoutes = (s: Services, sync: SyncService): FastifyPluginAsyncTypebox => async (app) => {
  app.post('/api/projects/:project/sync', {
    config: { access: 'admin' },
    schema: {
      tags: ['projects'],
      summary: 'Sync now: fetch; fast-forward when the remote moved ahead, push when Lockstep is ahead, 409 when the histories diverged',
      params: Params,
      response: { 200: SyncResult, ...errors },
    },
  }, async (req) => sync.syncNow(req.params.project, requireAuth(req).actor));
  void s;
};

/**
 * The remote settings of POST/PATCH /api/projects, on their way in and out (root hooks, so register
 * them before the project routes): the token is sealed (AES-256-GCM) before the project service
 * stores it; `import: true` fills the new project from its remote before the 201 is sent; a
 * changed remote gets a push.
 */
export function registerRemoteHooks(app: FastifyInstance, s: Services, sync: SyncService): void {
  const isCreate = (method: string, url: string | undefined) => method === 'POST' && url === '/api/projects';
  const isUpdate = (method: string, url: string | undefined) => method === 'PATCH' && url === '/api/projects/:project';

  /** `https://user:token@host/…`: the URL is stored without credentials, so keep the password as the token. */
  const tokenFromUrl = (body: { remoteUrl?: string | null; remoteToken?: string | null }) => {
    if (!body.remoteUrl || body.remoteToken !== undefined) return;
    try {
      const password = new URL(body.remoteUrl).password;
      if (password) body.remoteToken = decodeURIComponent(password);
    } catch {
      /* not a URL: the project service rejects it */
    }
  };

  app.addHook('preHandler', async (req) => {
    const url = req.routeOptions.url;
    if (isCreate(req.method, url)) {
      const body = req.body as CreateProjectRequest;
      if (body.import && !body.remoteUrl) throw badRequest('import needs a remoteUrl');
      tokenFromUrl(body);
      if (body.remoteToken !== undefined) body.remoteToken = sync.sealToken(body.slug, body.remoteToken) ?? undefined;
    } else if (isUpdate(req.method, url)) {
      const body = req.body as UpdateProjectRequest;
      const slug = (req.params as { project: string }).project;
      tokenFromUrl(body);
      if (body.remoteToken !== undefined) body.remoteToken = sync.sealToken(slug, body.remoteToken);
    }
  });

  app.addHook('preSerialization', async (req, reply, payload) => {
    if (!isCreate(req.method, req.routeOptions.url) || reply.statusCode !== 201) return payload;
    const body = req.body as CreateProjectRequest;
    if (!body.remoteUrl) return payload;
    const actor = requireAuth(req).actor;
    if (!body.import) {
      sync.schedule(body.slug);
      return payload;
    }
    try {
      await sync.importRemote(body.slug, actor);
    } catch (err) {
      // The project was only made to receive the import: take it away again.
      await deleteProject(s, actor, body.slug).catch((e: unknown) => req.log.error({ err: e }, 'could not remove the project of a failed import'));
      throw err;
    }
    return (await getProject(s.db, body.slug)) as Project;
  });

  app.addHook('onResponse', async (req, reply) => {
    if (!isUpdate(req.method, req.routeOptions.url) || reply.statusCode !== 200) return;
    const body = req.body as UpdateProjectRequest;
    if (body.remoteUrl || body.remoteToken) sync.schedule((req.params as { project: string }).project);
  });
}
