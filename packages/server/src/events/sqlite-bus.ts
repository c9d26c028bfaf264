import type { ProjectEventMap, ProjectEventType } from '@lockstep/protocol';
import type { Db } from '../store/db.js';
import type { EventBus, Notice, ProjectEvent, Revocation } from './bus.js';
import { BusListeners } from './listeners.js';
import { OrderedDelivery } from './ordered-delivery.js';
import { appendEvents, draft, readEvents, replayEvents, streamHead, trimEvents, type EventDraft } from './outbox.js';

/** Old events are trimmed every this many seqs (the table holds between N and N + TRIM_EVERY per project). */
const TRIM_EVERY = 100;

type Log = { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };

export interface SqliteBusOptions {
  db: Db;
  /** How many recent events per project `replay` can return. */
  replayBufferSize: number;
  log?: Log;
}

/**
 * The embedded bus (one process, SQLite). Events live in the same `project_events` outbox as on
 * PostgreSQL, written in the change's transaction, so seqs survive restarts and `resume` after a
 * restart replays exactly what was missed. Delivery is in-process, in seq order.
 */
export class SqliteBus implements EventBus {
  private readonly db: Db;
  private readonly size: number;
  private readonly log: Log;
  private readonly listeners: BusListeners;
  private readonly delivery: OrderedDelivery;
  private closed = false;

  /** Use `create`, or call `start()` after constructing (a subclass in a test). */
  constructor(opts: SqliteBusOptions) {
    if (!Number.isInteger(opts.replayBufferSize) || opts.replayBufferSize < 1)
      throw new RangeError('replayBufferSize must be a positive integer');
    this.db = opts.db;
    this.size = opts.replayBufferSize;
    this.log = opts.log ?? { warn: (o, m) => console.warn(m, o), error: (o, m) => console.error(m, o) };
    this.listeners = new BusListeners((error) => this.log.error({ err: error }, 'event listener failed'));
    this.delivery = new OrderedDelivery(
      (project, after, upTo) => readEvents(this.db, project, after, upTo),
      (event) => this.listeners.emitEvent(event),
      this.log,
    );
  }

  /** Live delivery starts after what is already stored (earlier events are replay, not live). */
  static create(opts: SqliteBusOptions): Promise<SqliteBus> {
    return new SqliteBus(opts).start();
  }

  async start(): Promise<this> {
    const rows = await this.db.selectFrom('project_event_seq').select(['project', 'seq']).execute();
    for (const r of rows) this.delivery.startAfter(r.project, r.seq);
    return this;
  }

  record(trx: Db, project: string, drafts: EventDraft[]): Promise<ProjectEvent[]> {
    this.assertOpen();
    return appendEvents(trx, project, drafts);
  }

  committed(events: ProjectEvent[]): void {
    for (const event of events) {
      this.delivery.accept(event);
      if (event.seq % TRIM_EVERY === 0 && event.seq > this.size) {
        trimEvents(this.db, event.project, event.seq, this.size).catch((err: unknown) =>
          this.log.warn({ err, project: event.project }, 'event bus: trimming old events failed'),
        );
      }
    }
  }

  async publish<K extends ProjectEventType>(project: string, type: K, data: ProjectEventMap[K]): Promise<ProjectEvent> {
    this.assertOpen();
    const events = await this.db.transaction().execute((trx) => appendEvents(trx, project, [draft(type, data)]));
    this.committed(events);
    return events[0]!;
  }

  notifyUser(username: string, notice: Notice): Promise<void> {
    this.assertOpen();
    this.listeners.emitNotice(username, notice);
    return Promise.resolve();
  }

  revoke(revocation: Revocation): Promise<void> {
    this.listeners.emitRevoke(revocation);
    return Promise.resolve();
  }

  replay(project: string, afterSeq: number, epoch?: string): Promise<ProjectEvent[] | null> {
    return replayEvents(this.db, project, afterSeq, this.size, epoch);
  }

  head(project: string) {
    return streamHead(this.db, project);
  }

  onEvent(listener: (event: ProjectEvent) => void): () => void {
    return this.listeners.onEvent(listener);
  }

  onNotice(listener: (username: string, notice: Notice) => void): () => void {
    return this.listeners.onNotice(listener);
  }

  onRevoke(listener: (revocation: Revocation) => void): () => void {
    return this.listeners.onRevoke(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.delivery.close();
    this.listeners.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event bus is closed');
  }
}
