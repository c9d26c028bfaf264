import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { ErrorBody, MarkReadRequest, MarkReadResponse, NotificationList, NotificationsQuery } from '@lockstep/protocol';
import type { Services } from '../../services/context.js';
import { markNotificationsRead, myNotifications } from '../../services/notifications.js';
import { requireAuth } from '../auth-hook.js';

/** The caller's own inbox: review requests, approvals, overridden locks, files that became available. */
export const notificationRoutes =
  (s: Services): FastifyPluginCallbackTypebox =>
  (app, _opts, done) => {
    app.get(
      '/api/notifications',
      {
        config: { access: 'read' },
        schema: {
          tags: ['notifications'],
          summary: 'Your notifications, newest first',
          description:
            'With the number of unread ones. `unread=true` lists only those; `nextCursor` (null on the last page) continues with `cursor`.',
          querystring: NotificationsQuery,
          response: { 200: NotificationList, 400: ErrorBody, 401: ErrorBody },
        },
      },
      async (req) => myNotifications(s, requireAuth(req).actor, req.query),
    );

    app.post(
      '/api/notifications/read',
      {
        config: { access: 'read' },
        schema: {
          tags: ['notifications'],
          summary: 'Mark notifications read',
          description:
            '`{ids}` marks those of the given ids that are yours (others are ignored); `{all: true}` marks every one of yours. Answers your unread count left.',
          body: MarkReadRequest,
          response: { 200: MarkReadResponse, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (req) => markNotificationsRead(s, requireAuth(req).actor, req.body),
    );
    done();
  };
