import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ActivityQuery, AuditEntry, ErrorBody } from '@lockstep/protocol';
import { activity } from '../../services/audit-log.js';
import type { Services } from '../../services/context.js';

/** Recent project activity for every signed-in user: the dashboard shows it after a reload too. */
export const activityRoutes =
  (s: Services): FastifyPluginCallbackTypebox =>
  (app, _opts, done) => {
    app.get(
      '/api/activity',
      {
        config: { access: 'read' },
        schema: {
          tags: ['audit'],
          summary: 'Recent activity in the projects',
          description:
            'File and project actions from the audit trail, newest first (no sign-ins, users or tokens). Readable by every signed-in user; every user reads every project.',
          querystring: ActivityQuery,
          response: { 200: Type.Array(AuditEntry), 400: ErrorBody, 401: ErrorBody },
        },
      },
      async (req) => activity(s, { project: req.query.project, limit: req.query.limit ?? 30 }),
    );
    done();
  };
