import type { FastifyRequest } from 'fastify';
import type { Services } from '../services/context.js';
import { AppError, badRequest } from '../services/errors.js';
import { BlobTooLargeError, GitError, RepoMissingError } from '../vault/index.js';

export interface ParsedUpload {
  fields: Record<string, string>;
  blob: { sha: string; size: number };
  filename: string;
}

/**
 * Reads a multipart body, streaming its single `file` part straight into git (never into memory).
 * Text fields may come before or after the file. Truncated bodies and size overruns reject.
 */
export async function readUpload(s: Services, req: FastifyRequest, slug: string): Promise<ParsedUpload> {
  if (!req.isMultipart()) throw new AppError(415, 'unsupported_media_type', 'send multipart/form-data with a "file" part');
  const fields: Record<string, string> = {};
  let blob: ParsedUpload['blob'] | null = null;
  let filename = '';
  try {
    for await (const part of req.parts()) {
      if (part.type !== 'file') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'file' || blob) {
        part.file.resume();
        throw badRequest('send exactly one file, in a part named "file"');
      }
      filename = part.filename;
      blob = await s.vault.writeBlob(slug, part.file, { maxBytes: s.config.maxUploadBytes });
      if (part.file.truncated) throw new AppError(413, 'too_large', 'upload exceeds the size limit');
    }
  } catch (err) {
    throw isParseError(err) ? badRequest(`malformed multipart body: ${(err as Error).message}`) : err;
  }
  if (!blob) throw badRequest('the "file" part is missing');
  return { fields, blob, filename };
}

/** busboy's errors (truncated body, bad boundary, broken headers) carry no status and no errno code. */
function isParseError(err: unknown): boolean {
  if (
    !(err instanceof Error) ||
    err instanceof AppError ||
    err instanceof BlobTooLargeError ||
    err instanceof GitError ||
    err instanceof RepoMissingError
  )
    return false;
  const e = err as { statusCode?: number; code?: unknown };
  return e.statusCode === undefined && e.code === undefined;
}

export function boolField(fields: Record<string, string>, name: string, fallback: boolean): boolean {
  const v = fields[name];
  if (v === undefined || v === '') return fallback;
  if (v === 'true' || v === '1' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'off') return false;
  throw badRequest(`field "${name}" must be true or false`);
}
