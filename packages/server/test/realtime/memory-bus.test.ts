import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/events/memory-bus.js';
import type { ProjectEvent } from '../../src/events/bus.js';

const data = (path: string) => ({ actor: 'alice', path, file: null });

describe('MemoryBus', () => {
  it('assigns per-project seqs from 1 and a ts', async () => {
    const bus = new MemoryBus({ replayBufferSize: 10 });
    expect(await bus.currentSeq('p1')).toBe(0);
    const a = await bus.publish('p1', 'file.uploaded', data('a'));
    const b = await bus.publish('p2', 'file.uploaded', data('b'));
    const c = await bus.publish('p1', 'file.deleted', data('a'));
    expect([a.seq, b.seq, c.seq]).toEqual([1, 1, 2]);
    expect(c).toMatchObject({ type: 'file.deleted', project: 'p1', data: data('a') });
    expect(Date.parse(c.ts)).not.toBeNaN();
    expect(await bus.currentSeq('p1')).toBe(2);
  });

  it('replays from the ring buffer: [] when up to date, null when too old or from the future', async () => {
    const bus = new MemoryBus({ replayBufferSize: 3 });
    for (let i = 0; i < 7; i++) await bus.publish('p1', 'file.updated', data(`f${i}`)); // keeps 5, 6, 7
    expect((await bus.replay('p1', 4))!.map((e) => e.seq)).toEqual([5, 6, 7]);
    expect((await bus.replay('p1', 6))!.map((e) => e.seq)).toEqual([7]);
    expect(await bus.replay('p1', 7)).toEqual([]);
    expect(await bus.replay('p1', 3)).toBeNull();
    expect(await bus.replay('p1', 8)).toBeNull();
    expect(await bus.replay('unknown', 0)).toEqual([]);
    expect(await new MemoryBus({ replayBufferSize: 0 }).replay('p1', 0)).toEqual([]);
  });

  it('replays whatever window it is asked for, for many sizes (property)', async () => {
    for (const size of [1, 2, 5, 16]) {
      const bus = new MemoryBus({ replayBufferSize: size });
      for (let n = 1; n <= 40; n++) {
        await bus.publish('p', 'file.updated', data(`f${n}`));
        for (let after = 0; after <= n; after++) {
          const got = await bus.replay('p', after);
          if (after < n - size) expect(got).toBeNull();
          else expect(got!.map((e) => e.seq)).toEqual(Array.from({ length: n - after }, (_, i) => after + 1 + i));
        }
      }
    }
  });

  it('calls listeners synchronously in publish order; a throwing listener does not stop the others', async () => {
    const errors: unknown[] = [];
    const bus = new MemoryBus({ replayBufferSize: 10, onListenerError: (e) => errors.push(e) });
    const seen: number[] = [];
    bus.onEvent(() => {
      throw new Error('boom');
    });
    const stop = bus.onEvent((e: ProjectEvent) => seen.push(e.seq));
    const pending = bus.publish('p1', 'file.uploaded', data('a'));
    expect(seen).toEqual([1]); // before the promise resolves
    await pending;
    await bus.publish('p1', 'file.uploaded', data('b'));
    expect(seen).toEqual([1, 2]);
    expect(errors).toHaveLength(2);
    stop();
    await bus.publish('p1', 'file.uploaded', data('c'));
    expect(seen).toEqual([1, 2]);
  });

  it('delivers notices to notice listeners and refuses to publish after close', async () => {
    const bus = new MemoryBus({ replayBufferSize: 1 });
    const got: string[] = [];
    bus.onNotice((user, notice) => got.push(`${user}:${notice.message}`));
    await bus.notifyUser('alice', { level: 'info', message: 'hi' });
    expect(got).toEqual(['alice:hi']);
    await bus.close();
    await expect(bus.publish('p1', 'file.uploaded', data('a'))).rejects.toThrow(/closed/);
  });
});
