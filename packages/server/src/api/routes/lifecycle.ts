import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApproveRequest, ErrorBody, FileInfo, ObsoleteRequest, RejectRequest, ReleaseRequest, ReviewList } from '@lockstep/protocol';
import type { Services } from '../../services/context.js';
import { approve, obsolete, reactivate, reject, requestRelease, withdraw } from '../../services/lifecycle.js';
import { reviewsFor } from '../../services/reviews.js';
import { requireAuth } from '../auth-hook.js';

const FileParams = Type.Object({ project: Type.String({ maxLength: 64 }), path: Type.String({ maxLength: 1024 }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const step = (summary: string) => ({ tags: ['release'], summary, params: FileParams, response: { 200: FileInfo, ...errors } });

/** The release lifecycle (SPEC "Release lifecycle"): each step answers the file as it now is. */
export const lifecycleRoutes =
  (s: Services): FastifyPluginAsyncTypebox =>
  (app) => {
    app.post(
      '/api/projects/:project/files/:path/release-request',
      {
        config: { access: 'write' },
        schema: { ...step('Request release (wip → in review); approvers are notified'), body: ReleaseRequest },
      },
      async (req) => requestRelease(s, req.params.project, req.params.path, requireAuth(req).actor, req.body.comment),
    );
    app.post(
      '/api/projects/:project/files/:path/approve',
      {
        config: { access: 'write' },
        schema: { ...step('Approve with an electronic signature (your password); enough approvals release it'), body: ApproveRequest },
      },
      async (req) => approve(s, req.params.project, req.params.path, requireAuth(req).actor, req.body.comment, req.body.password),
    );
    app.post(
      '/api/projects/:project/files/:path/reject',
      {
        config: { access: 'write' },
        schema: { ...step('Reject the release request (in review → wip), with a reason'), body: RejectRequest },
      },
      async (req) => reject(s, req.params.project, req.params.path, requireAuth(req).actor, req.body.comment),
    );
    app.post(
      '/api/projects/:project/files/:path/withdraw',
      { config: { access: 'write' }, schema: step('Withdraw your release request (in review → wip)') },
      async (req) => withdraw(s, req.params.project, req.params.path, requireAuth(req).actor),
    );
    app.post(
      '/api/projects/:project/files/:path/obsolete',
      {
        config: { access: 'admin' },
        schema: { ...step('Obsolete a file (admin): read-only, production no longer gets it'), body: ObsoleteRequest },
      },
      async (req) => obsolete(s, req.params.project, req.params.path, requireAuth(req).actor, req.body.reason),
    );
    app.post(
      '/api/projects/:project/files/:path/reactivate',
      { config: { access: 'admin' }, schema: step('Reactivate an obsolete file (admin): back to wip') },
      async (req) => reactivate(s, req.params.project, req.params.path, requireAuth(req).actor),
    );
    app.get(
      '/api/reviews',
      {
        config: { access: 'read' },
        schema: {
          tags: ['release'],
          summary: 'Files in review that wait for your approval',
          response: { 200: ReviewList, 401: ErrorBody },
        },
      },
      async (req) => reviewsFor(s, requireAuth(req).actor),
    );
    return Promise.resolve();
  };
