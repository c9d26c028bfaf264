import type { ProjectEventMap, ProjectEventType } from '@lockstep/protocol';
import type { EventBus, Notice, ProjectEvent } from './bus.js';
import { BusListeners } from './listeners.js';

export interface MemoryBusOptions {
  /** How many recent events per project `replay` can return. 0 keeps none. */
  replayBufferSize: number;
  /** Where a throwing listener's error goes; the other listeners still run. Default: console.error. */
  onListenerError?: (error: unknown) => void;
}

/** Per-project state: the last seq and a ring of the last N events (seq s lives at (s - 1) % N). */
interface ProjectLog {
  seq: number;
  ring: ProjectEvent[];
}

/**
 * The in-process bus (embedded mode). Seqs start at 1 per project and live as long as the process:
 * after a restart they start again at 1, which is why `replay` answers `null` (resync) for an
 * `afterSeq` beyond the current seq rather than pretending the client is up to date.
 */
export class MemoryBus implements EventBus {
  private readonly size: number;
  private readonly listeners: BusListeners;
  private readonly logs = new Map<string, ProjectLog>();
  private closed = false;

  constructor(opts: MemoryBusOptions) {
    if (!Number.isInteger(opts.replayBufferSize) || opts.replayBufferSize < 0) {
      throw new RangeError('replayBufferSize must be a non-negative integer');
    }
    this.size = opts.replayBufferSize;
    this.listeners = new BusListeners(opts.onListenerError ?? ((error) => console.error('event listener failed', error)));
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- EventBus is async; a closed bus must reject, not throw
  async publish<K extends ProjectEventType>(project: string, type: K, data: ProjectEventMap[K]): Promise<ProjectEvent> {
    this.assertOpen();
    const log = this.log(project);
    const seq = ++log.seq;
    // Key order is the wire order: the hub serialises this object as-is.
    const event: ProjectEvent = { type, ts: new Date().toISOString(), seq, project, data };
    if (this.size > 0) log.ring[(seq - 1) % this.size] = event;
    this.listeners.emitEvent(event);
    return event;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- EventBus is async; a closed bus must reject, not throw
  async notifyUser(username: string, notice: Notice): Promise<void> {
    this.assertOpen();
    this.listeners.emitNotice(username, notice);
  }

  /**
   * Events with seq > afterSeq, oldest first. `[]` when up to date; `null` when afterSeq is older
   * than the buffer keeps (a gap would follow) or newer than the current seq (a seq from another
   * bus lifetime): either way the client must refetch.
   */
  // eslint-disable-next-line @typescript-eslint/require-await -- EventBus is async; this bus answers from memory
  async replay(project: string, afterSeq: number): Promise<ProjectEvent[] | null> {
    const log = this.logs.get(project);
    const current = log?.seq ?? 0;
    if (afterSeq > current || afterSeq < 0) return null;
    if (afterSeq === current) return [];
    const oldestKept = Math.max(1, current - this.size + 1);
    if (afterSeq + 1 < oldestKept) return null;
    const events: ProjectEvent[] = [];
    for (let seq = afterSeq + 1; seq <= current; seq++) events.push(log!.ring[(seq - 1) % this.size]!);
    return events;
  }

  currentSeq(project: string): Promise<number> {
    return Promise.resolve(this.logs.get(project)?.seq ?? 0);
  }

  onEvent(listener: (event: ProjectEvent) => void): () => void {
    return this.listeners.onEvent(listener);
  }

  onNotice(listener: (username: string, notice: Notice) => void): () => void {
    return this.listeners.onNotice(listener);
  }

  close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    return Promise.resolve();
  }

  private log(project: string): ProjectLog {
    let log = this.logs.get(project);
    if (!log) this.logs.set(project, (log = { seq: 0, ring: [] }));
    return log;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event bus is closed');
  }
}
