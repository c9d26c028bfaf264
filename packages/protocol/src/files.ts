import { Type, type Static } from '@sinclair/typebox';
import { IsoDate, Nullable } from './common.js';

/** Release lifecycle (SPEC "Release lifecycle"): wip → in_review → released → obsolete. */
export const FileState = Type.Union([Type.Literal('wip'), Type.Literal('in_review'), Type.Literal('released'), Type.Literal('obsolete')]);
export type FileState = Static<typeof FileState>;

export const Approval = Type.Object({ user: Type.String(), at: IsoDate, comment: Type.String() });
export type Approval = Static<typeof Approval>;

/** An open release request. */
export const Review = Type.Object({
  requestedBy: Type.String(),
  requestedAt: IsoDate,
  comment: Type.String(),
  /** The revision under review. */
  revision: Type.String(),
  /** Approvals needed (the project's approvalsRequired when requested). */
  required: Type.Integer(),
  approvals: Type.Array(Approval),
});
export type Review = Static<typeof Review>;

export const FileStatus = Type.Union([Type.Literal('available'), Type.Literal('checked_out_by_me'), Type.Literal('locked')]);
export type FileStatus = Static<typeof FileStatus>;

/** Custom key/values versioned with the file. */
export const CustomFields = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 2000 }));
export type CustomFields = Static<typeof CustomFields>;

export const FileInfo = Type.Object(
  {
    path: Type.String(),
    name: Type.String(),
    group: Type.String({ description: 'NNXXXXX part-number group or Miscellaneous' }),
    status: FileStatus,
    lockedBy: Nullable(Type.String()),
    lockedAt: Nullable(IsoDate),
    lockMessage: Nullable(Type.String()),
    revision: Type.String(),
    description: Type.String(),
    partNumber: Nullable(Type.String()),
    fields: CustomFields,
    size: Type.Integer(),
    modifiedAt: IsoDate,
    modifiedBy: Type.String(),
    commit: Type.String(),
    state: FileState,
    /** The revision production gets (null until one is released). */
    releasedRevision: Nullable(Type.String()),
    releasedAt: Nullable(IsoDate),
    releasedBy: Nullable(Type.String()),
    review: Nullable(Review),
    /** Users waiting for the lock, first in line first. */
    waiting: Type.Array(Type.String()),
    /** Present on link entries: the target path; status/lock fields are the target's. */
    link: Type.Optional(Type.String()),
  },
  { $id: 'FileInfo' },
);
export type FileInfo = Static<typeof FileInfo>;

export const FileSort = Type.Union([
  Type.Literal('group'),
  Type.Literal('name'),
  Type.Literal('path'),
  Type.Literal('modified'),
  Type.Literal('-modified'),
  Type.Literal('revision'),
  Type.Literal('status'),
]);
export type FileSort = Static<typeof FileSort>;

export const ListFilesQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    group: Type.Optional(Type.String({ maxLength: 32 })),
    status: Type.Optional(FileStatus),
    state: Type.Optional(FileState),
    sort: Type.Optional(FileSort),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type ListFilesQuery = Static<typeof ListFilesQuery>;

export const FileList = Type.Object({
  items: Type.Array(FileInfo),
  total: Type.Integer(),
  nextCursor: Nullable(Type.String()),
});
export type FileList = Static<typeof FileList>;

export const GroupSummary = Type.Object({ group: Type.String(), count: Type.Integer(), locked: Type.Integer() });
export type GroupSummary = Static<typeof GroupSummary>;

export const HistoryEntry = Type.Object({
  commit: Type.String(),
  revision: Type.String(),
  author: Type.String(),
  date: IsoDate,
  message: Type.String(),
  action: Type.String({
    description:
      'upload | checkin | update | delete | link | push | release-request | approve | reject | withdraw | release | obsolete | reactivate',
  }),
  /** The file's lifecycle state after this change. */
  state: FileState,
  /** On a release: the approvals (electronic signatures) that released it. */
  approvals: Type.Optional(Type.Array(Approval)),
});
export type HistoryEntry = Static<typeof HistoryEntry>;

export const CheckoutRequest = Type.Object({ message: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
export type CheckoutRequest = Static<typeof CheckoutRequest>;

export const OverrideRequest = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
export type OverrideRequest = Static<typeof OverrideRequest>;

export const UpdateFileRequest = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    partNumber: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    fields: Type.Optional(CustomFields),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateFileRequest = Static<typeof UpdateFileRequest>;

export const CreateLinkRequest = Type.Object(
  { path: Type.String({ minLength: 1, maxLength: 1024 }), target: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export type CreateLinkRequest = Static<typeof CreateLinkRequest>;

/** Multipart text fields of a check-in (the `file` part carries the content). */
export interface CheckinFields {
  message: string;
  bump: boolean;
  keep: boolean;
}

export const Lock = Type.Object({
  project: Type.String(),
  path: Type.String(),
  user: Type.String(),
  lockedAt: IsoDate,
  message: Type.String(),
});
export type Lock = Static<typeof Lock>;

/** Lifecycle requests (SPEC "Release lifecycle"); each answers the new FileInfo. */
const Comment = Type.String({ maxLength: 2000 });
export const ReleaseRequest = Type.Object({ comment: Comment }, { additionalProperties: false });
export type ReleaseRequest = Static<typeof ReleaseRequest>;
export const ApproveRequest = Type.Object(
  {
    comment: Comment,
    password: Type.String({ minLength: 1, maxLength: 256, description: 'the approver re-enters it: an electronic signature' }),
  },
  { additionalProperties: false },
);
export type ApproveRequest = Static<typeof ApproveRequest>;
export const RejectRequest = Type.Object({ comment: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
export type RejectRequest = Static<typeof RejectRequest>;
export const ObsoleteRequest = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
export type ObsoleteRequest = Static<typeof ObsoleteRequest>;

/** GET /api/reviews: files in review that the caller may approve (and has not yet). */
export const ReviewItem = Type.Object({ project: Type.String(), file: FileInfo });
export type ReviewItem = Static<typeof ReviewItem>;
export const ReviewList = Type.Object({ items: Type.Array(ReviewItem) });
export type ReviewList = Static<typeof ReviewList>;
