import path from 'node:path';
import type { Config } from './config.js';
import type { EventBus } from './events/bus.js';
import { createBus } from './events/index.js';
import { startJobs, type Jobs } from './jobs/scheduler.js';
import { createServices, type Services } from './services/context.js';
import { reconcileAll } from './services/index-rebuild.js';
import type { SyncService } from './services/sync.js';
import { ensureFirstAdmin } from './services/users.js';
import { openDatabase } from './store/db.js';
import { Vault } from './vault/index.js';

/**
 * The server's life outside HTTP: open (and migrate) the store, the vault and the bus; bring the
 * data to a consistent state; start and stop the background work. The HTTP app (app.ts) and the
 * CLI (cli/) both build on it; the CLI never loads the HTTP app.
 */

/** Store (migrated), vault and bus. */
export async function openServices(config: Config, log: Services['log'], bus?: EventBus): Promise<Services> {
  await Vault.checkGit();
  const { db, dialect } = await openDatabase(config);
  const vault = new Vault(path.join(config.dataDir, 'repos'));
  return createServices({ config, db, dialect, vault, bus: bus ?? (await createBus(config, db, log)), log });
}

/** Before serving: the first admin on a fresh store, then git and SQL made to agree, project by project. */
export async function prepareData(s: Services): Promise<{ username: string; password: string | null } | null> {
  const firstAdmin = await ensureFirstAdmin(s);
  await reconcileAll(s);
  return firstAdmin;
}

/** Once serving: background pushes to remotes and the maintenance jobs (git gc --auto, expired sessions, stale spool files). */
export function startBackground(sync: SyncService, s: Services): Jobs {
  sync.start();
  return startJobs(s);
}

/** Stops the background work, then closes the bus, the vault's git processes and the store. */
export async function closeServices(s: Services, sync: SyncService, jobs: Jobs): Promise<void> {
  await sync.close();
  await jobs.stop();
  await s.bus.close();
  s.vault.close();
  await s.db.destroy();
}
