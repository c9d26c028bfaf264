import type { Config } from '../config.js';
import type { Job } from './scheduler.js';

/** `git gc --auto` in every project: repacks only when loose objects pile up (gc.auto is off in the repos). */
export const gitGcJob = (config: Config): Job => ({
  name: 'git-gc',
  intervalMs: config.gcIntervalMs,
  async run(s) {
    const projects = await s.db.selectFrom('projects').select('slug').execute();
    for (const { slug } of projects) {
      if (!(await s.vault.exists(slug))) continue;
      await s.vault.gcAuto(slug, config.gcAutoLooseObjects);
    }
  },
});
