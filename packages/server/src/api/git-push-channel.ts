// The channel the pre-receive hook calls back on: a TCP listener on the loopback interface only.
// Each push registers a one-time secret (256 random bits) that the hook must present first.
// The hook is a bash script using bash's /dev/tcp (no Node start-up per push: that cost ~0.5 s).
import crypto from 'node:crypto';
import net from 'node:net';
import type { HookAnswer, HookRequest } from '../vault/push-hook.js';

export type HookHandler = (req: HookRequest) => Promise<HookAnswer>;

const MAX_REQUEST = 1024 * 1024; // ref update lines: a few hundred bytes per ref
const READ_TIMEOUT_MS = 30_000;

export class PushChannel {
  private readonly pending = new Map<string, HookHandler>();
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async open(): Promise<PushChannel> {
    let channel: PushChannel | null = null;
    const server = net.createServer((socket) => channel?.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    channel = new PushChannel(server, (server.address() as net.AddressInfo).port);
    return channel;
  }

  /** A push about to run: the hook presents `secret` once; `done` forgets it (after receive-pack ends). */
  register(handler: HookHandler): { secret: string; done(): void } {
    const secret = crypto.randomBytes(32).toString('base64url');
    this.pending.set(secret, handler);
    return { secret, done: () => this.pending.delete(secret) };
  }

  /** Request: secret, object dir, alternates, then `<old> <new> <ref>` lines, then a line `.`. */
  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(READ_TIMEOUT_MS, () => socket.destroy());
    const reply = (a: HookAnswer) => socket.end(`${a.ok ? 'ok' : 'refused'}\n${a.message}`);
    let text = '';
    let handled = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      if (handled) return;
      text += chunk;
      if (text.length > MAX_REQUEST) {
        handled = true;
        return reply({ ok: false, message: 'lockstep: push refused: too many refs\n' });
      }
      const lines = text.split('\n').slice(0, -1); // complete lines only
      const end = lines.indexOf('.', 3);
      if (end < 0) return;
      handled = true;
      const [secret = '', objectDir = '', alternates = ''] = lines;
      const handler = this.pending.get(secret);
      if (!handler) return reply({ ok: false, message: 'lockstep: push refused: unknown push\n' });
      this.pending.delete(secret); // one time only
      socket.setTimeout(0); // the check may wait for the project's write queue
      handler({ secret, objectDir, alternates, updates: lines.slice(3, end).join('\n') }).then(reply, () =>
        reply({ ok: false, message: 'lockstep: push refused: the server could not check it\n' }),
      );
    });
  }

  async close(): Promise<void> {
    this.pending.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
