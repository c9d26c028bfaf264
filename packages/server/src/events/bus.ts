import type { Envelope, ProjectEventMap, ProjectEventType, ServerMessageMap } from '@lockstep/protocol';

export type ProjectEvent = Envelope & { project: string; seq: number };
export type Notice = ServerMessageMap['notice'];

/**
 * The event bus: services publish here, the realtime hub listens. It assigns the per-project
 * `seq` and keeps a bounded replay buffer. In-process by default (MemoryBus); PostgreSQL
 * LISTEN/NOTIFY when scaled out.
 */
export interface EventBus {
  /** Assigns ts + the next per-project seq, keeps it for replay and delivers it to listeners. */
  publish<K extends ProjectEventType>(project: string, type: K, data: ProjectEventMap[K]): Promise<ProjectEvent>;
  /** A personal message for one user (all their connections, on any instance). */
  notifyUser(username: string, notice: Notice): Promise<void>;
  /** Events with seq > afterSeq in order, or null when afterSeq is older than the buffer keeps. */
  replay(project: string, afterSeq: number): Promise<ProjectEvent[] | null>;
  /** The last seq assigned for a project (0 when none). */
  currentSeq(project: string): Promise<number>;
  onEvent(listener: (event: ProjectEvent) => void): () => void;
  onNotice(listener: (username: string, notice: Notice) => void): () => void;
  close(): Promise<void>;
}
