import type { Config } from '../config.js';
import { deleteStaleFailures } from '../store/login-failures.js';
import { deleteExpiredSessions } from '../store/sessions.js';
import type { Job } from './scheduler.js';

/** Expired sessions (they no longer authenticate, but the rows stay) and finished login-failure windows. */
export const sessionPurgeJob = (config: Config): Job => ({
  name: 'session-purge',
  intervalMs: config.sessionPurgeIntervalMs,
  async run(s) {
    await deleteExpiredSessions(s.db);
    await deleteStaleFailures(s.db, new Date(Date.now() - config.loginUserWindowMs).toISOString());
  },
});
