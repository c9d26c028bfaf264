import type { Config } from '../config.js';
import { sweepLockQueues } from '../services/lock-queue.js';
import type { Job } from './scheduler.js';

/** Lock queue turns that ran out pass to the next in line; releases nobody was told of are caught up. */
export const lockQueueJob = (config: Config): Job => ({
  name: 'lock-queue',
  intervalMs: config.queueCheckMs,
  run: sweepLockQueues,
});
