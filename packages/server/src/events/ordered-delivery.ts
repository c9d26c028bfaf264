import type { ProjectEvent } from './bus.js';

type Log = { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };

/**
 * Delivers each project's events to local listeners strictly in seq order, exactly once. An event
 * that arrives ahead of a missing one waits while the missing ones are read from the outbox table
 * (every seq below a committed seq is committed, since the counter row serialises commits).
 */
export class OrderedDelivery {
  /** Last seq delivered, per project. */
  private readonly delivered = new Map<string, number>();
  /** Events that arrived ahead of a gap, per project, by seq. */
  private readonly pending = new Map<string, Map<number, ProjectEvent>>();
  /** Per-project chain of table reads that fill gaps, so they run one at a time and in order. */
  private readonly fills = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly read: (project: string, afterSeq: number, upTo: number) => Promise<ProjectEvent[]>,
    private readonly emit: (event: ProjectEvent) => void,
    private readonly log: Log,
  ) {}

  /** Earlier events are history (replay), not live: start after `seq`. */
  startAfter(project: string, seq: number): void {
    if (seq > this.last(project)) this.delivered.set(project, seq);
  }

  last(project: string): number {
    return this.delivered.get(project) ?? 0;
  }

  /** Delivers `event` if it is the next seq of its project; holds it and fills the gap otherwise. */
  accept(event: ProjectEvent): void {
    if (this.closed) return;
    const { project, seq } = event;
    const last = this.last(project);
    if (seq <= last) return;
    if (seq === last + 1) {
      this.deliver(event);
      this.drain(project);
      return;
    }
    let held = this.pending.get(project);
    if (!held) this.pending.set(project, (held = new Map<number, ProjectEvent>()));
    held.set(seq, event);
    this.fillTo(project, seq - 1);
  }

  /** Reads the rows up to `upTo` that were not delivered yet and delivers them in order (queued per project). */
  fillTo(project: string, upTo: number): void {
    const previous = this.fills.get(project) ?? Promise.resolve();
    const run = previous.then(async () => {
      if (this.closed || upTo <= this.last(project)) return;
      const events = await this.read(project, this.last(project), upTo);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may have run during the read
      if (this.closed) return;
      for (const event of events) {
        const now = this.last(project);
        if (event.seq <= now) continue;
        if (event.seq !== now + 1) {
          // Trimmed before we could read it (an instance far behind): skip ahead, say so.
          this.log.warn({ project, from: now + 1, to: event.seq - 1 }, 'event bus: events no longer in the table were skipped');
        }
        this.deliver(event);
      }
      if (this.last(project) < upTo) {
        this.log.warn({ project, upTo }, 'event bus: events no longer in the table were skipped');
        this.delivered.set(project, upTo);
      }
      this.drain(project);
    });
    const tail = run.catch((err: unknown) => {
      this.log.error({ err, project }, 'event bus: could not read missed events');
    });
    this.fills.set(project, tail);
    void tail.then(() => {
      if (this.fills.get(project) === tail) this.fills.delete(project);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.fills.values()]);
  }

  private deliver(event: ProjectEvent): void {
    this.delivered.set(event.project, event.seq);
    this.emit(event);
  }

  /** Delivers held events that have become next in line. */
  private drain(project: string): void {
    const held = this.pending.get(project);
    if (!held) return;
    for (;;) {
      const event = held.get(this.last(project) + 1);
      if (!event) break;
      held.delete(event.seq);
      this.deliver(event);
    }
    for (const seq of held.keys()) if (seq <= this.last(project)) held.delete(seq);
    if (held.size === 0) this.pending.delete(project);
  }
}
