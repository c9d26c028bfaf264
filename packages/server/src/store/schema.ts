import type { FileState, NotificationKind } from '@lockstep/protocol';
import type { Generated, Selectable } from 'kysely';

/** Table types. Timestamps are ISO-8601 strings (they sort as text on both SQLite and PostgreSQL);
 * booleans are 0/1 integers so one set of queries serves both dialects. */
export interface Database {
  users: {
    id: Generated<number>;
    username: string;
    username_key: string;
    password_hash: string;
    role: 'admin' | 'user' | 'viewer';
    disabled: number;
    created_at: string;
    approver: Generated<number>;
    email: Generated<string | null>;
  };
  sessions: {
    id_hash: string;
    user_id: number;
    csrf_token: string;
    created_at: string;
    expires_at: string;
  };
  api_tokens: {
    id: Generated<number>;
    user_id: number;
    name: string;
    token_hash: string;
    created_at: string;
    last_used_at: string | null;
  };
  projects: {
    slug: string;
    name: string;
    description: string;
    created_at: string;
    head_commit: string | null;
    remote_url: string | null;
    remote_secret: string | null;
    sync_state: 'idle' | 'pending' | 'ok' | 'failed';
    sync_error: string | null;
    last_sync_at: string | null;
    /** 'failed' when the index could not be rebuilt from git (see status_error). */
    status: Generated<'ok' | 'failed'>;
    status_error: Generated<string | null>;
    approvals_required: Generated<number>;
  };
  files: {
    project: string;
    path: string;
    path_key: string;
    name: string;
    grp: string;
    revision: string;
    description: string;
    part_number: string | null;
    fields_json: string;
    size: number;
    blob_sha: string;
    commit_sha: string;
    modified_at: string;
    modified_by: string;
    link_target: string | null;
    state: FileState;
    released_revision: string | null;
    released_commit: string | null;
    released_at: string | null;
    released_by: string | null;
    /** The open release request (protocol Review) as JSON, or null. */
    review_json: string | null;
    /** The lock queue: a JSON array of usernames, first in line first. */
    waiting_json: string;
    /** When the first in line was told the file is free (null: not yet). */
    waiting_notified_at: string | null;
  };
  locks: {
    project: string;
    path_key: string;
    path: string;
    username: string;
    locked_at: string;
    message: string;
  };
  project_event_seq: {
    project: string;
    seq: number;
    /** New whenever the stream starts over, so a client never mistakes another lifetime's seq for its own. */
    epoch: string | null;
  };
  project_events: {
    project: string;
    seq: number;
    payload: string;
  };
  /** One row per change of a file (a commit), written with the change: history without git log. */
  revisions: {
    id: Generated<number>;
    project: string;
    path_key: string;
    path: string;
    commit_sha: string;
    revision: string;
    author: string;
    date: string;
    message: string;
    action: string;
    state: FileState;
    approvals_json: string | null;
  };
  notifications: {
    id: Generated<number>;
    username: string;
    kind: NotificationKind;
    at: string;
    actor: string;
    project: string | null;
    path: string | null;
    message: string;
    read_at: string | null;
  };
  login_failures: {
    username_key: string;
    failures: number;
    /** When the first failure of the current window happened (ISO-8601). */
    window_start: string;
  };
  audit: {
    id: Generated<number>;
    at: string;
    username: string | null;
    action: string;
    project: string | null;
    path: string | null;
    revision: string | null;
    message: string | null;
  };
}

export type UserRow = Selectable<Database['users']>;
export type TokenRow = Selectable<Database['api_tokens']>;
