import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerAuthHook, type RouteRule } from './api/auth-hook.js';
import { clientErrorHandler, frameworkErrors, registerErrorHandling, sendNotFound } from './api/errors.js';
import { lazySchemaController } from './api/lazy-schemas.js';
import { strictBodies } from './api/validation.js';
import { activityRoutes } from './api/routes/activity.js';
import { hideNonApiRoutes, swaggerOptions } from './api/openapi.js';
import { PushChannel } from './api/git-push-channel.js';
import { adminRoutes } from './api/routes/admin.js';
import { gitHttpRoutes } from './api/routes/git-http.js';
import { gitLfsRoutes } from './api/routes/git-lfs.js';
import { authRoutes } from './api/routes/auth.js';
import { compareRoutes } from './api/routes/compare.js';
import { fileRoutes } from './api/routes/files.js';
import { lifecycleRoutes } from './api/routes/lifecycle.js';
import { lockQueueRoutes } from './api/routes/lock-queue.js';
import { notificationRoutes } from './api/routes/notifications.js';
import { projectRoutes } from './api/routes/projects.js';
import { syncRoutes } from './api/routes/sync.js';
import type { Config } from './config.js';
import type { EventBus } from './events/bus.js';
import { registerRealtime, type RealtimeHub } from './realtime/index.js';
import { authenticate, SESSION_COOKIE } from './services/auth.js';
import type { Services } from './services/context.js';
import type { Jobs } from './jobs/scheduler.js';
import { closeServices, openServices, prepareData, startBackground } from './lifecycle.js';
import { SyncService } from './services/sync.js';
import { findProject } from './store/projects.js';
import { installPushHook } from './vault/push-hook.js';

export interface App {
  app: FastifyInstance;
  services: Services;
  hub: RealtimeHub;
  /** Remote sync (background pushes, sync now, import). */
  sync: SyncService;
  /** Maintenance jobs (scheduler). */
  jobs: Jobs;
  /** Every /api route with its access rule. */
  routes: RouteRule[];
  /** Set on the very first start when a random admin password was generated. */
  firstAdmin: { username: string; password: string | null } | null;
  close: () => Promise<void>;
}

export { openServices } from './lifecycle.js';

/** Fastify's trustProxy for LOCKSTEP_TRUST_PROXY; a hop count trusts that many hops nearest us (as proxy-addr does). */
function proxyTrust(trust: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

const defaultWebDir = () => fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Wires store, vault, bus, realtime hub and HTTP routes into one Fastify instance. */
export async function buildApp(config: Config, opts: { logger?: boolean | object; bus?: EventBus } = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel },
    bodyLimit: 1024 * 1024,
    // A file path is one URL segment: up to 1,024 characters, up to 9 bytes each once %-encoded.
    routerOptions: { maxParamLength: 10_000 },
    frameworkErrors,
    clientErrorHandler,
    // Only LOCKSTEP_TRUST_PROXY makes X-Forwarded-* count: anyone can send those headers.
    trustProxy: proxyTrust(config.trustProxy),
    // Strict JSON bodies (no coercion); each route's schemas compile on its first request (start-up time).
    schemaController: lazySchemaController(strictBodies.buildValidator),
  }).withTypeProvider<TypeBoxTypeProvider>();
  const services = await openServices(config, app.log, opts.bus);
  const { db, bus } = services;
  let ready = false;

  registerErrorHandling(app);
  await app.register(cookie);
  // preHandler: the login limit is keyed by address + username, so the body must be parsed.
  await app.register(rateLimit, { global: false, hook: 'preHandler' });
  await app.register(multipart, {
    // files: 2, so a second file reaches readUpload's own clear 400.
    limits: { fileSize: config.maxUploadBytes, files: 2, fields: 20, fieldSize: 64 * 1024, parts: 25 },
  });
  hideNonApiRoutes(app);
  await app.register(swagger, swaggerOptions());
  await app.register(swaggerUi, { routePrefix: '/docs' });
  const routes = registerAuthHook(app, services);
  const sync = new SyncService(services);

  const hub = await registerRealtime(app, {
    bus,
    authenticate: async (req) => {
      const auth = await authenticate(services, req.cookies[SESSION_COOKIE], req.headers.authorization);
      return auth && { ...auth.actor, session: auth.session, expiresAt: auth.expiresAt };
    },
    canReadProject: async (_user, project) => !!(await findProject(db, project)),
    isReady: () => ready,
    heartbeatMs: config.heartbeatMs,
    maxBufferedBytes: config.wsMaxBufferedBytes,
    maxPayloadBytes: config.wsMaxPayloadBytes,
    allowedOrigins: config.allowedOrigins,
  });

  await app.register(authRoutes(services));
  await app.register(projectRoutes(services, sync));
  await app.register(fileRoutes(services));
  await app.register(lifecycleRoutes(services));
  await app.register(compareRoutes(services));
  await app.register(adminRoutes(services));
  await app.register(activityRoutes(services));
  await app.register(notificationRoutes(services));
  await app.register(lockQueueRoutes(services));
  await app.register(syncRoutes(sync));
  // Git-native access: clone/fetch/push and the Git LFS locks, on the same port.
  const pushChannel = await PushChannel.open();
  const hooksDir = await installPushHook(path.join(config.dataDir, 'git-hooks'));
  await app.register(gitHttpRoutes(services, { channel: pushChannel, hooksDir }));
  await app.register(gitLfsRoutes(services));

  const webDir = config.webDir ?? defaultWebDir();
  const hasWeb = fs.existsSync(path.join(webDir, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: webDir, wildcard: false });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api') || !hasWeb || req.method !== 'GET')
      return sendNotFound(reply, `no route ${req.method} ${req.url.split('?')[0]}`);
    return reply.type('text/html').sendFile('index.html'); // single-page app: the client routes
  });

  const firstAdmin = await prepareData(services);
  await app.ready();
  ready = true;
  const jobs = startBackground(sync, services);

  return {
    app,
    services,
    hub,
    sync,
    jobs,
    routes,
    firstAdmin,
    async close() {
      ready = false;
      await hub.close();
      await app.close();
      await pushChannel.close();
      await closeServices(services, sync, jobs);
    },
  };
}
