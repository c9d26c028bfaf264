import net from 'node:net';
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
  /** Behind TLS: cookies get the Secure flag. Says nothing about trusting proxy headers. */
  secureCookies: boolean;
  /**
   * Which hops may set `X-Forwarded-*` (LOCKSTEP_TRUST_PROXY): false (none: the socket address is
   * the client), a hop count, or addresses/CIDR ranges of the proxies. Passed to Fastify's trustProxy.
   */
  trustProxy: false | number | string[];
  /** Extra origins allowed to open the WebSocket (the page's own origin always is). */
  allowedOrigins: string[];
  /** Login attempts per minute per client address and username. */
  loginRateLimit: number;
  /** Failed logins of one username (from any address) within loginUserWindowMs before it gets 429. */
  loginUserFailures: number;
  loginUserWindowMs: number;
  /** Remote sync may use file:// URLs (a path on the server's own disk): off unless an admin allows it. */
  allowFileRemotes: boolean;
  /** Maintenance jobs: intervals (0 turns a job off). */
  gcIntervalMs: number;
  /** `git gc --auto` threshold: about this many loose objects make it repack (git's own default: 6700). */
  gcAutoLooseObjects: number;
  sessionPurgeIntervalMs: number;
  spoolSweepIntervalMs: number;
  /** Upload spool files older than this are leftovers of a crash or an aborted upload. */
  spoolMaxAgeMs: number;
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
  /** Mail for notifications (LOCKSTEP_SMTP_URL, `smtp://user:pass@host:port` or `smtps://…`); null: no mail. */
  smtpUrl: string | null;
  /** The From of notification mail (LOCKSTEP_SMTP_FROM). */
  smtpFrom: string;
  /** Where users open Lockstep (LOCKSTEP_PUBLIC_URL, no trailing slash): links in mail; null: no links. */
  publicUrl: string | null;
  /** Lock queue: how long the first in line has to check a released file out before the next is told. */
  queueTurnMs: number;
  /** Lock queue: how often turns that ran out (and releases nobody was told of) are looked for (0: never). */
  queueCheckMs: number;
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

function bool(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

// An IPv4/IPv6 address, optionally with a /prefix, or one of proxy-addr's named ranges.
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** LOCKSTEP_TRUST_PROXY: unset/false → trust no proxy; `1` → one hop; `10.0.0.0/8, 127.0.0.1` → those proxies. */
export function parseTrustProxy(raw: string | undefined): false | number | string[] {
  const text = (raw ?? '').trim();
  if (text === '' || text.toLowerCase() === 'false' || text === '0') return false;
  if (/^\d+$/.test(text)) return Number(text);
  if (text.toLowerCase() === 'true')
    throw new ConfigError(
      "LOCKSTEP_TRUST_PROXY=true would trust any client's X-Forwarded-For; give a hop count (e.g. 1) or the proxy addresses",
    );
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (NAMED_RANGES.has(entry)) continue;
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = net.isIP(address);
    const max = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= max);
    if (!family || !prefixOk || rest.length)
      throw new ConfigError(`LOCKSTEP_TRUST_PROXY: "${entry}" is not a hop count, an IP address or a CIDR range (e.g. 10.0.0.0/8)`);
  }
  return entries;
}

/** An absolute URL of one of `protocols` (with the colon), or null when unset. */
function url(env: NodeJS.ProcessEnv, name: string, protocols: string[], example: string): string | null {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(raw);
  } catch {
    /* reported below */
  }
  if (!parsed || !protocols.includes(parsed.protocol) || !parsed.hostname)
    throw new ConfigError(`${name} must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL (e.g. ${example}), got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

/** A sender: `address@host` or `Name <address@host>`. */
function mailbox(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  if (!/^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(raw))
    throw new ConfigError(`${name} must be an address (lockstep@example.com or "Lockstep <lockstep@example.com>"), got "${raw}"`);
  return raw;
}

/** Minutes, fractions allowed (a test's turn of a few hundred milliseconds), as milliseconds. */
function positiveMinutes(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback * 60_000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${name} must be a number of minutes > 0, got "${raw}"`);
  return Math.round(n * 60_000);
}

const minutes = (env: NodeJS.ProcessEnv, name: string, fallback: number) => int(env, name, fallback, 0) * 60_000;

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
    trustProxy: parseTrustProxy(env.LOCKSTEP_TRUST_PROXY),
    allowedOrigins: (env.LOCKSTEP_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    loginRateLimit: int(env, 'LOCKSTEP_LOGIN_RATE_LIMIT', 20, 1),
    loginUserFailures: int(env, 'LOCKSTEP_LOGIN_USER_FAILURES', 10, 1),
    loginUserWindowMs: int(env, 'LOCKSTEP_LOGIN_USER_WINDOW_MINUTES', 15, 1) * 60_000,
    allowFileRemotes: bool(env, 'LOCKSTEP_ALLOW_FILE_REMOTES'),
    gcIntervalMs: minutes(env, 'LOCKSTEP_GC_INTERVAL_MINUTES', 60),
    gcAutoLooseObjects: int(env, 'LOCKSTEP_GC_AUTO_LOOSE_OBJECTS', 6700, 1),
    sessionPurgeIntervalMs: minutes(env, 'LOCKSTEP_SESSION_PURGE_INTERVAL_MINUTES', 60),
    spoolSweepIntervalMs: minutes(env, 'LOCKSTEP_SPOOL_SWEEP_INTERVAL_MINUTES', 60),
    spoolMaxAgeMs: int(env, 'LOCKSTEP_SPOOL_MAX_AGE_MINUTES', 60, 1) * 60_000,
    logLevel: env.LOG_LEVEL || 'info',
    webDir: env.LOCKSTEP_WEB_DIR || null,
    syncRetryMs: int(env, 'LOCKSTEP_SYNC_RETRY_MS', 5_000, 1),
    syncRetryMaxMs: int(env, 'LOCKSTEP_SYNC_RETRY_MAX_MS', 10 * 60_000, 1),
    syncDebounceMs: int(env, 'LOCKSTEP_SYNC_DEBOUNCE_MS', 2_000, 0),
    syncTimeoutMs: int(env, 'LOCKSTEP_SYNC_TIMEOUT_MS', 30 * 60_000, 100),
    secretKey: env.LOCKSTEP_SECRET_KEY || null,
    previewMaxBytes: int(env, 'LOCKSTEP_PREVIEW_MAX_MB', 32, 1) * 1024 * 1024,
    smtpUrl: url(env, 'LOCKSTEP_SMTP_URL', ['smtp:', 'smtps:'], 'smtp://user:password@mail.example.com:587'),
    smtpFrom: mailbox(env, 'LOCKSTEP_SMTP_FROM', 'Lockstep <lockstep@localhost>'),
    publicUrl: url(env, 'LOCKSTEP_PUBLIC_URL', ['http:', 'https:'], 'https://pdm.example.com'),
    queueTurnMs: positiveMinutes(env, 'LOCKSTEP_QUEUE_TURN_MINUTES', 15),
    queueCheckMs: int(env, 'LOCKSTEP_QUEUE_CHECK_MS', 30_000, 0),
    ...overrides,
  };
  return config;
}
