import { Buffer } from 'node:buffer';
import crypto from 'node:crypto';
import type { ProjectEventMap, ProjectEventType } from '@lockstep/protocol';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../store/db.js';
import type { EventBus, Notice, ProjectEvent, Revocation } from './bus.js';
import { BusListeners } from './listeners.js';
import { OrderedDelivery } from './ordered-delivery.js';
import { readEvents, replayEvents, streamHead, type EventDraft } from './outbox.js';

const EVENTS_CHANNEL = 'lockstep_events';
const NOTICES_CHANNEL = 'lockstep_notices';
const REVOKE_CHANNEL = 'lockstep_revocations';
/** pg_notify refuses payloads of 8000 bytes or more; above this only (project, seq) is sent. */
const MAX_INLINE_PAYLOAD = 7000;
/** Old events are trimmed every this many seqs (so the table holds between N and N + TRIM_EVERY). */
const TRIM_EVERY = 100;

export interface PgBusOptions {
  db: Db;
  /** The listener holds its own connection (LISTEN does not mix with a pool). */
  connectionString: string;
  /** How many recent events per project `replay` can return. */
  replayBufferSize: number;
  log?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  /** First reconnect delay of the listener connection (doubles up to 10 s). */
  reconnectMs?: number;
}

/** At most this many events go in one publishing statement. */
const MAX_BATCH = 100;

interface QueuedEvent {
  type: ProjectEventType;
  ts: string;
  data: ProjectEventMap[ProjectEventType];
  resolve: (event: ProjectEvent) => void;
  reject: (error: unknown) => void;
}

/** A NOTIFY payload: the whole event, or a reference to its row when the event is large; `origin` names the publishing instance. */
/** project_event_seq.seq is a bigint: a string unless the INT8 parser (store/db.ts) is installed. */
type SeqRow = { project: string; seq: number | string };
type EventNote = { origin: string; event: ProjectEvent } | { origin: string; ref: true; project: string; seq: number };

/**
 * The scale-out bus: PostgreSQL assigns each project's `seq` and LISTEN/NOTIFY fans events out to
 * every instance.
 *
 * publish = one statement for all events of a project queued in one turn (see flush): bump the
 * project's row in `project_event_seq` by their number, insert them into `project_events`,
 * `pg_notify` each. The row lock on the counter serialises
 * publishers of one project until commit, so seqs are gap-free and commit in seq order, and
 * PostgreSQL delivers notifications in commit order. Each instance delivers to its local listeners
 * strictly in seq order per project: an event that arrives ahead of a missing one waits while the
 * missing rows are read from the table (the row of every seq below a committed seq is committed).
 */
export class PgBus implements EventBus {
  private readonly db: Db;
  private readonly size: number;
  private readonly log: NonNullable<PgBusOptions['log']>;
  /** Seq-ordered, exactly-once delivery to local listeners (gaps filled from the table). */
  private readonly delivery: OrderedDelivery;
  /** Events published by this instance (the sync service pushes only for those): keys until delivered. */
  private readonly localKeys = new Set<string>();
  private readonly listeners = new BusListeners((error) => this.log.error({ err: error }, 'event listener failed'));
  private readonly local = new WeakSet();
  /** Events waiting for their project's next publishing statement. */
  private readonly outbox = new Map<string, QueuedEvent[]>();
  /** Projects with a publishing statement in flight (one at a time per project, in order). */
  private readonly flushing = new Set<string>();
  /** Tells this instance's own notifications from the others'. */
  private readonly origin = crypto.randomUUID();
  /** Notifications that arrive while start-up reads the committed seqs; handled right after. */
  private startupQueue: Array<[string, string | undefined]> | null = [];
  private listener: pg.Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay: number;
  private closed = false;

  private constructor(private readonly opts: PgBusOptions) {
    this.db = opts.db;
    this.size = opts.replayBufferSize;
    this.log = opts.log ?? { info: () => {}, warn: (o, m) => console.warn(m, o), error: (o, m) => console.error(m, o) };
    this.reconnectDelay = opts.reconnectMs ?? 500;
    this.delivery = new OrderedDelivery(
      (project, after, upTo) => readEvents(this.db, project, after, upTo),
      (event) => this.deliver(event),
      this.log,
    );
  }

  /** Connects the listener and starts delivering; resolves once LISTEN is in place. */
  static async create(opts: PgBusOptions): Promise<PgBus> {
    if (!Number.isInteger(opts.replayBufferSize) || opts.replayBufferSize < 1)
      throw new RangeError('replayBufferSize must be a positive integer');
    const bus = new PgBus(opts);
    await bus.listen();
    // Start from what is already committed: earlier events are history (replay), not live.
    const rows = await sql<SeqRow>`select project, seq from project_event_seq`.execute(bus.db);
    for (const r of rows.rows) bus.delivery.startAfter(r.project, Number(r.seq));
    const queued = bus.startupQueue ?? [];
    bus.startupQueue = null;
    for (const [channel, payload] of queued) bus.onNotification(channel, payload);
    return bus;
  }

