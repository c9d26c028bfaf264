import { useEffect, useState } from 'react';
import * as protocol from '@lockstep/protocol';
import { api, type Envelope, type ServerMessageMap, type ServerMessageType } from '@lockstep/protocol';
import { FallbackSocket, type SocketState } from './fallback-socket';

export type { SocketState };

/** The slice of LockstepSocket's API the app uses. */
export interface AppSocket {
  readonly state: SocketState;
  readonly nextRetryAt: number | Date | null | undefined;
  connect(): void;
  close(): void;
  subscribe(project: string): void;
  unsubscribe(project: string): void;
  on<K extends ServerMessageType>(type: K, handler: (msg: Envelope<K, ServerMessageMap[K]>) => void): () => void;
  onState(cb: (state: SocketState) => void): () => void;
}

type SocketCtor = new (opts: { url: string; backoff?: unknown }) => AppSocket;
const Ctor: SocketCtor = ((protocol as Record<string, unknown>).LockstepSocket as SocketCtor | undefined) ?? FallbackSocket;

let socket: AppSocket | null = null;
const listeners = new Set<(s: AppSocket | null) => void>();

export function wsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${api.ws}`;
}

/** One socket for the whole app, opened after sign-in and closed on sign-out. */
export function openSocket(): AppSocket {
  if (!socket) {
    socket = new Ctor({ url: wsUrl() });
    socket.connect();
    listeners.forEach((l) => l(socket));
  }
  return socket;
}

export function closeSocket(): void {
  socket?.close();
  socket = null;
  listeners.forEach((l) => l(null));
}

export function getSocket(): AppSocket | null {
  return socket;
}

export function useSocket(): AppSocket | null {
  const [s, setS] = useState(socket);
  useEffect(() => {
    listeners.add(setS);
    setS(socket);
    return () => void listeners.delete(setS);
  }, []);
  return s;
}

export function retryAtMs(s: AppSocket): number | null {
  const t = s.nextRetryAt;
  if (t == null) return null;
  return typeof t === 'number' ? t : t.getTime();
}

/** Connection state, re-rendering on every change. */
export function useConnectionState(): SocketState {
  const s = useSocket();
  const [state, setState] = useState<SocketState>(s?.state ?? 'offline');
  useEffect(() => {
    if (!s) return setState('offline');
    setState(s.state);
    return s.onState(setState);
  }, [s]);
  return state;
}

/** Keep the socket subscribed to exactly `projects`. */
export function useSubscriptions(projects: string[]): void {
  const s = useSocket();
  const key = [...projects].sort().join('\n');
  useEffect(() => {
    if (!s || !key) return;
    const list = key.split('\n');
    list.forEach((p) => s.subscribe(p));
    return () => list.forEach((p) => s.unsubscribe(p));
  }, [s, key]);
}
