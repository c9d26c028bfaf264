import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, SyncResult } from '@lockstep/protocol';
import type { SyncService } from '../../services/sync.js';
import { requireAuth } from '../auth-hook.js';

const Params = Type.Object({ project: Type.String({ maxLength: 64 }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 502: ErrorBody };

/** POST /api/projects/:project/sync — the admin's "sync now". */
export const syncRoutes =
  (sync: SyncService): FastifyPluginAsyncTypebox =>
  (app) => {
    app.post(
      '/api/projects/:project/sync',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['projects'],
          summary:
            'Sync now: fetch; fast-forward when the remote moved ahead, push when Lockstep is ahead, 409 when the histories diverged',
          params: Params,
          response: { 200: SyncResult, ...errors },
        },
      },
      async (req) => sync.syncNow(req.params.project, requireAuth(req).actor),
    );
    // Registering routes awaits nothing; Fastify wants a plugin that returns a promise.
    return Promise.resolve();
  };
