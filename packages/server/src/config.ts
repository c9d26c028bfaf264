import path from 'node:path';

/** Every knob of the server, read from the environment once at start and validated. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  adminPassword: string | null;
  maxUploadBytes: number;
  allowedExtensions: string[];
  revisionScheme: 'letters' | 'numeric';
  heartbeatMs: number;
  wsMaxBufferedBytes: number;
  wsMaxPayloadBytes: number;
  replayBufferSize: number;
  sessionTtlMs: number;
  /** Behind TLS: cookies get the Secure flag. */
  secureCookies: boolean;
  /** Extra origins allowed to open the WebSocket (the page's own origin always is). */
  allowedOrigins: string[];
  /** Login attempts per minute per client address and username. */
  loginRateLimit: number;
  logLevel: string;
  webDir: string | null;
  /** Remote sync: first retry delay after a failed push (doubles up to syncRetryMaxMs). */
  syncRetryMs: number;
  syncRetryMaxMs: number;
  /** Remote sync: commits within this window are pushed together. */
  syncDebounceMs: number;
  /** Remote sync: a git fetch/push taking longer than this is killed and counts as failed. */
  syncTimeoutMs: number;
  /** Key for the stored remote tokens (LOCKSTEP_SECRET_KEY); null: `<dataDir>/secret.key`, generated once. */
  secretKey: string | null;
  /** Compare and preview read at most this many bytes of a file (LOCKSTEP_PREVIEW_MAX_MB); larger: 413. */
  previewMaxBytes: number;
}

export const DEFAULT_EXTENSIONS = ['.mcam', '.nc', '.tap', '.step', '.stp', '.igs', '.iges', '.dxf', '.pdf', '.txt'];

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const extensions = (env.LOCKSTEP_ALLOWED_EXTENSIONS ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase());
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite store)');
  }
  const scheme = env.LOCKSTEP_REVISION_SCHEME ?? 'letters';
  if (scheme !== 'letters' && scheme !== 'numeric') throw new ConfigError('LOCKSTEP_REVISION_SCHEME must be letters or numeric');
  const config: Config = {
    port: int(env, 'PORT', 3000),
    host: env.HOST || '127.0.0.1',
    dataDir: path.resolve(env.LOCKSTEP_DATA_DIR || './data'),
    databaseUrl,
    adminPassword: env.LOCKSTEP_ADMIN_PASSWORD || null,
    maxUploadBytes: int(env, 'LOCKSTEP_MAX_UPLOAD_MB', 2048, 1) * 1024 * 1024,
    allowedExtensions: extensions.length ? extensions : DEFAULT_EXTENSIONS,
    revisionScheme: scheme,
    heartbeatMs: int(env, 'LOCKSTEP_HEARTBEAT_MS', 30_000, 10),
    wsMaxBufferedBytes: int(env, 'LOCKSTEP_WS_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 1024),
    wsMaxPayloadBytes: int(env, 'LOCKSTEP_WS_MAX_PAYLOAD_BYTES', 64 * 1024, 128),
    replayBufferSize: int(env, 'LOCKSTEP_REPLAY_BUFFER', 1000, 1),
    sessionTtlMs: int(env, 'LOCKSTEP_SESSION_TTL_HOURS', 24 * 14, 1) * 3600_000,
    secureCookies: env.LOCKSTEP_SECURE_COOKIES === 'true',
    allowedOrigins: (env.LOCKSTEP_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    loginRateLimit: int(env, 'LOCKSTEP_LOGIN_RATE_LIMIT', 20, 1),
    logLevel: env.LOG_LEVEL || 'info',
    webDir: env.LOCKSTEP_WEB_DIR || null,
    syncRetryMs: int(env, 'LOCKSTEP_SYNC_RETRY_MS', 5_000, 1),
    syncRetryMaxMs: int(env, 'LOCKSTEP_SYNC_RETRY_MAX_MS', 10 * 60_000, 1),
    syncDebounceMs: int(env, 'LOCKSTEP_SYNC_DEBOUNCE_MS', 2_000, 0),
    syncTimeoutMs: int(env, 'LOCKSTEP_SYNC_TIMEOUT_MS', 30 * 60_000, 100),
    secretKey: env.LOCKSTEP_SECRET_KEY || null,
    previewMaxBytes: int(env, 'LOCKSTEP_PREVIEW_MAX_MB', 32, 1) * 1024 * 1024,
    ...overrides,
  };
  return config;
}
