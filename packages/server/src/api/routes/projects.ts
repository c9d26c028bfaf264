import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CreateProjectRequest, ErrorBody, Project, UpdateProjectRequest } from '@lockstep/protocol';
import type { Services } from '../../services/context.js';
import { createProject, deleteProject, projectSeenBy, projectsSeenBy, updateProject } from '../../services/projects.js';
import type { SyncService } from '../../services/sync.js';
import { requireAuth } from '../auth-hook.js';

const Params = Type.Object({ project: Type.String({ maxLength: 64 }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

export const projectRoutes =
  (s: Services, sync: SyncService): FastifyPluginAsyncTypebox =>
  (app) => {
    app.get(
      '/api/projects',
      {
        config: { access: 'read' },
        schema: { tags: ['projects'], summary: 'List projects', response: { 200: Type.Array(Project), ...errors } },
      },
      async (req) => {
        const actor = requireAuth(req).actor;
        return projectsSeenBy(s, actor);
      },
    );

    app.post(
      '/api/projects',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['projects'],
          summary: 'Create a project (a new bare git repository)',
          body: CreateProjectRequest,
          response: { 201: Project, ...errors },
        },
      },
      async (req, reply) => reply.status(201).send(await createProject(s, sync, requireAuth(req).actor, req.body)),
    );

    app.get(
      '/api/projects/:project',
      {
        config: { access: 'read' },
        schema: { tags: ['projects'], summary: 'One project', params: Params, response: { 200: Project, ...errors } },
      },
      async (req) => {
        return projectSeenBy(s, req.params.project, requireAuth(req).actor);
      },
    );

    app.patch(
      '/api/projects/:project',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['projects'],
          summary: 'Rename, describe, set the git remote',
          params: Params,
          body: UpdateProjectRequest,
          response: { 200: Project, ...errors },
        },
      },
      async (req) => updateProject(s, sync, requireAuth(req).actor, req.params.project, req.body),
    );

    app.delete(
      '/api/projects/:project',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['projects'],
          summary: 'Delete a project and its repository',
          params: Params,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (req, reply) => {
        await deleteProject(s, sync, requireAuth(req).actor, req.params.project);
        return reply.status(204).send(null);
      },
    );
    // Registering routes awaits nothing; Fastify wants a plugin that returns a promise.
    return Promise.resolve();
  };
