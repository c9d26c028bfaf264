import { afterEach, describe, expect, it } from 'vitest';
import { SqliteBus } from '../../src/events/sqlite-bus.js';
import type { EventBus } from '../../src/events/bus.js';
import type { ProjectEvent } from '../../src/events/bus.js';
import { connectUser, fileEvent, openTestDb, startRealtimeServer, type TestServer } from './realtime-harness.js';

let server: TestServer;
afterEach(() => server.close());

const seqs = (events: { seq?: number }[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function publishMany(bus: EventBus, project: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await bus.publish(project, 'file.updated', fileEvent(`f${i}.nc`));
}

describe('resume', () => {
  it('replays exactly the events missed during a forced disconnect, in order, then goes live', async () => {
    server = await startRealtimeServer({ replayBufferSize: 50 });
    const first = await connectUser(server, 'sess-alice');
    first.send({ type: 'subscribe', project: 'p1' });
    await first.next('subscribed');
    await publishMany(server.bus, 'p1', 3);
    await first.next('file.updated', (m) => m.seq === 3);
    first.ws.terminate(); // network drop: no close handshake
    await first.closedWithin();

    await publishMany(server.bus, 'p1', 4); // seq 4..7, missed
    await server.bus.publish('p2', 'file.uploaded', fileEvent('elsewhere.nc'));

    const again = await connectUser(server, 'sess-alice');
    again.send({ type: 'resume', project: 'p1', after_seq: 3 });
    expect((await again.next('subscribed')).data).toEqual({ project: 'p1', seq: 7, epoch: expect.any(String) });
    await server.bus.publish('p1', 'file.checked_out', fileEvent('live.nc'));
    await again.next('file.checked_out');

    expect(seqs(again.events('p1'))).toEqual([4, 5, 6, 7, 8]);
    // Replayed events come before `subscribed`, the live one after it.
    expect(again.history.filter((m) => m.project === 'p1' || m.type === 'subscribed').map((m) => m.seq ?? 'subscribed')).toEqual([
      4,
      5,
      6,
      7,
      'subscribed',
      8,
    ]);
    expect(again.history.some((m) => m.project === 'p2')).toBe(false);
  });

  it('answers resume with nothing to replay when the client is up to date', async () => {
    server = await startRealtimeServer();
    await publishMany(server.bus, 'p1', 2);
    const client = await connectUser(server, 'sess-bob');
    client.send({ type: 'resume', project: 'p1', after_seq: 2 });
    expect((await client.next('subscribed')).data.seq).toBe(2);
    expect(client.events('p1')).toEqual([]);
  });

  it('sends resync when the missed events are older than the replay buffer, then continues live', async () => {
    server = await startRealtimeServer({ replayBufferSize: 5 });
    await publishMany(server.bus, 'p1', 10);
    const client = await connectUser(server, 'sess-bob');
    client.send({ type: 'resume', project: 'p1', after_seq: 4 }); // 5 is gone (buffer keeps 6..10)
    expect((await client.next('resync')).data.project).toBe('p1');
    expect((await client.next('subscribed')).data).toEqual({ project: 'p1', seq: 10, epoch: expect.any(String) });
    await server.bus.publish('p1', 'file.deleted', fileEvent('x.nc'));
    expect((await client.next('file.deleted')).seq).toBe(11);
    expect(seqs(client.events('p1'))).toEqual([11]);

    client.send({ type: 'resume', project: 'p1', after_seq: 6 }); // buffer now keeps 7..11: complete
    expect((await client.next('subscribed')).data.seq).toBe(11);
    expect(seqs(client.events('p1'))).toEqual([11, ...range(7, 11)]);
    expect(client.history.filter((m) => m.type === 'resync')).toHaveLength(1);
  });

  it('sends resync for a seq from the future (e.g. the server restarted)', async () => {
    server = await startRealtimeServer();
    await publishMany(server.bus, 'p1', 2);
    const client = await connectUser(server, 'sess-bob');
    client.send({ type: 'resume', project: 'p1', after_seq: 900 });
    await client.next('resync');
    expect((await client.next('subscribed')).data.seq).toBe(2);
  });

  it('has no gap and no duplicate when events are published while the replay is being read', async () => {
    let duringReplay: () => Promise<void> = async () => {};
    class SlowReplayBus extends SqliteBus {
      override async replay(project: string, afterSeq: number): Promise<ProjectEvent[] | null> {
        await duringReplay(); // published before the snapshot: in both the replay and the live queue
        const events = await super.replay(project, afterSeq);
        await duringReplay(); // published after the snapshot: only in the live queue
        return events;
      }
    }
    const store = await openTestDb();
    const bus = await new SlowReplayBus({ db: store.db, replayBufferSize: 100 }).start();
    server = await startRealtimeServer({ bus, db: store.db });
    await publishMany(bus, 'p1', 5);
    duringReplay = () => publishMany(bus, 'p1', 3);

    const client = await connectUser(server, 'sess-alice');
    client.send({ type: 'resume', project: 'p1', after_seq: 2 });
    await client.next('subscribed');
    duringReplay = async () => {};
    await publishMany(bus, 'p1', 1);
    await client.next('file.updated', (m) => m.seq === 12);
    expect(seqs(client.events('p1'))).toEqual(range(3, 12));
  });
});