  /**
   * The outbox inside the change's transaction: the rows, and their NOTIFYs, which PostgreSQL sends
   * only if and when that transaction commits.
   */
  async record(trx: Db, project: string, drafts: EventDraft[]): Promise<ProjectEvent[]> {
    this.assertOpen();
    if (drafts.length === 0) return [];
    const ts = new Date().toISOString();
    const batch = drafts.map((d) => ({ type: d.type, ts, data: d.data }));
    const seqs = await this.store(trx, project, batch);
    return batch.map((e, i): ProjectEvent => ({ type: e.type, ts, seq: seqs[i]!, project, data: e.data }));
  }

  /** After the recording transaction committed: deliver here now, not on our own notification. */
  committed(events: ProjectEvent[]): void {
    for (const event of events) {
      this.expectLocal(event.project, event.seq);
      this.delivery.accept(event);
      if (event.seq % TRIM_EVERY === 0 && event.seq > this.size) this.trim(event.project, event.seq);
    }
  }

  /** Off the publishers' path: a late trim only keeps a few more rows for a while. */
  private trim(project: string, last: number): void {
    sql`delete from project_events where project = ${project} and seq <= ${last - this.size}`
      .execute(this.db)
      .catch((err: unknown) => this.log.warn({ err, project }, 'event bus: trimming old events failed'));
  }

  publish<K extends ProjectEventType>(project: string, type: K, data: ProjectEventMap[K]): Promise<ProjectEvent> {
    this.assertOpen();
    return new Promise<ProjectEvent>((resolve, reject) => {
      let queue = this.outbox.get(project);
      if (!queue) this.outbox.set(project, (queue = []));
      queue.push({ type, ts: new Date().toISOString(), data, resolve, reject });
      if (queue.length === 1 && !this.flushing.has(project)) setImmediate(() => void this.flush(project));
    });
  }

  /**
   * Stores and announces a project's queued events in one statement, so one round trip: the
   * counter row stays locked (serialising this project's publishers everywhere, which keeps seqs
   * gap-free and in commit order) only while it runs and commits. Events published meanwhile go
   * in the next statement; under load many share one, as they share its commit.
   */
  private async flush(project: string): Promise<void> {
    const batch = this.outbox.get(project)?.splice(0, MAX_BATCH) ?? [];
    if (batch.length === 0) return; // close() rejected and dropped what was queued
    this.flushing.add(project);
    try {
      const seqs = await this.store(this.db, project, batch);
      const n = batch.length;
      const last = seqs[seqs.length - 1]!;
      if (Math.floor(last / TRIM_EVERY) > Math.floor((last - n) / TRIM_EVERY) && last > this.size) this.trim(project, last);
      batch.forEach((queued, i) => {
        const seq = seqs[i]!;
        const event: ProjectEvent = { type: queued.type, ts: queued.ts, seq, project, data: queued.data };
        // Deliver now rather than on our own notification (which is then skipped as already
        // seen), unless that notification came first.
        this.expectLocal(project, seq);
        this.delivery.accept(event);
        queued.resolve(event);
      });
    } catch (err) {
      for (const queued of batch) queued.reject(err);
    } finally {
      this.flushing.delete(project);
      if (this.outbox.get(project)?.length) setImmediate(() => void this.flush(project));
      else this.outbox.delete(project);
    }
  }

  /**
   * One statement: bump the project's counter by the events' number, insert them, `pg_notify`
   * each (sent at commit). Returns their seqs.
   */
  private async store(db: Db, project: string, batch: Array<Pick<QueuedEvent, 'type' | 'ts' | 'data'>>): Promise<number[]> {
    // Each event's JSON around its seq, which only the database knows. Key order is the wire
    // order: the hub sends this text as-is.
    const heads = batch.map((e) => `{"type":${JSON.stringify(e.type)},"ts":${JSON.stringify(e.ts)},"seq":`);
    const tails = batch.map((e) => `,"project":${JSON.stringify(project)},"data":${JSON.stringify(e.data)}}`);
    const inline = batch.map((_, i) => Buffer.byteLength(heads[i]!) + Buffer.byteLength(tails[i]!) + 20 <= MAX_INLINE_PAYLOAD);
    const inlineNote = `{"origin":"${this.origin}","event":`;
    const refNote = `{"origin":"${this.origin}","ref":true,"project":${JSON.stringify(project)},"seq":`;
    const n = batch.length;
    const { rows } = await sql<{ seq: string | number }>`
      with next as (
        insert into project_event_seq as c (project, seq, epoch) values (${project}, ${n}, ${crypto.randomUUID()})
        on conflict (project) do update set seq = c.seq + ${n}, epoch = coalesce(c.epoch, excluded.epoch)
        returning seq
      ), batch as (
        select next.seq - ${n} + e.i as seq, e.head || (next.seq - ${n} + e.i)::text || e.tail as payload, e.inline
        from next, unnest(${heads}::text[], ${tails}::text[], ${inline}::boolean[]) with ordinality as e(head, tail, inline, i)
      ), stored as (
        insert into project_events (project, seq, payload) select ${project}, seq, payload from batch
      )
      select seq, pg_notify(${EVENTS_CHANNEL}, case when inline then ${inlineNote}::text || payload else ${refNote}::text || seq::text end || '}')
      from (select * from batch order by seq offset 0) ordered`.execute(db);
    return rows.map((r) => Number(r.seq));
  }

