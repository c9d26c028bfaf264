import type { Config } from '../config.js';
import type { Job } from './scheduler.js';

/** Upload spool files (and commit index files) left by a crash or an aborted upload, older than spoolMaxAgeMs. */
export const spoolSweepJob = (config: Config): Job => ({
  name: 'spool-sweep',
  intervalMs: config.spoolSweepIntervalMs,
  async run(s) {
    const projects = await s.db.selectFrom('projects').select('slug').execute();
    for (const { slug } of projects) {
      if (await s.vault.exists(slug)) await s.vault.sweepSpool(slug, config.spoolMaxAgeMs);
    }
  },
});
