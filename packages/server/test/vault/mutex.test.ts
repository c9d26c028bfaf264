import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../src/vault/mutex.js';

describe('KeyedMutex', () => {
  it('runs tasks with the same key one at a time, in order, even after a failure', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const task =
      (name: string, fail = false) =>
      async () => {
        events.push(`start ${name}`);
        await sleep(5);
        events.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([mutex.run('k', task('a')), mutex.run('k', task('b', true)), mutex.run('k', task('c'))]);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await sleep(0);
    expect(mutex.size).toBe(0);
  });

  it('lets different keys run at the same time', async () => {
    const mutex = new KeyedMutex();
    let running = 0;
    let peak = 0;
    const task = async () => {
      peak = Math.max(peak, ++running);
      await sleep(10);
      running--;
    };
    await Promise.all([mutex.run('a', task), mutex.run('b', task)]);
    expect(peak).toBe(2);
  });
});
