// receive-pack's answer to a push passes through the server on its way to the client. Its
// report-status ("ok refs/heads/main") is held back until the server has recorded the push, and
// turned into "ng" when it did not: a client is told "ok" only for a push that landed.
import { Transform, type TransformCallback } from 'node:stream';

/** Why a push the hook accepted did not land. */
export interface LateRefusal {
  /** Lines for the client's terminal ("remote: …"). */
  message: string;
  /** One line, shown as `! [remote rejected] main -> main (<reason>)`. */
  reason: string;
}

const FLUSH = Buffer.from('0000');
const SIDEBAND_MAX = 65515; // LARGE_PACKET_MAX minus the length and band bytes

const pkt = (payload: Buffer) => Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, '0')), payload]);
const band = (n: number, data: Buffer) => {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += SIDEBAND_MAX)
    out.push(pkt(Buffer.concat([Buffer.from([n]), data.subarray(at, at + SIDEBAND_MAX)])));
  return out;
};

/**
 * Passes progress (side-band 2 and 3) and keep-alives through as they come and holds everything
 * from the report on. At the end, `decision` says whether the push landed (null: the report goes
 * out as git wrote it) or not (every "ok <ref>" becomes "ng <ref> <reason>"). A refusal it cannot
 * write into the report (no report-status, unreadable stream) fails the stream: the client then
 * sees an error, never "ok".
 */
export class PushReportHold extends Transform {
  private pending = Buffer.alloc(0);
  private holding = false;
  private readonly held: Buffer[] = [];

  constructor(private readonly decision: () => Promise<LateRefusal | null>) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.holding) {
      this.held.push(chunk);
      cb();
      return;
    }
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 4) {
      const len = parseInt(this.pending.subarray(0, 4).toString('latin1'), 16);
      if (len >= 5 && this.pending.length < len) break; // the rest of the packet is on its way
      // Band 2 and 3 are progress and errors; an empty band-1 packet is a keep-alive.
      const progress = len >= 5 && (this.pending[4] === 2 || this.pending[4] === 3 || (this.pending[4] === 1 && len === 5));
      if (!progress) {
        // From the report on (or anything unexpected), everything waits for the decision.
        this.holding = true;
        this.held.push(this.pending);
        this.pending = Buffer.alloc(0);
        break;
      }
      this.push(this.pending.subarray(0, len));
      this.pending = this.pending.subarray(len);
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    const rest = Buffer.concat([...this.held, this.pending]);
    this.decision().then(
      (refusal) => {
        const out = refusal ? rewriteReport(rest, refusal) : rest;
        if (out) cb(null, out);
        else cb(new Error('push refused after the check, and the client asked for no report'));
      },
      (err: unknown) => {
        cb(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }
}

/** The held stream with the report turned into refusals; null when it holds no report to rewrite. */
export function rewriteReport(stream: Buffer, refusal: LateRefusal): Buffer | null {
  const packets: Buffer[] = [];
  for (let at = 0; at < stream.length;) {
    const len = parseInt(stream.subarray(at, at + 4).toString('latin1'), 16);
    if (Number.isNaN(len) || (len > 0 && len < 4) || at + Math.max(len, 4) > stream.length) return null;
    packets.push(stream.subarray(at, at + Math.max(len, 4)));
    at += Math.max(len, 4);
  }
  const sideband = packets[0]?.[4] === 1;
  // The report's own pkt-lines: inside band 1 with side-band, else the packets up to the first flush.
  let report: Buffer;
  let after: Buffer[];
  if (sideband) {
    report = Buffer.concat(packets.filter((p) => p.length > 5 && p[4] === 1).map((p) => p.subarray(5)));
    after = packets.filter((p) => !(p.length > 4 && p[4] === 1));
  } else {
    const end = packets.findIndex((p) => p.length === 4);
    report = Buffer.concat(packets.slice(0, end < 0 ? packets.length : end + 1));
    after = end < 0 ? [] : packets.slice(end + 1);
  }
  const lines: string[] = [];
  for (let at = 0; at + 4 <= report.length;) {
    const len = parseInt(report.subarray(at, at + 4).toString('latin1'), 16);
    if (!(len >= 4)) break; // the report's flush
    lines.push(
      report
        .subarray(at + 4, at + len)
        .toString('utf8')
        .replace(/\n$/, ''),
    );
    at += len;
  }
  if (!lines[0]?.startsWith('unpack ')) return null;
  const reason = refusal.reason.replace(/[\r\n]+/g, ' ').slice(0, 300);
  const out: string[] = [];
  let refused = false;
  for (const line of lines) {
    if (line.startsWith('ok ')) {
      out.push(`ng ${line.slice(3)} ${reason}`);
      refused = true;
    } else if (!(refused && line.startsWith('option '))) {
      // report-status-v2 options describe an accepted update only
      out.push(line);
      if (line.startsWith('ng ')) refused = false;
    }
  }
  const newReport = Buffer.concat([...out.map((l) => pkt(Buffer.from(`${l}\n`, 'utf8'))), FLUSH]);
  if (!sideband) return Buffer.concat([newReport, ...after]);
  return Buffer.concat([...band(2, Buffer.from(refusal.message, 'utf8')), ...band(1, newReport), ...after]);
}
