// Authentication for git clients: HTTP Basic with the username and a personal API token as the
// password (what git and git-lfs send from a credential helper or the remote URL).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../domain/permissions.js';
import { authenticate } from '../services/auth.js';
import type { Actor, Services } from '../services/context.js';
import { AppError, forbidden } from '../services/errors.js';
import { requireProject } from '../services/file-common.js';

export type GitAccess = 'read' | 'write';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call a /git route (Basic auth with an API token); every one must declare it. */
    gitAccess?: GitAccess;
  }
  interface FastifyRequest {
    gitActor: Actor | null;
    gitProject: string | null;
  }
}

export const REALM = 'Basic realm="Lockstep"';

/** The token's owner, when the username given is theirs and they are not disabled. Bearer works too (scripts). */
export async function gitActor(s: Services, authorization: string | undefined): Promise<Actor | null> {
  if (!authorization) return null;
  if (/^Bearer\s/i.test(authorization)) return (await authenticate(s, undefined, authorization))?.actor ?? null;
  const b64 = /^Basic\s+([A-Za-z0-9+/=]{1,4096})$/i.exec(authorization)?.[1];
  if (!b64) return null;
  const text = Buffer.from(b64, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 1) return null;
  const username = text.slice(0, colon);
  const token = text.slice(colon + 1);
  if (!token) return null;
  const auth = await authenticate(s, undefined, `Bearer ${token}`);
  if (auth?.actor.username !== username) return null;
  return auth.actor;
}

/** `p.git` (or `p`) in the URL: the project slug. */
export function slugOfRepo(repo: string): string {
  return repo.endsWith('.git') ? repo.slice(0, -4) : repo;
}

/**
 * The access check for a /git plugin: a route without `gitAccess` fails at registration; a request
 * without valid credentials gets 401 with the Basic challenge (git then asks its credential helper).
 */
export function registerGitAuth(app: FastifyInstance, s: Services): void {
  app.decorateRequest('gitActor', null);
  app.decorateRequest('gitProject', null);
  app.addHook('onRoute', (route) => {
    if (!route.config?.gitAccess) throw new Error(`git route ${String(route.method)} ${route.url} has no gitAccess rule`);
  });
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const need = req.routeOptions.config.gitAccess;
    if (!need) return;
    const actor = await gitActor(s, req.headers.authorization);
    if (!actor) {
      void reply.header('www-authenticate', REALM);
      throw new AppError(401, 'unauthenticated', 'authentication required: your username and a personal API token as the password');
    }
    req.gitActor = actor;
    if (!can(actor.role, need)) throw forbidden(need === 'write' ? 'you need the user role to push or lock' : 'no read access');
    const repo = (req.params as { repo?: string }).repo ?? '';
    const slug = slugOfRepo(repo);
    await requireProject(s, slug);
    req.gitProject = slug;
  });
}

export function requireGitActor(req: FastifyRequest): { actor: Actor; slug: string } {
  if (!req.gitActor || !req.gitProject) throw new AppError(401, 'unauthenticated', 'authentication required');
  return { actor: req.gitActor, slug: req.gitProject };
}
