import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import type { EventBus } from './bus.js';
import { MemoryBus } from './memory-bus.js';
import { PgBus } from './pg-bus.js';

export type { EventBus, Notice, ProjectEvent } from './bus.js';
export { MemoryBus } from './memory-bus.js';
export { PgBus } from './pg-bus.js';

type Log = { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };

/** The in-process bus, or — when DATABASE_URL points at PostgreSQL — the LISTEN/NOTIFY bus shared by every instance. */
export async function createBus(config: Config, db: Db, log?: Log): Promise<EventBus> {
  if (!config.databaseUrl) return new MemoryBus({ replayBufferSize: config.replayBufferSize });
  return PgBus.create({ db, connectionString: config.databaseUrl, replayBufferSize: config.replayBufferSize, log });
}

/** Whether this instance published the event (always true in-process; per event on PostgreSQL). */
export function isLocalEvent(bus: EventBus, event: import('./bus.js').ProjectEvent): boolean {
  const probe = (bus as { isLocal?: (e: import('./bus.js').ProjectEvent) => boolean }).isLocal;
  return probe ? probe.call(bus, event) : true;
}
