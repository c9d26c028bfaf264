import type { FastifyRequest } from 'fastify';
import type { EventBus } from '../events/bus.js';

export interface RealtimeUser {
  id: number;
  username: string;
  role: 'admin' | 'user' | 'viewer';
  /** What the socket authenticated with: `s:<session hash>` or `t:<token id>` (revocation matches it). */
  session: string;
  /** When that session ends (ISO); null for API tokens. The socket closes then. */
  expiresAt: string | null;
}

export interface RealtimeOptions {
  bus: EventBus;
  /** Session cookie or Bearer token → user, or null. Runs once per upgrade, before the 101. */
  authenticate(req: FastifyRequest): Promise<RealtimeUser | null>;
  /** False for unknown projects too, so a subscriber cannot probe which projects exist. */
  canReadProject(user: RealtimeUser, project: string): Promise<boolean>;
  /** False → the upgrade is accepted and closed with 1011, so the client retries later. */
  isReady(): boolean;
  heartbeatMs: number;
  /** Per-connection send buffer cap; past it the connection is closed with 1013. */
  maxBufferedBytes: number;
  /** Largest client frame; bigger ones close the connection with 1009. */
  maxPayloadBytes: number;
  /** Extra browser origins allowed besides the page's own (Host header). Requests without Origin are allowed. */
  allowedOrigins: string[];
}

export interface RealtimeHub {
  /** Usernames with at least one open connection, sorted. */
  onlineUsers(): string[];
  connectionCount(): number;
  /** Closes every connection with 1001 and stops the timers. Idempotent. */
  close(): Promise<void>;
}
