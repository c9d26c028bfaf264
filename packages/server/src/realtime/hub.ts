import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { CloseCodes, type ProcessData, type ServerMessageMap, type ServerMessageType } from '@lockstep/protocol';
import type { RawData, WebSocket } from 'ws';
import type { Notice, ProjectEvent, Revocation } from '../events/bus.js';
import { parseClientMessage } from './client-messages.js';
import { Connection, type Frame, type Subscription } from './connection.js';
import type { RealtimeHub, RealtimeOptions, RealtimeUser } from './types.js';

/** Guards against one client subscribing to thousands of projects. */
const MAX_SUBSCRIPTIONS = 200;
/** Bound on how long close() waits for clients to answer the 1001 close frame. */
const CLOSE_WAIT_MS = 1_000;
/** Progress is coalesced once a socket has about one TCP high-water mark queued. */
const COALESCE_ABOVE_BYTES = 16 * 1024;

/** Serialises a connection-scoped message (no seq, no project). */
export function serverMessage<K extends ServerMessageType>(type: K, data: ServerMessageMap[K]): string {
  return JSON.stringify({ type, ts: new Date().toISOString(), data });
}

export class Hub implements RealtimeHub {
  private readonly connections = new Set<Connection>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly byProject = new Map<string, Set<Connection>>();
  private readonly stopListening: Array<() => void>;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly limits;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly opts: RealtimeOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    this.limits = {
      maxBufferedBytes: opts.maxBufferedBytes,
      coalesceAboveBytes: Math.min(COALESCE_ABOVE_BYTES, opts.maxBufferedBytes / 2),
    };
    this.stopListening = [
      opts.bus.onEvent((event) => this.broadcastEvent(event)),
      opts.bus.onNotice((username, notice) => this.sendNotice(username, notice)),
      opts.bus.onRevoke((revocation) => this.revoke(revocation)),
    ];
    this.heartbeat = setInterval(() => this.heartbeatRound(), opts.heartbeatMs);
    this.heartbeat.unref();
  }

  onlineUsers(): string[] {
    return [...this.byUser.keys()].sort();
  }

  connectionCount(): number {
    return this.connections.size;
  }

  /** Takes over an authenticated socket: `connection.established` first, then presence. */
  accept(socket: WebSocket, user: RealtimeUser): void {
    if (this.closing) {
      socket.close(CloseCodes.goingAway, 'server shutting down');
      return;
    }
    const conn = new Connection(randomUUID(), socket, user, this.limits);
    this.connections.add(conn);
    let tabs = this.byUser.get(user.username);
    const firstTab = !tabs;
    if (!tabs) this.byUser.set(user.username, (tabs = new Set()));
    tabs.add(conn);

    socket.on('pong', () => (conn.alive = true));
    socket.on('message', (data: RawData, isBinary: boolean) => {
      // A throw here would be uncaught in ws's emitter and end the process: cost one socket at most.
      try {
        this.handleMessage(conn, data, isBinary);
      } catch (err) {
        this.log.error({ err, user: user.username }, 'websocket message handling failed');
        socket.close(CloseCodes.serverError, 'internal error');
      }
    });
    socket.on('close', () => this.remove(conn));

    const online = this.onlineUsers();
    conn.send(
      serverMessage('connection.established', {
        user: user.username,
        role: user.role,
        connectionId: conn.id,
        heartbeatMs: this.opts.heartbeatMs,
        online,
      }),
    );
    if (firstTab) this.broadcastAll(serverMessage('presence.joined', { user: user.username, online }));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const stop of this.stopListening) stop();
    const closed = [...this.connections].map(
      (conn) =>
        new Promise<void>((resolve) => {
          if (conn.socket.readyState === conn.socket.CLOSED) {
            resolve();
            return;
          }
          conn.socket.once('close', () => resolve());
          conn.socket.close(CloseCodes.goingAway, 'server shutting down');
        }),
    );
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref());
    await Promise.race([Promise.all(closed), deadline]);
    for (const conn of this.connections) conn.socket.terminate();
  }

  private remove(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    conn.dispose();
    for (const project of conn.subscriptions.keys()) this.unindex(conn, project);
    const tabs = this.byUser.get(conn.user.username);
    tabs?.delete(conn);
    if (tabs?.size === 0) {
      this.byUser.delete(conn.user.username);
      if (!this.closing) {
        this.broadcastAll(serverMessage('presence.left', { user: conn.user.username, online: this.onlineUsers() }));
      }
    }
  }

  private handleMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    const parsed = parseClientMessage(data, isBinary);
    if (!parsed.ok) {
      conn.send(serverMessage('error', { code: parsed.code, message: parsed.message }));
      return;
    }
    const msg = parsed.message;
    switch (msg.type) {
      case 'ping':
        conn.send(serverMessage('pong', msg.nonce === undefined ? {} : { nonce: msg.nonce }));
        return;
      case 'subscribe':
        return void this.subscribe(conn, msg.project, null);
      case 'resume':
        return void this.subscribe(conn, msg.project, msg.after_seq, msg.epoch);
      case 'unsubscribe':
        this.dropSubscription(conn, msg.project);
        conn.send(serverMessage('unsubscribed', { project: msg.project }));
        return;
    }
  }

  /**
   * Subscribes (afterSeq null) or resumes. Live events are queued from the first moment, the
   * awaits happen, then — synchronously — replay, `subscribed`, and the queue are sent, deduped
   * by seq. So nothing published during the awaits is lost or sent twice.
   * Order on the wire: [resync | replayed events], subscribed {seq}, then every event with a greater seq.
   */
  private async subscribe(conn: Connection, project: string, afterSeq: number | null, epoch?: string): Promise<void> {
    if (!conn.subscriptions.has(project) && conn.subscriptions.size >= MAX_SUBSCRIPTIONS) {
      conn.send(serverMessage('error', { code: 'too_many_subscriptions', message: `at most ${MAX_SUBSCRIPTIONS} projects` }));
      return;
    }
    const sub: Subscription = { lastSeq: 0, queue: [] };
    conn.subscriptions.set(project, sub);
    this.index(conn, project);
    const current = () => conn.subscriptions.get(project) === sub; // false once superseded or unsubscribed
    try {
      const allowed = await this.opts.canReadProject(conn.user, project);
      if (!allowed) {
        if (current()) this.dropSubscription(conn, project);
        conn.send(serverMessage('error', { code: 'project_unavailable', message: `cannot subscribe to ${project}` }));
        return;
      }
      const replayed = afterSeq === null ? [] : await this.opts.bus.replay(project, afterSeq, epoch);
      const head = await this.opts.bus.head(project);
      const startSeq = afterSeq === null || replayed === null ? head.seq : afterSeq;
      if (!current()) return;

      sub.lastSeq = startSeq;
      if (replayed === null) {
        conn.send(serverMessage('resync', { project, reason: 'missed events are no longer kept' }));
      } else {
        for (const event of replayed) this.deliver(conn, sub, event, JSON.stringify(event));
      }
      conn.send(serverMessage('subscribed', { project, seq: sub.lastSeq, epoch: head.epoch }));
      const queued = sub.queue ?? [];
      sub.queue = null;
      for (const { event, text } of queued) this.deliver(conn, sub, event, text);
    } catch (error) {
      this.log.error({ err: error, project }, 'websocket subscribe failed');
      if (current()) this.dropSubscription(conn, project);
      conn.send(serverMessage('error', { code: 'subscribe_failed', message: `could not subscribe to ${project}` }));
    }
  }

  /** Fan-out: one JSON.stringify per event, the same string handed to every subscriber without awaiting. */
  private broadcastEvent(event: ProjectEvent): void {
    const subscribers = this.byProject.get(event.project);
    if (!subscribers) return;
    const text = Buffer.from(JSON.stringify(event));
    for (const conn of subscribers) {
      const sub = conn.subscriptions.get(event.project);
      if (!sub) continue;
      if (sub.queue) sub.queue.push({ event, text });
      else this.deliver(conn, sub, event, text);
    }
  }

  private deliver(conn: Connection, sub: Subscription, event: ProjectEvent, text: Frame): void {
    if (event.seq <= sub.lastSeq) return;
    sub.lastSeq = event.seq;
    if (event.type === 'process.progress') conn.sendProgress((event.data as ProcessData).processId, text);
    else conn.send(text);
  }

  private sendNotice(username: string, notice: Notice): void {
    const tabs = this.byUser.get(username);
    if (!tabs) return;
    const text = serverMessage('notice', notice);
    for (const conn of tabs) conn.send(text);
  }

  /** Access ended (disabled, logged out, role changed, token deleted): those sockets close at once. */
  private revoke(r: Revocation): void {
    for (const conn of [...this.connections]) {
      const u = conn.user;
      if (u.id !== r.userId || u.session === r.exceptSession) continue;
      if (r.sessions && !r.sessions.includes(u.session)) continue;
      this.closeRevoked(conn, r.reason, r.reconnect ? CloseCodes.accessChanged : CloseCodes.policyViolation);
    }
  }

  private closeRevoked(conn: Connection, reason: string, code: number = CloseCodes.policyViolation): void {
    this.remove(conn); // nothing more reaches it, even before the close handshake ends
    conn.socket.close(code, reason.slice(0, 120));
  }

  private broadcastAll(text: string): void {
    for (const conn of this.connections) conn.send(text);
  }

  /** Every round: terminate sockets that did not pong since the last round, then ping the rest. */
  private heartbeatRound(): void {
    const text = serverMessage('system.heartbeat', { serverTime: new Date().toISOString() });
    const now = new Date().toISOString();
    for (const conn of this.connections) {
      if (conn.user.expiresAt !== null && conn.user.expiresAt <= now) {
        this.closeRevoked(conn, 'session expired');
        continue;
      }
      if (!conn.alive) {
        this.log.info({ user: conn.user.username, connectionId: conn.id }, 'websocket missed a heartbeat');
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      if (conn.socket.readyState === conn.socket.OPEN) conn.socket.ping();
      conn.send(text);
    }
  }

  private dropSubscription(conn: Connection, project: string): void {
    conn.subscriptions.delete(project);
    this.unindex(conn, project);
  }

  private index(conn: Connection, project: string): void {
    let set = this.byProject.get(project);
    if (!set) this.byProject.set(project, (set = new Set()));
    set.add(conn);
  }

  private unindex(conn: Connection, project: string): void {
    const set = this.byProject.get(project);
    set?.delete(conn);
    if (set?.size === 0) this.byProject.delete(project);
  }
}
