import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, FileInfo } from '@lockstep/protocol';
import type { Services } from '../../services/context.js';
import { unwatchFile, watchFile } from '../../services/lock-queue.js';
import { requireAuth } from '../auth-hook.js';

const FileParams = Type.Object({ project: Type.String({ maxLength: 64 }), path: Type.String({ maxLength: 1024 }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** "Notify me when available": the queue of a locked file (FileInfo.waiting). */
export const lockQueueRoutes =
  (s: Services): FastifyPluginCallbackTypebox =>
  (app, _opts, done) => {
    app.post(
      '/api/projects/:project/files/:path/watch',
      {
        config: { access: 'write' },
        schema: {
          tags: ['locks'],
          summary: 'Wait for a file someone else has checked out',
          description:
            'Joins the end of the file’s queue (`waiting`); already waiting: unchanged. When the lock is released the first in line gets a `file_available` notification and has a while (LOCKSTEP_QUEUE_TURN_MINUTES) to check it out before the next one is told. 409 when the file is not checked out (check it out now) or you hold it.',
          params: FileParams,
          response: { 200: FileInfo, ...errors },
        },
      },
      async (req) => watchFile(s, req.params.project, req.params.path, requireAuth(req).actor),
    );

    app.delete(
      '/api/projects/:project/files/:path/watch',
      {
        config: { access: 'write' },
        schema: {
          tags: ['locks'],
          summary: 'Stop waiting for a file',
          description: 'Leaves the queue (not waiting: unchanged). If it was your turn, the next in line is told at once.',
          params: FileParams,
          response: { 200: FileInfo, ...errors },
        },
      },
      async (req) => unwatchFile(s, req.params.project, req.params.path, requireAuth(req).actor),
    );
    done();
  };
