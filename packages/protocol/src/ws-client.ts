import { CloseCodes, type ClientMessage, type Envelope, type ServerMessageMap, type ServerMessageType } from './events.js';

/** `open` once the server said `connection.established`; `offline` when not trying (before connect, after close, after 1008). */
export type LockstepSocketState = 'connecting' | 'open' | 'reconnecting' | 'offline';

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** Fraction taken off at random (0.3 → each delay lands in [0.7, 1] × the nominal delay). */
  jitter?: number;
}

/** The part of the WebSocket API both the browser and the `ws` package provide. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // `never`: the event's type differs between the browser and ws, and this client never reads it.
  onopen: ((ev: never) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: never) => void) | null;
}
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  options?: { headers?: Record<string, string> },
) => WebSocketLike;

export interface LockstepSocketOptions {
  url: string;
  /** Defaults to the global WebSocket (browsers, Node ≥ 22); pass `ws`'s WebSocket on Node 20. */
  WebSocketImpl?: WebSocketConstructor;
  protocols?: string | string[];
  /** Node only (the `ws` options argument); browsers send the page's cookies themselves. */
  headers?: Record<string, string>;
  backoff?: BackoffOptions;
  /** Source of randomness for the jitter; injectable for tests. */
  random?: () => number;
}

export type ServerEnvelope<K extends ServerMessageType> = Envelope<K, ServerMessageMap[K]>;
type Handler = (message: ServerEnvelope<ServerMessageType>) => void;

const OPEN = 1;
/** Missing this many heartbeats in a row means the connection is dead even if TCP has not noticed. */
const MISSED_HEARTBEATS = 2.5;

/** The nominal delay doubles from initialMs up to maxMs; jitter takes a random part off so clients spread out. */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialMs = 1000, maxMs = 30_000, jitter = 0.3 } = opts;
  const nominal = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(nominal * (1 - jitter * random()));
}

/**
 * A typed, reconnecting client for /ws. It remembers the subscribed projects and the last seq seen
 * in each; after a reconnect it sends `resume {project, after_seq}` (or `subscribe` when it has no
 * seq yet), so the server replays what was missed or answers `resync`.
 */
export class LockstepSocket {
  /** When the next reconnect attempt is due (epoch ms), or null when none is scheduled. */
  nextRetryAt: number | null = null;
  private currentState: LockstepSocketState = 'offline';
  private socket: WebSocketLike | null = null;
  private attempt = 0;
  private wanted = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private heartbeatMs = 0;
  private readonly projects = new Map<string, number | null>(); // project → last seq seen
  private readonly epochs = new Map<string, string>(); // project → the stream lifetime its seqs belong to
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly stateListeners = new Set<(state: LockstepSocketState) => void>();

  constructor(private readonly opts: LockstepSocketOptions) {}

  get state(): LockstepSocketState {
    return this.currentState;
  }

  /** The last seq seen for a subscribed project (undefined when none yet). */
  lastSeq(project: string): number | undefined {
    return this.projects.get(project) ?? undefined;
  }

  connect(): void {
    this.wanted = true;
    if (this.socket || this.retryTimer) return;
    this.open('connecting');
  }

  /** Skips the back-off wait and tries to reconnect at once (a "Retry now" button). */
  retryNow(): void {
    this.wanted = true;
    if (this.socket) return;
    this.clearTimers();
    this.open('reconnecting');
  }

