import type { FastifyRequest } from 'fastify';
import { CloseCodes } from '@lockstep/protocol';
import type { RealtimeOptions, RealtimeUser } from './types.js';

export type HandshakeResult = { ok: true; user: RealtimeUser } | { ok: false; code: number; reason: string };

/**
 * Decides an upgrade before the 101 is sent. Browsers cannot read an HTTP status from a failed
 * upgrade, so refusals are reported as close codes on an accepted socket instead.
 */
export async function checkHandshake(req: FastifyRequest, opts: RealtimeOptions): Promise<HandshakeResult> {
  if (!isOriginAllowed(req.headers.origin, req.headers.host, opts.allowedOrigins)) {
    return { ok: false, code: CloseCodes.policyViolation, reason: 'origin not allowed' };
  }
  if (!opts.isReady()) return { ok: false, code: CloseCodes.serverError, reason: 'server not ready' };
  try {
    const user = await opts.authenticate(req);
    if (!user) return { ok: false, code: CloseCodes.policyViolation, reason: 'authentication required' };
    return { ok: true, user };
  } catch (error) {
    req.log.error({ err: error }, 'websocket authentication failed');
    return { ok: false, code: CloseCodes.serverError, reason: 'authentication unavailable' };
  }
}

/** No Origin (a script, the CLI) is fine; a browser must come from our own host or an allowed origin. */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null"
  }
  if (host !== undefined && url.host === host.toLowerCase()) return true;
  return allowed.some((entry) => normaliseOrigin(entry) === url.origin);
}

function normaliseOrigin(origin: string): string | null {
  try {
    return new URL(origin).origin;
  } catch {
    return null;
  }
}
