import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * `T | null` as a JSON-Schema type list (`type: ['string', 'null']`) rather than TypeBox's anyOf:
 * Fastify's response serializer picks an anyOf branch by validating every value, which made a
 * 5,000-entry listing page ten times slower to write. (For OpenAPI 3.0 the docs turn the list into
 * `nullable: true`.) `schema` must be a single-type schema such as Type.String(). Request bodies
 * keep Type.Union: Fastify's type provider infers `unknown` for Optional(Nullable(…)).
 */
export function Nullable<T extends TSchema & { type: string }>(schema: T) {
  // Through JSON: drop TypeBox's own symbol keys, so this is a plain schema of kind Unsafe.
  const plain = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  return Type.Unsafe<Static<T> | null>({ ...plain, type: [schema.type, 'null'] });
}

/** Every error body the API returns: `{ error: { code, message } }`. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'machine-readable, e.g. lock_conflict' }),
      message: Type.String(),
      holder: Type.Optional(Type.String({ description: 'username holding the lock (409 only)' })),
      currentCommit: Type.Optional(Type.String({ description: 'the commit the file is at now (409 stale only)' })),
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
  'stale',
  /** A path that would put a file under a file, or a file where a folder is. */
  'path_conflict',
  'unchanged',
  'too_large',
  'unsupported_media_type',
  'unprocessable',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ErrorCodes)[number];
