import type { Role } from '@lockstep/protocol';
import type { Config } from '../config.js';
import type { EventBus } from '../events/bus.js';
import type { Db, Dialect } from '../store/db.js';
import { GroupCommit } from '../store/group-commit.js';
import { ProjectWrites } from '../store/project-writes.js';
import { SessionCache } from './session-cache.js';
import type { Vault } from '../vault/index.js';

/** Everything a use case needs; built once in app.ts. */
export interface Services {
  config: Config;
  db: Db;
  dialect: Dialect;
  vault: Vault;
  bus: EventBus;
  /** Serialises each project's write units (in this process, and across instances on PostgreSQL). */
  projectWrites: ProjectWrites;
  /** Small write transactions on the hot path (SQLite lock changes): concurrent ones share a commit. */
  groupCommit: GroupCommit;
  /** Authenticated cookie sessions (embedded mode only). */
  sessionCache: SessionCache;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

/** The authenticated user a request acts as. */
export interface Actor {
  id: number;
  username: string;
  role: Role;
}

export function createServices(parts: Omit<Services, 'projectWrites' | 'groupCommit' | 'sessionCache'>): Services {
  return {
    ...parts,
    projectWrites: new ProjectWrites(parts.db, parts.dialect),
    groupCommit: new GroupCommit(parts.db),
    sessionCache: new SessionCache(parts.dialect === 'sqlite'),
  };
}
