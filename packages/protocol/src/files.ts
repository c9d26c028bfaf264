import { Type, type Static } from '@sinclair/typebox';
import { IsoDate, Nullable } from './common.js';

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
  action: Type.String({ description: 'upload | checkin | update | delete | link' }),
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
