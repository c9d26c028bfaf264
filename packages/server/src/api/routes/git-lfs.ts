// The Git LFS File Locking API at /git/<project>.git/info/lfs/locks, in the spec's shapes and media
// type; errors are `{message}` (a 409 adds the existing `lock`), never Lockstep's `{error}`.
import type { FastifyError, FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { LFS_MEDIA_TYPE, LfsCreateLockRequest, LfsListLocksQuery, LfsUnlockRequest, LfsVerifyRequest } from '@lockstep/protocol';
import type { Services } from '../../services/context.js';
import { AppError } from '../../services/errors.js';
import { createLfsLock, LfsLockExists, pageLocks, toLfsLock, unlockLfs, verifyLocks } from '../../services/git-locks.js';
import { registerGitAuth, requireGitActor } from '../git-auth.js';

const RepoParams = Type.Object({ repo: Type.String({ maxLength: 128 }) });
const MAX_BODY = 64 * 1024;

// eslint-disable-next-line @typescript-eslint/require-await -- Fastify awaits a plugin: it is async by contract
export const gitLfsRoutes = (s: Services) => async (base: FastifyInstance) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  registerGitAuth(app, s);
  app.addContentTypeParser(LFS_MEDIA_TYPE, { parseAs: 'string', bodyLimit: MAX_BODY }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('the body is not JSON'), { statusCode: 400 }), undefined);
    }
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const send = (status: number, body: object) => reply.status(status).type(LFS_MEDIA_TYPE).send(body);
    if (err instanceof LfsLockExists) return send(409, { lock: err.lock, message: err.message });
    // A path that breaks the path rules is well-formed JSON with a bad value: 422.
    if (err instanceof AppError) return send(err.status === 400 ? 422 : err.status, { message: err.message });
    if (err.validation) return send(422, { message: `invalid request: ${err.message}` });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return send(err.statusCode, { message: err.message });
    req.log.error({ err }, 'LFS request failed');
    return send(500, { message: 'internal error; see the server log' });
  });

  const base_ = '/git/:repo/info/lfs/locks';

  app.post(base_, { config: { gitAccess: 'write' }, schema: { params: RepoParams, body: LfsCreateLockRequest } }, async (req, reply) => {
    const { actor, slug } = requireGitActor(req);
    const lock = await createLfsLock(s, slug, actor, req.body.path);
    return reply.status(201).type(LFS_MEDIA_TYPE).send({ lock });
  });

  app.get(base_, { config: { gitAccess: 'read' }, schema: { params: RepoParams, querystring: LfsListLocksQuery } }, async (req, reply) => {
    const { slug } = requireGitActor(req);
    const page = await pageLocks(s, slug, req.query);
    return reply
      .type(LFS_MEDIA_TYPE)
      .send({ locks: page.locks.map(toLfsLock), ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}) });
  });

  app.post(
    `${base_}/verify`,
    { config: { gitAccess: 'write' }, schema: { params: RepoParams, body: LfsVerifyRequest } },
    async (req, reply) => {
      const { actor, slug } = requireGitActor(req);
      return reply.type(LFS_MEDIA_TYPE).send(await verifyLocks(s, slug, actor, req.body));
    },
  );

  app.post(
    `${base_}/:id/unlock`,
    {
      config: { gitAccess: 'write' },
      schema: {
        params: Type.Object({ repo: Type.String({ maxLength: 128 }), id: Type.String({ maxLength: 4096 }) }),
        body: LfsUnlockRequest,
      },
    },
    async (req, reply) => {
      const { actor, slug } = requireGitActor(req);
      const lock = await unlockLfs(s, slug, actor, req.params.id, req.body.force ?? false);
      return reply.type(LFS_MEDIA_TYPE).send({ lock });
    },
  );
};
