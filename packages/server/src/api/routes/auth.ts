import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  ApiToken,
  ChangePasswordRequest,
  CreateTokenRequest,
  CreatedToken,
  ErrorBody,
  LoginRequest,
  SessionResponse,
  UpdateMeRequest,
  User,
} from '@lockstep/protocol';
import { changePassword, login, logout, SESSION_COOKIE } from '../../services/auth.js';
import type { Services } from '../../services/context.js';
import { changeMyEmail, createToken, myTokens, revokeToken } from '../../services/users.js';
import { requireAuth } from '../auth-hook.js';

const limitsOf = (s: Services) => ({ allowedExtensions: s.config.allowedExtensions, maxUploadBytes: s.config.maxUploadBytes });

export const authRoutes =
  (s: Services): FastifyPluginAsyncTypebox =>
  (app) => {
    app.get(
      '/api/health',
      {
        config: { access: 'public' },
        schema: { tags: ['system'], summary: 'Liveness', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
      },
      () => ({ status: 'ok' as const }),
    );

    app.post(
      '/api/auth/login',
      {
        config: {
          access: 'public',
          rateLimit: {
            max: s.config.loginRateLimit,
            timeWindow: '1 minute',
            // Runs at preHandler (see app.ts), after the body is validated; still, read it as untrusted.
            keyGenerator: (req) => {
              const username = (req.body as { username?: unknown } | undefined)?.username;
              return `${req.ip}|${typeof username === 'string' ? username.toLowerCase() : ''}`;
            },
          },
        },
        schema: {
          tags: ['auth'],
          summary: 'Log in: sets the session cookie',
          body: LoginRequest,
          response: { 200: SessionResponse, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
        },
      },
      async (req, reply) => {
        const { user, sessionToken, csrfToken } = await login(s, req.body.username, req.body.password);
        reply.setCookie(SESSION_COOKIE, sessionToken, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: s.config.secureCookies || req.protocol === 'https',
          maxAge: Math.floor(s.config.sessionTtlMs / 1000),
        });
        return { user, csrfToken, limits: limitsOf(s) };
      },
    );

    app.post(
      '/api/auth/logout',
      {
        config: { access: 'read' },
        schema: { tags: ['auth'], summary: 'Log out', response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody } },
      },
      async (req, reply) => {
        const auth = requireAuth(req);
        const cookie = req.cookies[SESSION_COOKIE];
        if (cookie) await logout(s, cookie, auth.actor);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/auth/me',
      {
        config: { access: 'read' },
        schema: { tags: ['auth'], summary: 'The current user and CSRF token', response: { 200: SessionResponse, 401: ErrorBody } },
      },
      (req) => {
        const auth = requireAuth(req);
        return { user: auth.user, csrfToken: auth.csrfToken ?? '', limits: limitsOf(s) };
      },
    );

    app.patch(
      '/api/auth/me',
      {
        config: { access: 'read' },
        schema: {
          tags: ['auth'],
          summary: 'Change your own e-mail address',
          description: 'Where your notifications are mailed when the server sends mail; `null` removes it. Answers your user.',
          body: UpdateMeRequest,
          response: { 200: User, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (req) => changeMyEmail(s, requireAuth(req).actor, req.body.email),
    );

    app.post(
      '/api/auth/password',
      {
        config: { access: 'read' },
        schema: {
          tags: ['auth'],
          summary: 'Change your own password',
          description: 'The current password is required. Every other session of yours ends; this one stays signed in.',
          body: ChangePasswordRequest,
          response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (req, reply) => {
        const auth = requireAuth(req);
        await changePassword(s, auth.actor, req.cookies[SESSION_COOKIE], req.body.currentPassword, req.body.newPassword);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/tokens',
      {
        config: { access: 'read' },
        schema: { tags: ['auth'], summary: 'Your API tokens', response: { 200: Type.Array(ApiToken), 401: ErrorBody } },
      },
      async (req) => myTokens(s, requireAuth(req).actor),
    );

    app.post(
      '/api/tokens',
      {
        config: { access: 'read' },
        schema: {
          tags: ['auth'],
          summary: 'Create an API token (shown once) for Authorization: Bearer',
          body: CreateTokenRequest,
          response: { 201: CreatedToken, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (req, reply) => reply.status(201).send(await createToken(s, requireAuth(req).actor, req.body.name)),
    );

    app.delete(
      '/api/tokens/:id',
      {
        config: { access: 'read' },
        schema: {
          tags: ['auth'],
          summary: 'Revoke one of your API tokens',
          params: Type.Object({ id: Type.Integer() }),
          response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (req, reply) => {
        await revokeToken(s, requireAuth(req).actor, req.params.id);
        return reply.status(204).send(null);
      },
    );
    // Registering routes awaits nothing; Fastify wants a plugin that returns a promise.
    return Promise.resolve();
  };
