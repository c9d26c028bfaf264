import { Type, type Static } from '@sinclair/typebox';
import { IsoDate, Nullable } from './common.js';

export const Slug = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$' });

export const SyncStatus = Type.Object({
  state: Type.Union([Type.Literal('idle'), Type.Literal('pending'), Type.Literal('ok'), Type.Literal('failed')]),
  lastSyncAt: Nullable(IsoDate),
  lastError: Nullable(Type.String()),
});
export type SyncStatus = Static<typeof SyncStatus>;

export const Project = Type.Object(
  {
    slug: Slug,
    name: Type.String(),
    description: Type.String(),
    createdAt: IsoDate,
    fileCount: Type.Integer(),
    lockCount: Type.Integer(),
    /** Remote URL without credentials, or null. The token is never returned. */
    remoteUrl: Nullable(Type.String()),
    sync: SyncStatus,
    /** Approvals a release needs (1–5). */
    approvalsRequired: Type.Integer({ minimum: 1, maximum: 5 }),
    /** `failed`: the index could not be rebuilt from git at start; `error` says why (admins only). */
    status: Type.Object({
      state: Type.Union([Type.Literal('ok'), Type.Literal('failed')]),
      error: Nullable(Type.String()),
    }),
  },
  { $id: 'Project' },
);
export type Project = Static<typeof Project>;

export const CreateProjectRequest = Type.Object(
  {
    slug: Slug,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    remoteUrl: Type.Optional(Type.String({ maxLength: 2000 })),
    remoteToken: Type.Optional(Type.String({ maxLength: 2000 })),
    /** With remoteUrl: clone the remote's history into the new project and index it. */
    import: Type.Optional(Type.Boolean()),
    approvalsRequired: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  },
  { additionalProperties: false },
);
export type CreateProjectRequest = Static<typeof CreateProjectRequest>;

export const UpdateProjectRequest = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    remoteUrl: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    remoteToken: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    approvalsRequired: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateProjectRequest = Static<typeof UpdateProjectRequest>;

/** Answer of POST /api/projects/:project/sync ("sync now"). */
export const SyncResult = Type.Object({
  action: Type.Union([Type.Literal('up-to-date'), Type.Literal('pushed'), Type.Literal('fast-forwarded')]),
  local: Nullable(Type.String()),
  remote: Nullable(Type.String()),
  project: Project,
});
export type SyncResult = Static<typeof SyncResult>;
