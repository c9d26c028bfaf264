import { Type, type Static } from '@sinclair/typebox';
import type { Approval, FileInfo, FileState } from './files.js';
import type { NotificationKind } from './notifications.js';
import type { Project } from './projects.js';

/** Every server→client WebSocket message. `seq` is set on project events only. */
export interface Envelope<T extends string = string, D = unknown> {
  type: T;
  ts: string;
  seq?: number;
  project?: string;
  data: D;
}

/** Who did it: attached to every file/project event so other users' toasts can say so. */
export interface Actor {
  actor: string;
}

export interface FileEventData extends Actor {
  path: string;
  /** The file as it is after the change, as seen by nobody in particular (status: available|locked). */
  file: FileInfo | null;
  message?: string;
  revision?: string;
}

export interface ProcessData {
  processId: string;
  kind: string;
  label: string;
  progress: number;
  error?: string;
}

export interface PresenceData {
  user: string;
  online: string[];
}

/** Project-scoped events: these carry `project` and a per-project `seq`. */
export interface ProjectEventMap {
  'project.created': Actor & { project: Project };
  'project.updated': Actor & { project: Project };
  'project.deleted': Actor & { slug: string };
  'file.uploaded': FileEventData;
  'file.checked_out': FileEventData;
  'file.checked_in': FileEventData;
  'file.checkout_cancelled': FileEventData;
  'file.lock_overridden': FileEventData & { formerHolder: string; reason: string };
  'file.updated': FileEventData;
  'file.deleted': FileEventData;
  /** A lifecycle transition (request, release, reject, withdraw, obsolete, reactivate). */
  'file.state_changed': FileEventData & {
    from: FileState;
    to: FileState;
    comment: string;
    revision: string;
    /** Which step it was, as in the audit log: file.release_requested, file.released, file.rejected, file.release_withdrawn, file.obsoleted, file.reactivated. */
    action: string;
  };
  /** An approval that did not yet release the file. */
  'file.approved': FileEventData & { comment: string; revision: string; approvals: Approval[]; required: number };
  /** Someone joined or left the file's lock queue (`file.waiting`). */
  'file.queue_changed': FileEventData;
  'process.started': ProcessData;
  'process.progress': ProcessData;
  'process.completed': ProcessData;
  'process.failed': ProcessData;
}
export type ProjectEventType = keyof ProjectEventMap;

/** Connection-scoped messages. */
export interface ServerMessageMap extends ProjectEventMap {
  'connection.established': { user: string; role: string; connectionId: string; heartbeatMs: number; online: string[] };
  'presence.joined': PresenceData;
  'presence.left': PresenceData;
  /** `id` and `kind` are set when the notice is also stored (GET /api/notifications). */
  notice: { level: 'info' | 'warning'; message: string; project?: string; path?: string; id?: number; kind?: NotificationKind };
  'system.heartbeat': { serverTime: string };
  pong: { nonce?: string };
  resync: { project: string; reason: string };
  /** `epoch` names this lifetime of the project's stream: resume with it, and a seq from another lifetime is never mistaken for ours. */
  subscribed: { project: string; seq: number; epoch: string };
  unsubscribed: { project: string };
  error: { code: string; message: string };
}
export type ServerMessageType = keyof ServerMessageMap;
export type ServerMessage = { [K in ServerMessageType]: Envelope<K, ServerMessageMap[K]> }[ServerMessageType];

export const PROJECT_EVENT_TYPES: readonly ProjectEventType[] = [
  'project.created',
  'project.updated',
  'project.deleted',
  'file.uploaded',
  'file.checked_out',
  'file.checked_in',
  'file.checkout_cancelled',
  'file.lock_overridden',
  'file.updated',
  'file.deleted',
  'file.state_changed',
  'file.approved',
  'file.queue_changed',
  'process.started',
  'process.progress',
  'process.completed',
  'process.failed',
];

/** WebSocket close codes the server uses. */
export const CloseCodes = {
  normal: 1000,
  goingAway: 1001,
  policyViolation: 1008, // not authenticated / bad origin / access revoked
  tooBig: 1009,
  serverError: 1011, // server not ready
  tryAgainLater: 1013, // slow consumer dropped
  accessChanged: 4001, // role changed: reconnect at once, as who you now are
} as const;

/** Client→server messages, validated by the server. */
const ProjectRef = Type.String({ minLength: 1, maxLength: 64 });
export const ClientMessage = Type.Union([
  Type.Object({ type: Type.Literal('subscribe'), project: ProjectRef }),
  Type.Object({ type: Type.Literal('unsubscribe'), project: ProjectRef }),
  Type.Object({ type: Type.Literal('ping'), nonce: Type.Optional(Type.String({ maxLength: 100 })) }),
  Type.Object({
    type: Type.Literal('resume'),
    project: ProjectRef,
    after_seq: Type.Integer({ minimum: 0 }),
    epoch: Type.Optional(Type.String({ maxLength: 64 })),
  }),
]);
export type ClientMessage = Static<typeof ClientMessage>;
