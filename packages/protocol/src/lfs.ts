// Git LFS File Locking API bodies (https://github.com/git-lfs/git-lfs/blob/main/docs/api/locking.md),
// served at /git/<project>.git/info/lfs/locks with the media type below. Field names are the spec's.
import { Type, type Static } from '@sinclair/typebox';

export const LFS_MEDIA_TYPE = 'application/vnd.git-lfs+json';

const LfsRef = Type.Object({ name: Type.String({ maxLength: 1024 }) });

export const LfsLock = Type.Object({
  id: Type.String(),
  path: Type.String(),
  locked_at: Type.String({ description: 'ISO 8601' }),
  owner: Type.Object({ name: Type.String() }),
});
export type LfsLock = Static<typeof LfsLock>;

export const LfsCreateLockRequest = Type.Object({ path: Type.String({ minLength: 1, maxLength: 1024 }), ref: Type.Optional(LfsRef) });
export type LfsCreateLockRequest = Static<typeof LfsCreateLockRequest>;

export const LfsListLocksQuery = Type.Object({
  path: Type.Optional(Type.String({ maxLength: 1024 })),
  id: Type.Optional(Type.String({ maxLength: 4096 })),
  cursor: Type.Optional(Type.String({ maxLength: 4096 })),
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  refspec: Type.Optional(Type.String({ maxLength: 1024 })),
});
export type LfsListLocksQuery = Static<typeof LfsListLocksQuery>;

export const LfsVerifyRequest = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 4096 })),
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  ref: Type.Optional(LfsRef),
});
export type LfsVerifyRequest = Static<typeof LfsVerifyRequest>;

export const LfsUnlockRequest = Type.Object({ force: Type.Optional(Type.Boolean()), ref: Type.Optional(LfsRef) });
export type LfsUnlockRequest = Static<typeof LfsUnlockRequest>;

export const LfsLockResponse = Type.Object({ lock: LfsLock });
export const LfsLockList = Type.Object({ locks: Type.Array(LfsLock), next_cursor: Type.Optional(Type.String()) });
export const LfsVerifyResponse = Type.Object({
  ours: Type.Array(LfsLock),
  theirs: Type.Array(LfsLock),
  next_cursor: Type.Optional(Type.String()),
});
/** Every LFS error: `{message}`; a 409 also carries the existing `lock`. */
export const LfsError = Type.Object({
  message: Type.String(),
  lock: Type.Optional(LfsLock),
  documentation_url: Type.Optional(Type.String()),
  request_id: Type.Optional(Type.String()),
});
export type LfsError = Static<typeof LfsError>;

/** Where a project's git remote lives on a Lockstep server. */
export const gitPaths = {
  repo: (slug: string) => `/git/${encodeURIComponent(slug)}.git`,
  locks: (slug: string) => `/git/${encodeURIComponent(slug)}.git/info/lfs/locks`,
} as const;
