import { useEffect, useState } from 'react';
import { api, LockstepSocket, type LockstepSocketState } from '@lockstep/protocol';

export type SocketState = LockstepSocketState;
export type AppSocket = LockstepSocket;

let socket: AppSocket | null = null;
const listeners = new Set<(s: AppSocket | null) => void>();

export function wsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${api.ws}`;
}

/** One socket for the whole app, opened after sign-in and closed on sign-out. */
export function openSocket(): AppSocket {
  if (!socket) {
    socket = new LockstepSocket({ url: wsUrl() });
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

/**
 * Whole seconds until the socket's next reconnect attempt, ticking down; null while an attempt
 * is under way (or none is planned).
 */
export function useSecondsToRetry(s: AppSocket | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!s) return;
    const off = s.onState(() => setNow(Date.now())); // a new attempt is scheduled: count from it
    // Re-render only while counting down, not four times a second while the connection is up.
    const timer = setInterval(() => s.nextRetryAt !== null && setNow(Date.now()), 250);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [s]);
  const at = s?.nextRetryAt ?? null;
  return at === null ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Connection state, re-rendering on every change. */
export function useConnectionState(): SocketState {
  const s = useSocket();
  const [state, setState] = useState<SocketState>(s?.state ?? 'offline');
  useEffect(() => {
    if (!s) {
      setState('offline');
      return;
    }
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
