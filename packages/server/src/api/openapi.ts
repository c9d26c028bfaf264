import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../services/auth.js';

/**
 * What /docs says beyond the route schemas: how to authenticate, the CSRF header, the path
 * encoding, stable operationIds for client generators, and the multipart bodies.
 *
 * operationId convention: a verb and the shop's noun, camelCase (`checkoutFile`, `listFiles`,
 * `revokeToken`). Routes missing from OPERATION_IDS get one derived from method and path
 * (`postProjectsFilesReleaseRequest`) so every operation has one; name new routes here.
 */
export const OPERATION_IDS: Record<string, string> = {
  'GET /api/health': 'getHealth',
  'POST /api/auth/login': 'login',
  'POST /api/auth/logout': 'logout',
  'GET /api/auth/me': 'getSession',
  'POST /api/auth/password': 'changePassword',
  'GET /api/tokens': 'listTokens',
  'POST /api/tokens': 'createToken',
  'DELETE /api/tokens/:id': 'revokeToken',
  'GET /api/users': 'listUsers',
  'POST /api/users': 'createUser',
  'PATCH /api/users/:id': 'updateUser',
  'DELETE /api/users/:id': 'disableUser',
  'GET /api/locks': 'listLocks',
  'GET /api/audit': 'listAudit',
  'GET /api/audit.csv': 'exportAuditCsv',
  'GET /api/activity': 'listActivity',
  'GET /api/notifications': 'listNotifications',
  'POST /api/notifications/read': 'markNotificationsRead',
  'PATCH /api/auth/me': 'updateMe',
  'POST /api/projects/:project/files/:path/watch': 'watchFile',
  'DELETE /api/projects/:project/files/:path/watch': 'unwatchFile',
  'GET /api/projects': 'listProjects',
  'POST /api/projects': 'createProject',
  'GET /api/projects/:project': 'getProject',
  'PATCH /api/projects/:project': 'updateProject',
  'DELETE /api/projects/:project': 'deleteProject',
  'POST /api/projects/:project/sync': 'syncProject',
  'GET /api/projects/:project/groups': 'listGroups',
  'POST /api/projects/:project/links': 'createLink',
  'GET /api/projects/:project/files': 'listFiles',
  'POST /api/projects/:project/files': 'uploadFile',
  'GET /api/projects/:project/files/:path': 'getFile',
  'PATCH /api/projects/:project/files/:path': 'updateFile',
  'DELETE /api/projects/:project/files/:path': 'deleteFile',
  'GET /api/projects/:project/files/:path/content': 'downloadFile',
  'GET /api/projects/:project/files/:path/history': 'getFileHistory',
  'POST /api/projects/:project/files/:path/checkout': 'checkoutFile',
  'POST /api/projects/:project/files/:path/checkin': 'checkinFile',
  'POST /api/projects/:project/files/:path/cancel': 'cancelCheckout',
  'POST /api/projects/:project/files/:path/override': 'overrideLock',
  'POST /api/projects/:project/files/:path/release-request': 'requestRelease',
  'POST /api/projects/:project/files/:path/approve': 'approveRelease',
  'POST /api/projects/:project/files/:path/reject': 'rejectRelease',
  'POST /api/projects/:project/files/:path/withdraw': 'withdrawRelease',
  'POST /api/projects/:project/files/:path/obsolete': 'obsoleteFile',
  'POST /api/projects/:project/files/:path/reactivate': 'reactivateFile',
  'GET /api/reviews': 'listReviews',
};

const pascal = (s: string) => s.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());

export function operationIdFor(method: string, url: string): string {
  const known = OPERATION_IDS[`${method} ${url}`];
  if (known) return known;
  const statics = url
    .split('/')
    .filter((p) => p && p !== 'api' && !p.startsWith(':'))
    .map(pascal)
    .join('');
  return `${method.toLowerCase()}${statics}`;
}

const binary = Type.String({ format: 'binary', description: 'the file content' });

/** Multipart bodies, for the docs only: the route reads the stream itself (no body validation). */
export const MULTIPART_BODIES: Record<string, TSchema> = {
  'POST /api/projects/:project/files': Type.Object({
    file: binary,
    path: Type.Optional(Type.String({ description: 'where in the project; defaults to the file name' })),
    description: Type.Optional(Type.String()),
  }),
  'POST /api/projects/:project/files/:path/checkin': Type.Object({
    file: binary,
    message: Type.String({ description: 'what changed (required)' }),
    bump: Type.Optional(Type.Boolean({ default: true, description: 'next revision letter' })),
    keep: Type.Optional(Type.Boolean({ default: false, description: 'stay checked out' })),
    allowUnchanged: Type.Optional(
      Type.Boolean({ default: false, description: 'check in content identical to the current revision (otherwise 409 unchanged)' }),
    ),
  }),
};

const DESCRIPTION = `Exclusive check-out vault for CNC and CAD files.

**Authentication.** Either the session cookie \`${SESSION_COOKIE}\` from \`POST /api/auth/login\`, or a personal API token
(\`POST /api/tokens\`) sent as \`Authorization: Bearer <token>\`.

**CSRF.** Cookie-authenticated \`POST\`, \`PUT\`, \`PATCH\` and \`DELETE\` requests must carry the header
\`X-CSRF-Token: <csrfToken>\` (the value comes with the login answer and \`GET /api/auth/me\`). Bearer-token requests do not need it.

**File paths** are one URL segment: encode the slashes as \`%2F\`, as in GitLab's repository-files API —
\`mill/1234567_op1.mcam\` is \`/api/projects/shop/files/mill%2F1234567_op1.mcam\`.

**Errors** are \`{"error": {"code", "message"}}\`: 400 validation, 401 no session, 403 role, 404, 409 (a lock conflict names the
holder; \`unchanged\` for an identical check-in), 413 too large, 415, 429 rate limit.`;

export function swaggerOptions(): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      info: {
        title: 'Lockstep PDM API',
        version: '0.1.0',
        description: DESCRIPTION,
        license: { name: 'Proprietary', url: 'https://example.invalid/license' },
      },
      servers: [{ url: '/', description: 'this server' }],
      tags: [
        { name: 'system', description: 'Health' },
        { name: 'auth', description: 'Sessions, your password and API tokens' },
        { name: 'users', description: 'User administration (admin)' },
        { name: 'projects', description: 'Projects (one git repository each)' },
        { name: 'files', description: 'Files, check-out / check-in, history and downloads' },
        { name: 'locks', description: 'Who holds what' },
        { name: 'audit', description: 'Audit trail and recent activity' },
        { name: 'notifications', description: 'Your notifications (stored and pushed live as `notice`)' },
        { name: 'sync', description: 'Remote git sync' },
        { name: 'release', description: 'Release lifecycle: request, approve (e-signature), reject, obsolete; reviews waiting for you' },
      ],
      components: {
        securitySchemes: { cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE }, bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ cookie: [] }, { bearer: [] }],
    },
    // Shared schemas keep their $id as the component name (FileInfo, not def-0) for client generators.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
    transform: ({ schema, url, route }) => {
      const method = Array.isArray(route.method) ? String(route.method[0]) : String(route.method);
      const key = `${method} ${url}`;
      const s = { ...(schema as Record<string, unknown>) };
      s.operationId ??= operationIdFor(method, url);
      s.description ??= s.summary;
      if (MULTIPART_BODIES[key]) s.body = MULTIPART_BODIES[key];
      return { schema: s, url };
    },
  };
}

/** Everything below /docs itself stays out of the API description. */
export function hideNonApiRoutes(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) route.schema = { ...route.schema, hide: true };
  });
}
