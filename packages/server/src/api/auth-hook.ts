import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Permission } from '../domain/permissions.js';
import { can } from '../domain/permissions.js';
import { authenticate, csrfMatches, SESSION_COOKIE, type Authenticated } from '../services/auth.js';
import type { Services } from '../services/context.js';
import { AppError } from '../services/errors.js';

export type RouteAccess = Permission | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; every /api route must declare it (checked at registration). */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    auth: Authenticated | null;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function requireAuth(req: FastifyRequest): Authenticated {
  if (!req.auth) throw new AppError(401, 'unauthenticated', 'log in first');
  return req.auth;
}

export interface RouteRule {
  method: string;
  url: string;
  access: RouteAccess;
}

/**
 * Authentication, role check and CSRF check for every route, driven by its `config.access`.
 * Returns the table of /api routes and their rules (the authorization test checks it).
 */
export function registerAuthHook(app: FastifyInstance, s: Services): RouteRule[] {
  const rules: RouteRule[] = [];
  app.decorateRequest('auth', null);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api')) return;
    const access = route.config?.access;
    if (!access) throw new Error(`route ${String(route.method)} ${route.url} has no access rule`);
    for (const method of [route.method].flat()) if (method !== 'HEAD') rules.push({ method, url: route.url, access });
  });
  // onRequest: decided from headers alone, before any body (or upload) is read.
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config.access;
    if (!access) return;
    req.auth = await authenticate(s, req.cookies[SESSION_COOKIE], req.headers.authorization);
    if (access === 'public') return;
    const auth = requireAuth(req);
    if (
      auth.via === 'cookie' &&
      UNSAFE.has(req.method) &&
      !csrfMatches(auth.csrfToken!, req.headers['x-csrf-token'] as string | undefined)
    ) {
      throw new AppError(403, 'csrf', 'missing or wrong X-CSRF-Token header');
    }
    if (!can(auth.actor.role, access)) throw new AppError(403, 'forbidden', `this needs the ${access === 'write' ? 'user' : access} role`);
  });
  return rules;
}
