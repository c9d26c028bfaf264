import { CloseCodes } from '@lockstep/protocol';
import { WebSocket } from 'ws';
import type { ProjectEvent } from '../events/bus.js';
import type { RealtimeUser } from './types.js';

/**
 * A serialised message: a string, or its UTF-8 bytes when it goes to many sockets (encoded once
 * by the broadcaster instead of once per socket); either way a text frame.
 */
export type Frame = string | Buffer;

/** How long a dropped slow consumer gets to finish the close handshake before its TCP socket is destroyed. */
const DROP_GRACE_MS = 2_000;
/** How often a socket with coalesced progress is checked for having drained. */
const FLUSH_POLL_MS = 20;

export interface SendLimits {
  /** Past this many buffered bytes the connection is dropped with 1013. */
  maxBufferedBytes: number;
  /** Above this many buffered bytes `process.progress` is coalesced instead of queued. */
  coalesceAboveBytes: number;
}

/** A project subscription. While `queue` is set the subscription is still replaying: live events wait there. */
export interface Subscription {
  lastSeq: number;
  queue: Array<{ event: ProjectEvent; text: Frame }> | null;
}

/** One WebSocket: its user, its subscriptions, and a send path that never blocks the broadcaster. */
export class Connection {
  readonly subscriptions = new Map<string, Subscription>();
  /** Set by a pong, cleared by each heartbeat round. */
  alive = true;
  dropped = false;
  /** processId → latest serialised progress event, in order of latest update. */
  private readonly pendingProgress = new Map<string, Frame>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private dropTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly id: string,
    readonly socket: WebSocket,
    readonly user: RealtimeUser,
    private readonly limits: SendLimits,
  ) {}

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN && !this.dropped;
  }

  /** Sends a serialised message. Pending progress goes first so this connection still sees events in order. */
  send(text: Frame): void {
    if (!this.isOpen) return;
    if (this.pendingProgress.size > 0) this.flushProgress();
    this.write(text);
  }

  /** Sends a progress event, or keeps only the latest one per process while the socket is backed up. */
  sendProgress(processId: string, text: Frame): void {
    if (!this.isOpen) return;
    if (this.pendingProgress.size > 0 || this.socket.bufferedAmount > this.limits.coalesceAboveBytes) {
      this.pendingProgress.delete(processId); // re-insert so flush order follows the latest updates
      this.pendingProgress.set(processId, text);
      this.scheduleFlush();
      return;
    }
    this.write(text);
  }

  /** Drops a consumer that cannot keep up; the client is expected to reconnect and resume. */
  drop(): void {
    if (this.dropped) return;
    this.dropped = true;
    this.pendingProgress.clear();
    this.socket.close(CloseCodes.tryAgainLater, 'slow consumer');
    // The close frame sits behind the full buffer; a client that never reads would keep it forever.
    this.dropTimer = setTimeout(() => this.socket.terminate(), DROP_GRACE_MS);
    this.dropTimer.unref();
  }

  dispose(): void {
    clearTimeout(this.flushTimer);
    clearTimeout(this.dropTimer);
    this.pendingProgress.clear();
  }

  private write(text: Frame): void {
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.drop();
      return;
    }
    this.socket.send(text, { binary: false });
  }

  private flushProgress(): void {
    const pending = [...this.pendingProgress.values()];
    this.pendingProgress.clear();
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const text of pending) if (this.isOpen) this.write(text);
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    const poll = () => {
      this.flushTimer = undefined;
      if (!this.isOpen || this.pendingProgress.size === 0) return;
      if (this.socket.bufferedAmount <= this.limits.coalesceAboveBytes) this.flushProgress();
      else this.flushTimer = setTimeout(poll, FLUSH_POLL_MS).unref();
    };
    this.flushTimer = setTimeout(poll, FLUSH_POLL_MS).unref();
  }
}
