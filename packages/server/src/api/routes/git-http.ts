// Git smart HTTP at /git/<project>.git: clone and fetch (upload-pack), push (receive-pack, checked
// against the locks by services/git-push.ts from the pre-receive hook). Bodies are streamed.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/context.js';
import { AppError, forbidden } from '../../services/errors.js';
import { lateRefusal, parseRefUpdates, receivePush, type PushResult } from '../../services/git-push.js';
import { can } from '../../domain/permissions.js';
import { pktLine, spawnService, validProtocolHeader, type GitService } from '../../vault/smart-http.js';
import type { HookAnswer } from '../../vault/push-hook.js';
import { PushReportHold } from '../../vault/push-report.js';
import { registerGitAuth, requireGitActor } from '../git-auth.js';
import type { PushChannel } from '../git-push-channel.js';

const SERVICES = new Set(['git-upload-pack', 'git-receive-pack']);
/** Fetch negotiation ("have" lines) stays small; a pack is capped by LOCKSTEP_MAX_UPLOAD_MB. */
const MAX_FETCH_REQUEST = 64 * 1024 * 1024;

export interface GitHttpDeps {
  channel: PushChannel;
  /** core.hooksPath with Lockstep's pre-receive (vault/push-hook.ts). */
  hooksDir: string;
}

// eslint-disable-next-line @typescript-eslint/require-await -- Fastify awaits a plugin: it is async by contract
export const gitHttpRoutes = (s: Services, deps: GitHttpDeps) => async (app: FastifyInstance) => {
  registerGitAuth(app, s);
  // Requests are git's own binary streams: never buffered or parsed, handed to git as they come.
  app.addContentTypeParser(['application/x-git-upload-pack-request', 'application/x-git-receive-pack-request'], (_req, payload, done) =>
    done(null, payload),
  );
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err instanceof AppError ? err.status : err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err }, 'git request failed');
    return reply
      .status(status)
      .type('text/plain; charset=utf-8')
      .send(`${status >= 500 ? 'internal error; see the server log' : err.message}\n`);
  });

  app.get<{ Params: { repo: string }; Querystring: { service?: string } }>(
    '/git/:repo/info/refs',
    { config: { gitAccess: 'read' } },
    async (req, reply) => {
      const { actor, slug } = requireGitActor(req);
      const service = req.query.service ?? '';
      if (!SERVICES.has(service)) throw forbidden('only smart HTTP is served: use git 2.x (the ?service= parameter is missing)');
      if (service === 'git-receive-pack' && !can(actor.role, 'write')) throw forbidden('you need the user role to push');
      const name = service.slice(4) as GitService;
      const protocol = validProtocolHeader(req.headers['git-protocol'] as string | undefined);
      const child = spawnService(name, s.vault.repoPath(slug), { advertise: true, protocol });
      child.stdin.end();
      // Protocol v2 answers without the `# service=` preamble (as git http-backend does).
      const preamble =
        protocol?.includes('version=2') && name === 'upload-pack'
          ? null
          : Buffer.concat([pktLine(`# service=${service}\n`), Buffer.from('0000')]);
      return serveOutput(req, reply, child, `application/x-${service}-advertisement`, { preamble });
    },
  );

  app.post<{ Params: { repo: string } }>('/git/:repo/git-upload-pack', { config: { gitAccess: 'read' } }, async (req, reply) => {
    const { slug } = requireGitActor(req);
    const protocol = validProtocolHeader(req.headers['git-protocol'] as string | undefined);
    const child = spawnService('upload-pack', s.vault.repoPath(slug), {
      advertise: false,
      protocol,
      config: [['uploadpack.allowFilter', 'true']],
    });
    feed(req, reply, child, MAX_FETCH_REQUEST);
    return serveOutput(req, reply, child, 'application/x-git-upload-pack-result', { killOnAbort: true });
  });

  app.post<{ Params: { repo: string } }>('/git/:repo/git-receive-pack', { config: { gitAccess: 'write' } }, async (req, reply) => {
    const { actor, slug } = requireGitActor(req);
    let exited!: () => void;
    const finished = new Promise<void>((resolve) => (exited = resolve));
    let applied: Promise<PushResult> = Promise.resolve({ status: 'refused' });
    const registration = deps.channel.register(
      (hook) =>
        new Promise<HookAnswer>((answer) => {
          applied = receivePush(
            s,
            { slug, actor, updates: parseRefUpdates(hook.updates), quarantine: { objectDir: hook.objectDir, alternates: hook.alternates } },
            { answer, finished: () => finished },
          ).catch((err: unknown) => {
            answer({ ok: false, message: 'lockstep: the server could not check this push; nothing was changed\n' });
            return lateRefusal(s, slug, err);
          });
        }),
    );
    const child = spawnService('receive-pack', s.vault.repoPath(slug), {
      advertise: false,
      config: [
        ['core.hooksPath', deps.hooksDir],
        ['receive.fsckObjects', 'true'],
        ['receive.maxInputSize', String(s.config.maxUploadBytes)],
        ['receive.denyNonFastForwards', 'true'],
        ['receive.denyDeletes', 'true'],
      ],
      env: {
        LOCKSTEP_PUSH_PORT: String(deps.channel.port),
        LOCKSTEP_PUSH_SECRET: registration.secret,
        // The reflog of main records who pushed.
        GIT_COMMITTER_NAME: actor.username,
        GIT_COMMITTER_EMAIL: `${actor.username}@lockstep.local`,
      },
    });
    child.once('close', () => {
      registration.done();
      exited();
    });
    feed(req, reply, child, s.config.maxUploadBytes + 16 * 1024 * 1024);
    // A refused pack leaves its body unread: the connection cannot carry another request.
    void reply.header('connection', 'close');
    // The answer ends only once the push is recorded, so a `git pull` right after sees the metadata
    // commit; receive-pack's "ok" is held until then, and becomes "ng" if the push was undone.
    const report = new PushReportHold(async () => {
      const result = await applied;
      return result.status === 'undone' ? result : null;
    });
    return serveOutput(req, reply, child, 'application/x-git-receive-pack-result', { after: () => applied, filter: report });
  });

  // Lockstep files are git blobs, not LFS objects: say so rather than let git-lfs fail obscurely.
  app.post('/git/:repo/info/lfs/objects/batch', { config: { gitAccess: 'read' } }, async (_req, reply) =>
    reply
      .status(501)
      .type('application/vnd.git-lfs+json')
      .send({ message: 'Lockstep stores files in git itself: remove "filter=lfs" from .gitattributes and keep "lockable"' }),
  );
};

