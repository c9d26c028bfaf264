import { Type, type Static } from '@sinclair/typebox';
import { IsoDate, Nullable } from './common.js';

export const AuditAction = Type.Union(
  [
    'login',
    'logout',
    'login_failed',
    'user.created',
    'user.updated',
    'user.disabled',
    'token.created',
    'token.revoked',
    'project.created',
    'project.updated',
    'project.deleted',
    'file.uploaded',
    'file.checked_out',
    'file.checked_in',
    'file.checkout_cancelled',
    'file.lock_overridden',
    'file.updated',
    'file.deleted',
    'file.linked',
    'file.release_requested',
    'file.approved',
    'file.released',
    'file.rejected',
    'file.release_withdrawn',
    'file.obsoleted',
    'file.reactivated',
    'signature_failed',
    'file.queue_joined',
    'file.queue_left',
    'sync.pushed',
    'sync.failed',
    'sync.pulled',
  ].map((a) => Type.Literal(a)),
);

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: IsoDate,
  user: Nullable(Type.String()),
  action: Type.String(),
  project: Nullable(Type.String()),
  path: Nullable(Type.String()),
  revision: Nullable(Type.String()),
  message: Nullable(Type.String()),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditQuery = Type.Object(
  {
    project: Type.Optional(Type.String({ maxLength: 64 })),
    user: Type.Optional(Type.String({ maxLength: 64 })),
    action: Type.Optional(Type.String({ maxLength: 64 })),
    since: Type.Optional(IsoDate),
    until: Type.Optional(IsoDate),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 500 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

/** What happened lately in the projects, for every signed-in user (no logins, users or tokens). */
export const ActivityQuery = Type.Object(
  {
    project: Type.Optional(Type.String({ maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 30 })),
  },
  { additionalProperties: false },
);
export type ActivityQuery = Static<typeof ActivityQuery>;
