// receive-pack's report held until the push is recorded (the race itself: test/git/git-push-race.test.ts).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PushReportHold, type LateRefusal } from '../../src/vault/push-report.js';

const pkt = (payload: string | Buffer) => {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
};
const band = (n: number, payload: string | Buffer) =>
  pkt(Buffer.concat([Buffer.from([n]), Buffer.isBuffer(payload) ? payload : Buffer.from(payload)]));
const FLUSH = Buffer.from('0000');
const report = (...lines: string[]) => Buffer.concat([...lines.map((l) => pkt(`${l}\n`)), FLUSH]);
const MAIN = 'refs/heads/main';
const refusal: LateRefusal = { reason: 'your lock on "a.nc" was released meanwhile', message: 'Lockstep refused this push\n' };

/** receive-pack's output as side-band-64k carries it: progress, a keep-alive, the report, the end. */
const sideband = (...lines: string[]) =>
  Buffer.concat([band(2, 'remote: checking\n'), band(1, ''), band(1, report(...lines)), band(2, 'after\n'), FLUSH]);

/** Feeds `input` in chunks of `size` bytes; resolves what came out before the decision and in all. */
async function through(input: Buffer, size: number, decision: LateRefusal | null) {
  let decide!: (d: LateRefusal | null) => void;
  const decided = new Promise<LateRefusal | null>((r) => (decide = r));
  const hold = new PushReportHold(() => decided);
  const chunks: Buffer[] = [];
  for (let at = 0; at < input.length; at += size) chunks.push(input.subarray(at, at + size));
  const out: Buffer[] = [];
  hold.on('data', (b: Buffer) => out.push(b));
  const done = new Promise<void>((resolve, reject) => {
    hold.once('end', resolve);
    hold.once('error', reject);
  });
  Readable.from(chunks).pipe(hold);
  await new Promise((r) => setTimeout(r, 20));
  const early = Buffer.concat(out).toString('latin1');
  decide(decision);
  await done;
  return { early, all: Buffer.concat(out) };
}

/** The report's lines inside band 1 of `stream`. */
function reportLines(stream: Buffer): string[] {
  const lines: string[] = [];
  let inner = Buffer.alloc(0);
  for (let at = 0; at < stream.length;) {
    const len = parseInt(stream.subarray(at, at + 4).toString(), 16) || 4;
    if (len > 5 && stream[at + 4] === 1) inner = Buffer.concat([inner, stream.subarray(at + 5, at + len)]);
    at += len;
  }
  for (let at = 0; at < inner.length;) {
    const len = parseInt(inner.subarray(at, at + 4).toString(), 16);
    if (!len) break;
    lines.push(
      inner
        .subarray(at + 4, at + len)
        .toString()
        .trimEnd(),
    );
    at += len;
  }
  return lines;
}

describe('a push report held until the push is recorded', () => {
  for (const size of [1, 3, 7, 4096])
    it(`passes progress at once and holds "ok" until the decision (chunks of ${size} bytes)`, async () => {
      const input = sideband('unpack ok', `ok ${MAIN}`);
      const { early, all } = await through(input, size, null);
      expect(early).toContain('remote: checking');
      expect(early).not.toContain('ok refs');
      expect(all.equals(input)).toBe(true); // a push that landed: git's bytes, unchanged
    });

  it('turns "ok" into "ng" with the reason, and says why on the terminal', async () => {
    const { all } = await through(sideband('unpack ok', `ok ${MAIN}`), 5, refusal);
    expect(reportLines(all)).toEqual(['unpack ok', `ng ${MAIN} ${refusal.reason}`]);
    expect(all.toString()).toContain('\u0002Lockstep refused this push');
    expect(all.subarray(-4).toString()).toBe('0000');
  });

  it('drops the report-status-v2 options of a refused update and keeps other refs as they were', async () => {
    const input = sideband('unpack ok', `ok ${MAIN}`, 'option old-oid 1111', 'option new-oid 2222', 'ng refs/tags/x denied');
    expect(reportLines((await through(input, 4096, refusal)).all)).toEqual([
      'unpack ok',
      `ng ${MAIN} ${refusal.reason}`,
      'ng refs/tags/x denied',
    ]);
  });

  it('rewrites a report sent without side-band', async () => {
    const { all } = await through(report('unpack ok', `ok ${MAIN}`), 2, refusal);
    expect(all.equals(report('unpack ok', `ng ${MAIN} ${refusal.reason}`))).toBe(true);
  });

  it('fails the stream when a refusal has no report to go into (the client then sees an error, not "ok")', async () => {
    await expect(through(Buffer.concat([band(2, 'progress\n'), FLUSH]), 4096, refusal)).rejects.toThrow(/no report/);
  });
});
