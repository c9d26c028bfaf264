import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody, ErrorCode } from '@lockstep/protocol';
import { AppError, fromVaultError } from '../services/errors.js';
import { BlobTooLargeError, VaultInputError } from '../vault/index.js';

const body = (code: ErrorCode, message: string, extra: { holder?: string; currentCommit?: string } = {}): ErrorBody => ({
  error: { code, message, ...extra },
});

/** Maps every failure to `{error:{code,message}}` with the right status; internals are logged, not leaked. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) return reply.status(err.status).send(body(err.code, err.message, err.extra));
    const vault = fromVaultError(err);
    if (vault) return reply.status(vault.status).send(body(vault.code, vault.message));
    if (err instanceof BlobTooLargeError || err.code === 'FST_REQ_FILE_TOO_LARGE' || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send(body('too_large', 'upload exceeds the size limit'));
    }
    if (err.validation || err instanceof VaultInputError) return reply.status(400).send(body('validation', err.message));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
      return reply.status(415).send(body('unsupported_media_type', err.message));
    }
    if (err.statusCode === 429) return reply.status(429).send(body('rate_limited', 'too many attempts; wait a minute and retry'));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // Malformed JSON, truncated multipart, empty bodies and the like.
      return reply.status(err.statusCode).send(body('validation', err.message));
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send(body('internal', 'internal error; see the server log'));
  });
}

/** Errors Fastify raises before routing (bad percent-escapes, over-long params) in our shape. */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  reply.status(status).send(body('validation', err.message));
}

/** Requests Node's HTTP parser refuses (e.g. headers over 16 KB) get a JSON answer too. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: import('node:net').Socket) {
  if (!socket.writable) return socket.destroy();
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const payload = JSON.stringify(body('validation', status === 431 ? 'request headers too large' : 'malformed HTTP request'));
  socket.end(
    `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
  );
}

export function sendNotFound(reply: { status(n: number): { send(b: unknown): unknown } }, what: string) {
  return reply.status(404).send(body('not_found', what));
}
