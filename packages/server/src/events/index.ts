import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import type { EventBus, ProjectEvent } from './bus.js';
import { SqliteBus } from './sqlite-bus.js';

export type { EventBus, Notice, ProjectEvent, Revocation } from './bus.js';
export { draft, type EventDraft } from './outbox.js';
export { SqliteBus } from './sqlite-bus.js';

type Log = { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };

/** The in-process bus over the SQLite outbox, or — when DATABASE_URL points at PostgreSQL — the LISTEN/NOTIFY bus shared by every instance. */
export async function createBus(config: Config, db: Db, log?: Log): Promise<EventBus> {
  if (!config.databaseUrl) return SqliteBus.create({ db, replayBufferSize: config.replayBufferSize, log });
  // Loaded only for PostgreSQL: `pg` is not needed in the embedded mode (start-up time).
  const { PgBus } = await import('./pg-bus.js');
  return PgBus.create({ db, connectionString: config.databaseUrl, replayBufferSize: config.replayBufferSize, log });
}

/** Whether this instance published the event (always true in-process; per event on PostgreSQL). */
export function isLocalEvent(bus: EventBus, event: ProjectEvent): boolean {
  const isLocal = (bus as { isLocal?: (e: ProjectEvent) => boolean }).isLocal;
  return isLocal ? isLocal.call(bus, event) : true;
}
