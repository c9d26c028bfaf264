import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AuditEntry, AuditQuery, CreateUserRequest, ErrorBody, Lock, UpdateUserRequest, User } from '@lockstep/protocol';
import { auditLog, currentLocks } from '../../services/audit-log.js';
import { allUsers } from '../../services/users.js';
import type { Services } from '../../services/context.js';
import { changeUser, createUser } from '../../services/users.js';
import { requireAuth } from '../auth-hook.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const csvCell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  // Quote always; neutralise spreadsheet formulas (CSV injection).
  return `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
};

export const adminRoutes =
  (s: Services): FastifyPluginAsyncTypebox =>
  (app) => {
    app.get(
      '/api/users',
      {
        config: { access: 'admin' },
        schema: { tags: ['users'], summary: 'List users', response: { 200: Type.Array(User), ...errors } },
      },
      async () => allUsers(s),
    );

    app.post(
      '/api/users',
      {
        config: { access: 'admin' },
        schema: { tags: ['users'], summary: 'Create a user', body: CreateUserRequest, response: { 201: User, ...errors } },
      },
      async (req, reply) => reply.status(201).send(await createUser(s, requireAuth(req).actor, req.body)),
    );

    app.patch(
      '/api/users/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['users'],
          summary: 'Change role, password, disabled, approver flag or e-mail',
          params: Type.Object({ id: Type.Integer() }),
          body: UpdateUserRequest,
          response: { 200: User, ...errors },
        },
      },
      async (req) => changeUser(s, requireAuth(req).actor, req.params.id, req.body),
    );

    app.delete(
      '/api/users/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['users'],
          summary: 'Disable a user (history keeps their name)',
          params: Type.Object({ id: Type.Integer() }),
          response: { 200: User, ...errors },
        },
      },
      async (req) => changeUser(s, requireAuth(req).actor, req.params.id, { disabled: true }),
    );

    app.get(
      '/api/locks',
      {
        config: { access: 'read' },
        schema: {
          tags: ['locks'],
          summary: 'Current locks',
          querystring: Type.Object(
            { project: Type.Optional(Type.String({ maxLength: 64 })), user: Type.Optional(Type.String({ maxLength: 64 })) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Array(Lock), ...errors },
        },
      },
      async (req) => currentLocks(s, req.query),
    );

    app.get(
      '/api/audit',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['audit'],
          summary: 'Audit log, newest first',
          querystring: AuditQuery,
          response: { 200: Type.Array(AuditEntry), ...errors },
        },
      },
      async (req) => auditLog(s, req.query),
    );

    app.get(
      '/api/audit.csv',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['audit'],
          summary: 'Audit log as CSV',
          querystring: AuditQuery,
          response: { 200: Type.String({ description: 'text/csv' }), ...errors },
        },
      },
      async (req, reply) => {
        const rows = await auditLog(s, { ...req.query, limit: req.query.limit ?? 10000 });
        const header = ['id', 'at', 'user', 'action', 'project', 'path', 'revision', 'message'] as const;
        const lines = [header.join(','), ...rows.map((r) => header.map((h) => csvCell(r[h])).join(','))];
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="lockstep-audit.csv"')
          .send(`${lines.join('\r\n')}\r\n`);
      },
    );
    // Registering routes awaits nothing; Fastify wants a plugin that returns a promise.
    return Promise.resolve();
  };
