// TEST-ONLY: a real Fastify server with the realtime hub, the SQLite outbox bus on a temporary
// database, and users looked up from a session cookie in an in-memory table.
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { WebSocket, type ClientOptions, type RawData } from 'ws';
import type { Envelope, ServerMessageMap, ServerMessageType } from '@lockstep/protocol';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventBus } from '../../src/events/bus.js';
import { SqliteBus } from '../../src/events/sqlite-bus.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { frameText } from '../../src/realtime/client-messages.js';
import { registerRealtime, type RealtimeHub, type RealtimeOptions, type RealtimeUser } from '../../src/realtime/index.js';

export const SESSIONS: Record<string, RealtimeUser> = {
  'sess-alice': { id: 1, username: 'alice', role: 'user', session: 's:sess-alice', expiresAt: null },
  'sess-alice-2': { id: 1, username: 'alice', role: 'user', session: 's:sess-alice-2', expiresAt: null }, // a second browser of the same user
  'sess-bob': { id: 2, username: 'bob', role: 'user', session: 's:sess-bob', expiresAt: null },
  'sess-carol': { id: 3, username: 'carol', role: 'admin', session: 's:sess-carol', expiresAt: null },
  'sess-vic': { id: 4, username: 'vic', role: 'viewer', session: 's:sess-vic', expiresAt: null },
};
/** p1 and p2 are open to everyone; `secret` to admins only; anything else does not exist. */
const PROJECTS: Record<string, (user: RealtimeUser) => boolean> = {
  p1: () => true,
  p2: () => true,
  secret: (user) => user.role === 'admin',
};

export interface TestServer {
  app: FastifyInstance;
  bus: EventBus;
  hub: RealtimeHub;
  url: string;
  origin: string;
  setReady(ready: boolean): void;
  close: () => Promise<void>;
}

export async function startRealtimeServer(
  overrides: Partial<RealtimeOptions> & { replayBufferSize?: number; bus?: EventBus; db?: Db } = {},
): Promise<TestServer> {
  const app = Fastify({ logger: false });
  await app.register(cookie);
  const store = overrides.db ? null : await openTestDb();
  const db = overrides.db ?? store!.db;
  const bus = overrides.bus ?? (await SqliteBus.create({ db, replayBufferSize: overrides.replayBufferSize ?? 100 }));
  let ready = true;
  const hub = await registerRealtime(app, {
    bus,
    authenticate: (req) => Promise.resolve(SESSIONS[req.cookies.session ?? ''] ?? null),
    canReadProject: (user, project) => Promise.resolve(PROJECTS[project]?.(user) ?? false),
    isReady: () => ready,
    heartbeatMs: 10_000,
    maxBufferedBytes: 1024 * 1024,
    maxPayloadBytes: 4096,
    allowedOrigins: ['https://pdm.example.com'],
    ...overrides,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    bus,
    hub,
    url: `ws://127.0.0.1:${port}/ws`,
    origin: `http://127.0.0.1:${port}`,
    setReady: (value) => void (ready = value),
    close: async () => {
      await app.close();
      await bus.close();
      await store?.close();
    },
  };
}

/** A migrated SQLite database in a temporary folder, removed by close(). */
export async function openTestDb(): Promise<{ db: Db; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-rt-'));
  const { db } = await openDatabase({ dataDir: dir, databaseUrl: null });
  return {
    db,
    async close() {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 }); // a late WAL write can race the first pass
    },
  };
}

export type Message<K extends ServerMessageType = ServerMessageType> = Envelope<K, ServerMessageMap[K]>;

/** A real `ws` client that records every message and lets a test wait, with a timeout, for the next one of a type. */
export class TestClient {
  readonly ws: WebSocket;
  readonly history: Message[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private inbox: Message[] = [];
  private waiters: Array<() => void> = [];

  /** `session` is this harness's cookie value; `cookie` a whole Cookie header (the real app's). */
  constructor(url: string, opts: { session?: string; cookie?: string; origin?: string } & ClientOptions = {}) {
    const { session, cookie, origin, ...wsOptions } = opts;
    const headers: Record<string, string> = {};
    if (session) headers.cookie = `session=${session}`;
    if (cookie) headers.cookie = cookie;
    if (origin) headers.origin = origin;
    this.ws = new WebSocket(url, { headers, ...wsOptions });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      }),
    );
    this.ws.on('message', (data: RawData, isBinary) => {
      if (isBinary) throw new Error('server sent a binary frame');
      const message = JSON.parse(frameText(data)) as Message;
      this.history.push(message);
      this.inbox.push(message);
      this.wake();
    });
  }

  /** Takes the oldest not-yet-taken message of `type` (matching `where`), waiting up to timeoutMs. */
  async next<K extends ServerMessageType>(type: K, where: (m: Message<K>) => boolean = () => true, timeoutMs = 2000): Promise<Message<K>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((m) => m.type === type && where(m as Message<K>));
      if (index >= 0) return this.inbox.splice(index, 1)[0] as Message<K>;
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no ${type} within ${timeoutMs} ms; got ${this.history.map((m) => m.type).join(', ')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Project events (with a seq) received so far for a project, in arrival order. */
  events(project: string): Message[] {
    return this.history.filter((m) => m.project === project && typeof m.seq === 'number');
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the close event, or rejects after timeoutMs. */
  closedWithin(timeoutMs = 2000): Promise<{ code: number; reason: string }> {
    return withTimeout(this.closed, timeoutMs, 'socket did not close');
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Opens a client and waits for `connection.established`. */
export async function connectUser(server: TestServer, session: string, opts: ClientOptions = {}): Promise<TestClient> {
  const client = new TestClient(server.url, { session, ...opts });
  await withTimeout(client.opened, 2000, 'socket did not open');
  await client.next('connection.established');
  return client;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls a condition (server-side state) until true, bounded. */
export async function eventually(condition: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const fileEvent = (path: string, actor = 'alice') => ({ actor, path, file: null });
