import type { Envelope, ProjectEventMap, ProjectEventType, ServerMessageMap } from '@lockstep/protocol';
import type { Db } from '../store/db.js';
import type { EventDraft, StreamHead } from './outbox.js';

export type ProjectEvent = Envelope & { project: string; seq: number };
export type Notice = ServerMessageMap['notice'];

/**
 * Access that ended: the hub closes the matching sockets (1008) on every instance. All of a user's
 * sockets, or only those of the given sessions (`s:<session hash>` / `t:<token id>`), or all but one.
 */
export interface Revocation {
  userId: number;
  sessions?: string[];
  exceptSession?: string;
  reason: string;
  /** The session stays valid (a role change): the socket closes with `accessChanged` and the client reconnects as who it now is. */
  reconnect?: boolean;
}

/**
 * The event bus: services record events in their own transaction (the outbox, `project_events`,
 * in both stores) and hand them to the bus once it commits; the realtime hub listens. In-process
 * delivery on SQLite (SqliteBus), LISTEN/NOTIFY across instances on PostgreSQL (PgBus).
 */
export interface EventBus {
  /** Appends events to the outbox inside `trx`; pass the result to `committed` after the commit. */
  record(trx: Db, project: string, drafts: EventDraft[]): Promise<ProjectEvent[]>;
  /** Delivers events whose transaction committed (in seq order, exactly once). */
  committed(events: ProjectEvent[]): void;
  /** An event in a transaction of its own (progress reports, project changes). */
  publish<K extends ProjectEventType>(project: string, type: K, data: ProjectEventMap[K]): Promise<ProjectEvent>;
  /** A personal message for one user (all their connections, on any instance). */
  notifyUser(username: string, notice: Notice): Promise<void>;
  /** Ends access: closes the matching sockets on every instance. */
  revoke(revocation: Revocation): Promise<void>;
  /** Events with seq > afterSeq in order; null when the client must resync (see replayEvents). */
  replay(project: string, afterSeq: number, epoch?: string): Promise<ProjectEvent[] | null>;
  /** The last seq of a project's stream and its epoch. */
  head(project: string): Promise<StreamHead>;
  onEvent(listener: (event: ProjectEvent) => void): () => void;
  onNotice(listener: (username: string, notice: Notice) => void): () => void;
  onRevoke(listener: (revocation: Revocation) => void): () => void;
  close(): Promise<void>;
}
