import type { Services } from '../services/context.js';
import { gitGcJob } from './git-gc.js';
import { lockQueueJob } from './lock-queue.js';
import { sessionPurgeJob } from './session-purge.js';
import { spoolSweepJob } from './spool-sweep.js';

/** A maintenance task run every `intervalMs` (0: off). */
export interface Job {
  name: string;
  intervalMs: number;
  run(s: Services): Promise<void>;
}

export interface Jobs {
  /** Runs one job now (tests, an admin action later); waits for a run already going. */
  runNow(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs each job on its own interval, never two runs of one job at once; a failed run is logged
 * and the job tried again at its next tick. Timers are unref'd: they never keep the process alive.
 */
export function startJobs(s: Services, jobs: Job[] = defaultJobs(s)): Jobs {
  const timers: NodeJS.Timeout[] = [];
  const running = new Map<string, Promise<void>>();
  let stopped = false;

  const run = (job: Job): Promise<void> => {
    const current = running.get(job.name);
    if (current) return current;
    const p = job
      .run(s)
      .catch((err: unknown) => s.log.error({ err, job: job.name }, 'maintenance job failed'))
      .finally(() => running.delete(job.name));
    running.set(job.name, p);
    return p;
  };

  for (const job of jobs) {
    if (job.intervalMs <= 0) continue;
    const timer = setInterval(() => {
      if (!stopped) void run(job);
    }, job.intervalMs);
    timer.unref();
    timers.push(timer);
  }

  return {
    async runNow(name) {
      const job = jobs.find((j) => j.name === name);
      if (!job) throw new Error(`no maintenance job "${name}"`);
      await run(job);
    },
    async stop() {
      stopped = true;
      timers.forEach(clearInterval);
      await Promise.allSettled([...running.values()]);
    },
  };
}

export function defaultJobs(s: Services): Job[] {
  return [gitGcJob(s.config), sessionPurgeJob(s.config), spoolSweepJob(s.config), lockQueueJob(s.config)];
}
