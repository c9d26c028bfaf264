import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Moves SQLite's WAL checkpoints off the event loop. A checkpoint copies the WAL into the database
 * file and fsyncs both; run inline (SQLite's default, every 1,000 pages) it stalls whichever commit
 * triggers it for ~10 ms on this kind of disk. Here a worker's own connection runs PASSIVE
 * checkpoints, which never block the writer: once one has caught up, the writer's next transaction
 * starts the WAL from its beginning again. Under writes with no gap at all a checkpoint never
 * catches up; the main connection's inline checkpoint, set far higher than SQLite's default,
 * bounds the WAL then.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;

  constructor(file: string, intervalMs = 100) {
    const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, intervalMs, sqliteModule } });
    // A failed checkpoint only lets the WAL grow; it must never take the server down.
    this.worker.on('error', (err) => console.error(`lockstep: WAL checkpointer stopped: ${err.message}`));
    this.worker.unref();
  }

  /** Stops the worker after one last checkpoint (so a clean shutdown leaves a small WAL). */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('stop');
    await exited;
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.sqliteModule);
// Opened at the first checkpoint: a server closed right after start never needs it.
let db = null;
const open = () => {
  const opened = new SQLite(workerData.file, { fileMustExist: true });
  opened.pragma('busy_timeout = 1000');
  return opened;
};
const checkpoint = () => {
  db ??= open();
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { if (err.code !== 'SQLITE_BUSY') throw err; }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  if (db) {
    checkpoint();
    db.close();
  }
  process.exit(0);
});
`;
