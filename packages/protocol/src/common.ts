import { Type, type Static } from '@sinclair/typebox';

/** Every error body the API returns: `{ error: { code, message } }`. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'machine-readable, e.g. lock_conflict' }),
      message: Type.String(),
      holder: Type.Optional(Type.String({ description: 'username holding the lock (409 only)' })),
    }),
  },
  { $id: 'ErrorBody' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('user'), Type.Literal('viewer')]);
export type Role = Static<typeof Role>;

export const IsoDate = Type.String({ format: 'date-time' });

/** The error codes the server uses; the web app maps them to messages. */
export const ErrorCodes = [
  'validation',
  'unauthenticated',
  'csrf',
  'forbidden',
  'not_found',
  'lock_conflict',
  'not_lock_holder',
  'conflict',
  'too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ErrorCodes)[number];