/** Request body (gunzipped when git compressed it) into git's stdin, capped at `maxBytes`. */
function feed(req: FastifyRequest, reply: FastifyReply, child: ChildProcessWithoutNullStreams, maxBytes: number): void {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    child.kill();
    throw new AppError(415, 'unsupported_media_type', `unsupported Content-Encoding ${encoding}`);
  }
  let seen = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > maxBytes) cb(new AppError(413, 'too_large', 'push exceeds the size limit'));
      else cb(null, chunk);
    },
  });
  child.stdin.on('error', () => {}); // git may stop reading early (bad input); its exit code tells
  const body = req.body as Readable;
  const piped = encoding === 'gzip' ? pipeline(body, zlib.createGunzip(), cap, child.stdin) : pipeline(body, cap, child.stdin);
  piped.catch(() => {
    // Truncated or corrupt input (or over the cap): git must not act on a partial request.
    child.stdin.destroy();
    child.kill();
    // The rest of the body is never read: once git's answer is out, drop the connection rather
    // than leave it half-read (it could not carry another request anyway).
    if (!req.raw.complete) {
      if (reply.raw.writableFinished) req.raw.destroy();
      else {
        if (!reply.raw.headersSent) void reply.header('connection', 'close');
        reply.raw.once('finish', () => req.raw.destroy());
      }
    }
  });
}

/**
 * Streams git's stdout as the answer. Until the first byte it can still become a 4xx: git that
 * exits without output (a malformed pkt-line, say) answers 400 with its own message.
 */
async function serveOutput(
  req: FastifyRequest,
  reply: FastifyReply,
  child: ChildProcessWithoutNullStreams,
  contentType: string,
  opts: { preamble?: Buffer | null; killOnAbort?: boolean; after?: () => Promise<unknown>; filter?: Transform },
) {
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    if (stderr.length < 8192) stderr += b.toString('utf8');
  });
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  child.once('error', () => {});
  const first = await Promise.race([
    new Promise<Buffer>((resolve) =>
      child.stdout.once('data', (b: Buffer) => {
        child.stdout.pause();
        resolve(b);
      }),
    ),
    exited.then(() => null),
  ]);
  if (first === null && (await exited) !== 0) {
    await opts.after?.();
    const line = stderr.split('\n').find((l) => l.trim()) ?? 'git refused the request';
    throw new AppError(400, 'validation', line.replace(/^fatal: /, ''));
  }
  const out = opts.filter ?? new PassThrough();
  if (opts.preamble) out.write(opts.preamble);
  if (first) out.write(first);
  child.stdout.pipe(out, { end: false });
  void exited.then(async (code) => {
    await opts.after?.();
    if (code !== 0) req.log.warn({ code, stderr: stderr.slice(0, 2000) }, 'git service ended with an error');
    out.end();
  });
  if (opts.killOnAbort)
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) child.kill();
    });
  return reply
    .header('cache-control', 'no-cache, max-age=0, must-revalidate')
    .header('pragma', 'no-cache')
    .header('expires', 'Fri, 01 Jan 1980 00:00:00 GMT')
    .type(contentType)
    .send(out);
}
