import { Type, type Static } from '@sinclair/typebox';
import { IsoDate, Nullable } from './common.js';
import { Email } from './users.js';

/** Why a user was told something (SPEC "Release lifecycle", notifications). */
export const NotificationKind = Type.Union([
  Type.Literal('review_requested'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
  Type.Literal('released'),
  Type.Literal('lock_overridden'),
  Type.Literal('file_available'),
]);
export type NotificationKind = Static<typeof NotificationKind>;

export const Notification = Type.Object(
  {
    id: Type.Integer(),
    kind: NotificationKind,
    at: IsoDate,
    /** Who caused it. */
    actor: Type.String(),
    project: Nullable(Type.String()),
    path: Nullable(Type.String()),
    message: Type.String(),
    read: Type.Boolean(),
  },
  { $id: 'Notification' },
);
export type Notification = Static<typeof Notification>;

export const NotificationList = Type.Object({
  items: Type.Array(Notification),
  unread: Type.Integer(),
  nextCursor: Nullable(Type.String()),
});
export type NotificationList = Static<typeof NotificationList>;

export const NotificationsQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type NotificationsQuery = Static<typeof NotificationsQuery>;

/** POST /api/notifications/read: the given ids, or every one of the caller's when `all`. */
export const MarkReadRequest = Type.Object(
  {
    ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 500 })),
    all: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type MarkReadRequest = Static<typeof MarkReadRequest>;

/** PATCH /api/auth/me: what users change on their own account. */
export const UpdateMeRequest = Type.Object({ email: Type.Union([Email, Type.Null()]) }, { additionalProperties: false });
export type UpdateMeRequest = Static<typeof UpdateMeRequest>;

/** POST /api/notifications/read answers the caller's unread count after marking. */
export const MarkReadResponse = Type.Object({ unread: Type.Integer() });
export type MarkReadResponse = Static<typeof MarkReadResponse>;