  async notifyUser(username: string, notice: Notice): Promise<void> {
    this.assertOpen();
    let text = JSON.stringify({ username, notice });
    if (Buffer.byteLength(text) > MAX_INLINE_PAYLOAD) {
      text = JSON.stringify({ username, notice: { ...notice, message: `${notice.message.slice(0, 2000)}…` } });
    }
    // Every instance, this one included, delivers it when the notification arrives.
    await sql`select pg_notify(${NOTICES_CHANNEL}, ${text})`.execute(this.db);
  }

  async revoke(revocation: Revocation): Promise<void> {
    this.assertOpen();
    // Every instance, this one included, closes the sockets when the notification arrives.
    await sql`select pg_notify(${REVOKE_CHANNEL}, ${JSON.stringify(revocation)})`.execute(this.db);
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

  /** True for events this instance published (false for events from other instances). */
  isLocal(event: ProjectEvent): boolean {
    return this.local.has(event);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queue of this.outbox.values()) for (const queued of queue) queued.reject(new Error('event bus is closed'));
    this.outbox.clear();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.listeners.clear();
    const client = this.listener;
    this.listener = null;
    await this.delivery.close();
    if (client) await client.end().catch(() => {});
  }

  // ── listener connection ────────────────────────────────────────────────────────────────────

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.connectionString });
    client.on('notification', (msg) => this.onNotification(msg.channel, msg.payload));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    await client.query(`LISTEN ${NOTICES_CHANNEL}`);
    await client.query(`LISTEN ${REVOKE_CHANNEL}`);
    this.listener = client;
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.closed || this.listener !== client) return;
    this.listener = null;
    this.log.warn({ err: err.message }, 'event bus: lost the PostgreSQL LISTEN connection; reconnecting');
    client.end().catch(() => {});
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(delay * 2, 10_000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.listen()
        .then(() => {
          this.reconnectDelay = this.opts.reconnectMs ?? 500;
          this.log.info({}, 'event bus: LISTEN connection restored');
          return this.catchUp();
        })
        .catch((err: unknown) => {
          this.log.warn({ err: (err as Error).message }, 'event bus: reconnect failed');
          this.scheduleReconnect();
        });
    }, delay);
  }

  /** After a reconnect: whatever was committed while we were not listening, from the table. */
  private async catchUp(): Promise<void> {
    const rows = await sql<SeqRow>`select project, seq from project_event_seq`.execute(this.db);
    for (const r of rows.rows) if (Number(r.seq) > this.delivery.last(r.project)) this.delivery.fillTo(r.project, Number(r.seq));
  }

  private onNotification(channel: string, payload: string | undefined): void {
    if (this.startupQueue) return void this.startupQueue.push([channel, payload]);
    if (this.closed || !payload) return;
    try {
      if (channel === NOTICES_CHANNEL) {
        const { username, notice } = JSON.parse(payload) as { username: string; notice: Notice };
        this.listeners.emitNotice(username, notice);
        return;
      }
      if (channel === REVOKE_CHANNEL) {
        this.listeners.emitRevoke(JSON.parse(payload) as Revocation);
        return;
      }
      const note = JSON.parse(payload) as EventNote;
      const { project, seq } = 'ref' in note ? note : note.event;
      if (note.origin === this.origin) this.expectLocal(project, seq);
      if ('ref' in note) this.delivery.fillTo(project, seq);
      else this.delivery.accept(note.event);
    } catch (err) {
      this.log.error({ err, channel }, 'event bus: bad notification');
    }
  }

  // ── local marking ─────────────────────────────────────────────────────────────────────────

  /** Marks a seq this instance published, so that deliver() flags the event as local. */
  private expectLocal(project: string, seq: number): void {
    if (seq > this.delivery.last(project)) this.localKeys.add(`${project}\u0000${seq}`);
  }

  private deliver(event: ProjectEvent): void {
    const key = `${event.project}\u0000${event.seq}`;
    if (this.localKeys.delete(key)) this.local.add(event);
    this.listeners.emitEvent(event);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event bus is closed');
  }
}
