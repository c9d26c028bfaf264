import { Type, type Static } from '@sinclair/typebox';
import { IsoDate, Role, Nullable } from './common.js';

export const User = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    role: Role,
    disabled: Type.Boolean(),
    /** May approve releases (admins always may). */
    approver: Type.Boolean(),
    /** Where notifications are mailed (when the server has SMTP configured). */
    email: Nullable(Type.String()),
    createdAt: IsoDate,
  },
  { $id: 'User' },
);
export type User = Static<typeof User>;

export const Username = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$' });
export const Password = Type.String({ minLength: 8, maxLength: 256 });

export const LoginRequest = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

/** What the server accepts, so forms can say so before a request is refused. */
export const ServerLimits = Type.Object({
  allowedExtensions: Type.Array(Type.String(), { description: 'file extensions a path may end with, e.g. ".nc"' }),
  maxUploadBytes: Type.Integer(),
});
export type ServerLimits = Static<typeof ServerLimits>;

export const SessionResponse = Type.Object({ user: User, csrfToken: Type.String(), limits: ServerLimits });
export type SessionResponse = Static<typeof SessionResponse>;

export const Email = Type.String({ maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });

export const CreateUserRequest = Type.Object(
  {
    username: Username,
    password: Password,
    role: Role,
    approver: Type.Optional(Type.Boolean()),
    email: Type.Optional(Type.Union([Email, Type.Null()])),
  },
  { additionalProperties: false },
);
export type CreateUserRequest = Static<typeof CreateUserRequest>;

export const UpdateUserRequest = Type.Object(
  {
    role: Type.Optional(Role),
    password: Type.Optional(Password),
    disabled: Type.Optional(Type.Boolean()),
    approver: Type.Optional(Type.Boolean()),
    email: Type.Optional(Type.Union([Email, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserRequest = Static<typeof UpdateUserRequest>;

export const ApiToken = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  createdAt: IsoDate,
  lastUsedAt: Nullable(IsoDate),
});
export type ApiToken = Static<typeof ApiToken>;

export const CreateTokenRequest = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export type CreateTokenRequest = Static<typeof CreateTokenRequest>;

/** The secret is shown once, at creation. */
export const CreatedToken = Type.Composite([ApiToken, Type.Object({ token: Type.String() })]);
export type CreatedToken = Static<typeof CreatedToken>;

export const ChangePasswordRequest = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: Password },
  { additionalProperties: false, $id: 'ChangePasswordRequest' },
);
export type ChangePasswordRequest = Static<typeof ChangePasswordRequest>;
