import type { Envelope, ServerMessageMap, ServerMessageType } from '@lockstep/protocol';

/**
 * Stand-in for @lockstep/protocol's LockstepSocket while that module is being written.
 * Same public API; removed once the shared client lands.
 */
export type SocketState = 'connecting' | 'open' | 'reconnecting' | 'offline';
type Handler = (msg: Envelope) => void;

export class FallbackSocket {
  state: SocketState = 'offline';
  nextRetryAt: number | null = null;
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = true;
  private readonly projects = new Set<string>();
  private readonly lastSeq = new Map<string, number>();
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly stateListeners = new Set<(s: SocketState) => void>();

  constructor(private readonly opts: { url: string; backoff?: { initialMs?: number; maxMs?: number } }) {}

  connect(): void {
    this.closed = false;
    if (this.timer) clearTimeout(this.timer);
    this.open();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000);
    this.ws = null;
    this.setState('offline');
  }

  subscribe(project: string): void {
    this.projects.add(project);
    this.sendSub(project);
  }

  unsubscribe(project: string): void {
    this.projects.delete(project);
    this.lastSeq.delete(project);
    this.send({ type: 'unsubscribe', project });
  }

  on<K extends ServerMessageType>(type: K, handler: (msg: Envelope<K, ServerMessageMap[K]>) => void): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler as Handler);
    return () => set.delete(handler as Handler);
  }

  onState(cb: (s: SocketState) => void): () => void {
    this.stateListeners.add(cb);
    return () => this.stateListeners.delete(cb);
  }

  private setState(s: SocketState): void {
    this.state = s;
    this.stateListeners.forEach((l) => l(s));
  }

  private send(msg: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private sendSub(project: string): void {
    const seq = this.lastSeq.get(project);
    this.send(seq === undefined ? { type: 'subscribe', project } : { type: 'resume', project, after_seq: seq });
  }

  private open(): void {
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const ws = new WebSocket(this.opts.url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.nextRetryAt = null;
      this.setState('open');
      this.projects.forEach((p) => this.sendSub(p));
    };
    ws.onmessage = (ev) => {
      let msg: Envelope;
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (msg.project && typeof msg.seq === 'number') this.lastSeq.set(msg.project, msg.seq);
      if (msg.type === 'subscribed') {
        const d = msg.data as { project: string; seq: number };
        if (!this.lastSeq.has(d.project)) this.lastSeq.set(d.project, d.seq);
      }
      if (msg.type === 'resync') this.lastSeq.delete((msg.data as { project: string }).project);
      this.handlers.get(msg.type)?.forEach((h) => h(msg));
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.closed) return;
      this.ws = null;
      const base = this.opts.backoff?.initialMs ?? 1000;
      const max = this.opts.backoff?.maxMs ?? 30_000;
      const delay = Math.min(max, base * 2 ** this.attempt) * (0.8 + Math.random() * 0.4);
      this.attempt++;
      this.nextRetryAt = Date.now() + delay;
      this.setState(navigator.onLine === false ? 'offline' : 'reconnecting');
      this.timer = setTimeout(() => this.open(), delay);
    };
  }
}