  /** Closes for good: no reconnect until connect() is called again. */
  close(): void {
    this.wanted = false;
    this.clearTimers();
    this.nextRetryAt = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = socket.onmessage = socket.onopen = null;
      socket.onerror = () => {}; // a close during CONNECTING may still report an error
      socket.close(1000, 'client closed');
    }
    this.setState('offline');
  }

  subscribe(project: string): void {
    if (this.projects.has(project)) return;
    this.projects.set(project, null);
    this.sendIfOpen({ type: 'subscribe', project });
  }

  unsubscribe(project: string): void {
    if (!this.projects.delete(project)) return;
    this.epochs.delete(project);
    this.sendIfOpen({ type: 'unsubscribe', project });
  }

  ping(nonce?: string): void {
    this.sendIfOpen(nonce === undefined ? { type: 'ping' } : { type: 'ping', nonce });
  }

  on<K extends ServerMessageType>(type: K, handler: (message: ServerEnvelope<K>) => void): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler as Handler);
    return () => set.delete(handler as Handler);
  }

  /** Called on every state change, and each time a new retry is scheduled (see nextRetryAt). */
  onState(listener: (state: LockstepSocketState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private open(state: 'connecting' | 'reconnecting'): void {
    this.retryTimer = undefined;
    this.nextRetryAt = null;
    this.setState(state);
    const Impl = this.opts.WebSocketImpl ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Impl) throw new Error('no WebSocket implementation: pass WebSocketImpl');
    const socket = this.opts.headers
      ? new Impl(this.opts.url, this.opts.protocols, { headers: this.opts.headers })
      : new Impl(this.opts.url, this.opts.protocols);
    this.socket = socket;
    socket.onmessage = (ev) => this.receive(ev.data);
    socket.onerror = () => {}; // onclose follows and decides what to do
    socket.onclose = (ev) => this.closed(socket, ev.code);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: ServerEnvelope<ServerMessageType>;
    try {
      message = JSON.parse(data) as ServerEnvelope<ServerMessageType>;
    } catch {
      return;
    }
    this.armWatchdog();
    if (message.type === 'connection.established') this.established(message as ServerEnvelope<'connection.established'>);
    else this.track(message);
    for (const handler of this.handlers.get(message.type) ?? []) handler(message);
  }

  /** The connection is really up: reset the backoff, then resume every subscription. */
  private established(message: ServerEnvelope<'connection.established'>): void {
    this.attempt = 0;
    this.heartbeatMs = message.data.heartbeatMs;
    this.armWatchdog();
    for (const [project, seq] of this.projects) {
      const epoch = this.epochs.get(project);
      this.send(seq === null ? { type: 'subscribe', project } : { type: 'resume', project, after_seq: seq, ...(epoch ? { epoch } : {}) });
    }
    this.setState('open');
  }

  private track(message: ServerEnvelope<ServerMessageType>): void {
    if (message.type === 'subscribed') {
      const { project, seq, epoch } = (message as ServerEnvelope<'subscribed'>).data;
      if (this.projects.has(project)) {
        this.projects.set(project, seq);
        this.epochs.set(project, epoch);
      }
    } else if (message.project !== undefined && typeof message.seq === 'number' && this.projects.has(message.project)) {
      this.projects.set(message.project, Math.max(message.seq, this.projects.get(message.project) ?? 0));
    }
  }

  private closed(socket: WebSocketLike, code: number): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.clearTimers();
    if (this.wanted && code === CloseCodes.accessChanged) {
      // The session is still good, only what it may see changed: reconnect now, not after a back-off.
      this.attempt = 0;
      this.open('reconnecting');
      return;
    }
    if (!this.wanted || code === CloseCodes.policyViolation) {
      this.wanted = false;
      this.nextRetryAt = null;
      this.setState('offline');
      return;
    }
    const delay = backoffDelay(this.attempt++, this.opts.backoff, this.opts.random);
    this.nextRetryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => this.open('reconnecting'), delay);
    this.setState('reconnecting', true); // a new nextRetryAt is news even in the same state
  }

  /** A browser may not notice a dead TCP connection for minutes; silence past a few heartbeats means reconnect. */
  private armWatchdog(): void {
    if (!this.heartbeatMs) return;
    clearTimeout(this.watchdog);
    const socket = this.socket;
    this.watchdog = setTimeout(() => {
      if (!socket || socket !== this.socket) return;
      socket.onclose = null; // a dead link may never deliver the close event: reconnect now
      socket.close(4000, 'heartbeat missed');
      this.closed(socket, 4000);
    }, this.heartbeatMs * MISSED_HEARTBEATS);
  }

  /** Before `open`, subscriptions are only recorded: established() sends them all. */
  private sendIfOpen(message: ClientMessage): void {
    if (this.currentState === 'open') this.send(message);
  }

  private send(message: ClientMessage): void {
    if (this.socket && this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private clearTimers(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.watchdog);
    this.retryTimer = undefined;
    this.watchdog = undefined;
  }

  private setState(state: LockstepSocketState, always = false): void {
    if (state === this.currentState && !always) return;
    this.currentState = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
